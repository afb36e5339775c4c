/** ARMv7-A Cortex-A15 CPU: the public surface. */

export { decodeA32Entry, UNDEFINED_ENTRY } from './isa/a32/a32-decoder.ts';
export {
  A32_TABLE,
  A32_UNCONDITIONAL_TABLE,
  type A32Class,
  type A32Entry,
  type A32Exec,
} from './isa/a32/a32-table.ts';
export { Bus, BusError } from './bus.ts';
export { Cp14, DBGDIDR } from './system/cp14.ts';
export { CortexA15Id, Cp15, Ttbcr } from './system/cp15.ts';
export { Cpu, type CpuOptions } from './cpu.ts';
export { type BlockReport, CpuDebug, type ExceptionReport, type Watchpoint } from './debug.ts';
export { ramWritten } from './jit/code-watch.ts';
export { COMPILE_AFTER, jitTranslator } from './jit/jit.ts';
export type { GuestTranslator, TranslatorFactory, TranslatorStatistics } from './guest-translator.ts';
export { CpuState, CpuStateError, Psr } from './cpu-state.ts';
export { ElfError, type ElfImage, type ElfSegment, parseElf } from './elf.ts';
export { DEFAULT_FREQUENCY, GenericTimer, TimerChannel, TimerCtl } from './system/generic-timer.ts';
export {
  ExceptionKind,
  type ExceptionKindValue,
  FaultStatus,
  GuestException,
  LongFaultStatus,
  longFaultStatus,
} from './system/exceptions.ts';
export type {
  BudgetExit,
  CpuExit,
  DebugExit,
  HvcExit,
  MmioExit,
  SmcExit,
  StopExit,
  WfiExit,
} from './exit.ts';
export { Access, type AccessValue, Mmu, NO_DOMAIN, TlbOp } from './system/mmu.ts';
export { PMCR_RESET, Pmu } from './system/pmu.ts';
export {
  BANK_COUNT,
  Bank,
  bankOf,
  hasSpsr,
  isValidMode,
  Mode,
  type ModeValue,
  modeName,
} from './system/modes.ts';
export { F32, F64, type FloatFormat, FpEnv, FpFlag, RoundingMode } from './isa/vfp/softfloat.ts';
export { T16_TABLE, type ThumbEntry, type ThumbExec } from './isa/thumb/t16.ts';
export { T32_TABLE } from './isa/thumb/t32-table.ts';
export { decodeT16Entry, decodeT32Entry, THUMB_UNDEFINED } from './isa/thumb/thumb-decoder.ts';
export { Vfp, VfpId } from './isa/vfp/vfp.ts';
