/**
 * The CPU as an instruction's executor sees it: the register file, the system registers, memory
 * access, branches, exceptions and exits. Executors take this, not the `Cpu` class, so the
 * instruction sets do not depend on the core that dispatches them (which imports their tables).
 */
import type { CpuState } from './cpu-state.ts';
import type { CpuExit } from './exit.ts';
import type { Vfp } from './isa/vfp/vfp.ts';
import type { Cp14 } from './system/cp14.ts';
import type { Cp15 } from './system/cp15.ts';
import type { ExceptionKindValue } from './system/exceptions.ts';

/** What BKPT asks of an attached debugger. */
export interface BreakpointHook {
  /** True when the debugger takes the BKPT (an exit is set); false lets the guest take its abort. */
  takeBkpt(cpu: ExecContext): boolean;
}

/** The members of `Cpu` that instruction executors use, beside the register file. */
export interface ExecContext extends CpuState {
  /** System control registers. */
  readonly cp15: Cp15;
  /** Debug registers. */
  readonly cp14: Cp14;
  /** Floating-point registers and controls. */
  readonly vfp: Vfp;
  /** Set by the LDRT/STRT family around their access, so it checks PL0 permissions. */
  unprivileged: boolean;
  /** Address of the instruction executing now (for exception return addresses). */
  insnAddr: number;
  /** Set by instructions that wrote the PC, so the loop does not step past them. */
  branched: boolean;
  /** An exit raised by the current instruction, returned after it completes. */
  exit: CpuExit | null;
  /** Whether the banked MRS/MSR forms exist. */
  bankedMoves: boolean;
  /** The exclusive monitor: physical address tagged by LDREX*, or -1 when open. */
  exclusiveAddr: number;
  /** An attached debugger, or null. */
  readonly debug: BreakpointHook | null;
  /** True when running at PL0. */
  readonly user: boolean;
  /** Writes the PC as a branch in the current instruction set. */
  branchTo(target: number): void;
  /** Writes the PC as BX does: bit 0 selects Thumb. */
  bxWritePc(target: number): void;
  /** Returns from an exception: CPSR from `spsr`, then the PC. */
  exceptionReturn(target: number, spsr: number): void;
  /** Raises an alignment fault unless `va` is a multiple of `align`. */
  checkAlign(va: number, align: number, write: boolean): void;
  /** Reads a word that must be RAM. */
  read32(va: number): number;
  /** Reads a halfword that must be RAM. */
  read16(va: number): number;
  /** Reads a byte that must be RAM. */
  read8(va: number): number;
  /** Writes a word that must be RAM. */
  write32(va: number, value: number): void;
  /** Writes a halfword that must be RAM. */
  write16(va: number, value: number): void;
  /** Writes a byte that must be RAM. */
  write8(va: number, value: number): void;
  /** A single load into `rt` (and `rt2`), from RAM or MMIO (then it completes on the next run). */
  load(va: number, size: 1 | 2 | 4 | 8, signed: boolean, rt: number, rt2?: number): void;
  /** A single store of `value` (and `value2`, the high word of a doubleword), to RAM or MMIO. */
  store(va: number, size: 1 | 2 | 4 | 8, value: number, value2?: number): void;
  /** Takes an exception whose LR is already known: sets the PC to its vector. */
  enter(kind: ExceptionKindValue, lr: number): void;
  /** Leaves `run` with a WFI exit unless an interrupt is already asserted. */
  waitForInterrupt(): void;
}
