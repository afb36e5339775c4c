/** ARMv7-A Cortex-A15 CPU: the public surface. */
export { CpuState, CpuStateError, Psr } from './cpu-state.ts';
export { BANK_COUNT, Bank, bankOf, hasSpsr, isValidMode, Mode, type ModeValue, modeName } from './modes.ts';
