/** ARMv7-A Cortex-A15 CPU: the public surface. */

export { decodeA32Entry, UNDEFINED_ENTRY } from './a32-decoder.ts';
export {
  buildFuzzBlob,
  FUZZ_BLOB_ADDRESS,
  FUZZ_CLASSES,
  FUZZ_HEADER_WORDS,
  FUZZ_SCRATCH_ADDRESS,
  FUZZ_SCRATCH_WORDS,
  FUZZ_STATE_WORDS,
  type FuzzIsa,
  FuzzRng,
  fuzzEntries,
  randomInstruction,
  randomMemoryInstruction,
  randomThumbInstruction,
  randomThumbMemoryInstruction,
  randomVfpInstruction,
  THUMB_FUZZ_ROWS,
  thumbFuzzEntries,
  thumbStream,
} from './fuzz-blob.ts';
export {
  A32_TABLE,
  A32_UNCONDITIONAL_TABLE,
  type A32Class,
  type A32Entry,
  type A32Exec,
} from './a32-table.ts';
export { Bus, BusError } from './bus.ts';
export { Cp14, DBGDIDR } from './cp14.ts';
export { CortexA15Id, Cp15, Ttbcr } from './cp15.ts';
export { Cpu, type CpuOptions } from './cpu.ts';
export { type BlockReport, CpuDebug, type ExceptionReport, type Watchpoint } from './debug.ts';
export { ramWritten } from './jit/code-watch.ts';
export { CpuState, CpuStateError, Psr } from './cpu-state.ts';
export { ElfError, type ElfImage, type ElfSegment, parseElf } from './elf.ts';
export { DEFAULT_FREQUENCY, GenericTimer, TimerChannel, TimerCtl } from './generic-timer.ts';
export {
  ExceptionKind,
  type ExceptionKindValue,
  FaultStatus,
  GuestException,
  LongFaultStatus,
  longFaultStatus,
} from './exceptions.ts';
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
export { Access, type AccessValue, Mmu, NO_DOMAIN, TlbOp } from './mmu.ts';
export { PMCR_RESET, Pmu } from './pmu.ts';
export { BANK_COUNT, Bank, bankOf, hasSpsr, isValidMode, Mode, type ModeValue, modeName } from './modes.ts';
export { F32, F64, type FloatFormat, FpEnv, FpFlag, RoundingMode } from './softfloat.ts';
export { T16_TABLE, type ThumbEntry, type ThumbExec } from './t16.ts';
export { T32_TABLE } from './t32-table.ts';
export { type MachineStop, Psci, psciAnswer, RAM_BASE, TestMachine, UART_BASE } from './test-machine.ts';
export { decodeT16Entry, decodeT32Entry, THUMB_UNDEFINED } from './thumb-decoder.ts';
export { Vfp, VfpId } from './vfp.ts';
