/**
 * The CPU as its dispatchers (the block translator and the debugger's stepper) drive it: what
 * executors see, plus the run loop's members. They take this, not the `Cpu` class, which constructs
 * them.
 */
import type { Bus } from './bus.ts';
import type { ExecContext } from './exec-context.ts';
import type { ExceptionKindValue, GuestException } from './system/exceptions.ts';
import type { Mmu } from './system/mmu.ts';

/** Bits of `lines`: the interrupt inputs and the owner's stop request. */
export const LINE_FIQ = 1; // lines up with CPSR.F >> 6
export const LINE_IRQ = 2; // lines up with CPSR.I >> 6
export const LINE_STOP = 16; // above every mask bit, so never masked

/** The members of `Cpu` that the translator and the debugger use, beside an executor's. */
export interface CpuContext extends ExecContext {
  /** The physical address space. */
  readonly bus: Bus;
  /** Address translation (used while SCTLR.M is set). */
  readonly mmu: Mmu;
  /** SCTLR.M, cached for the fast path. */
  readonly mmuOn: boolean;
  /** Instructions retired since creation (including ones that raised exceptions). */
  retired: number;
  /** Interrupt inputs and stop request (LINE_* bits). */
  lines: number;
  /** Physical address of `va` for an access of `kind` by the current privilege. */
  pa(va: number, kind: 0 | 1 | 2): number;
  /** Executes one instruction in the current instruction set, counting it as retired. */
  step(): void;
  /** Takes an IRQ or FIQ before the instruction at the PC. */
  takeInterrupt(kind: ExceptionKindValue): void;
  /** Takes a synchronous exception raised by the instruction at `insnAddr`. */
  takeSyncException(e: GuestException): void;
}
