/** The contract between the translator and its instruction emitters. */
import type { Code, Piece } from './code.ts';

/** What an instruction emitter produces. */
export interface Emitted {
  /** The instruction's code (the translator adds the condition check around it). */
  readonly code: Code;
  /** True when the block ends after this instruction (every path of `code` leaves). */
  readonly end: boolean;
}

/** What an emitter knows about the instruction it translates, and how it leaves the block. */
export interface InsnContext {
  /** Virtual address of the instruction. */
  readonly addr: number;
  /** What reads of the PC give: the address + 8 (A32) or + 4 (Thumb). */
  readonly pc: number;
  /** Address of the next instruction. */
  readonly next: number;
  /** Thumb only: inside an IT block (16-bit data processing then leaves the flags alone). */
  readonly inIt: boolean;
  /** Code that leaves after this instruction for the static address `target` (ISA `thumb`). */
  exitTo(target: number, thumb: boolean): Code;
  /** Code that leaves after this instruction; the PC (and T) are already written. */
  exitDynamic(): Code;
  /** Code that leaves after this instruction for the next one (MMIO exit, code written). */
  exitNext(): Code;
  /**
   * Code that leaves before this instruction, which has changed nothing yet, for the interpreter to
   * run it: the access (a store when `write`) at the address in local `va` missed the soft TLB, which
   * the dispatcher then fills for that page.
   */
  exitHere(write: boolean): Code;
  /**
   * Code that prepares a call into the CPU's slow paths (which may fault or exit): the instruction
   * address and the PC. The locals are written back by the `syncOut` the call itself comes after.
   */
  sync(): Code;
  /**
   * Code that runs the instruction through its executor, then `after` (only when it returned), then
   * leaves if it branched, made an exit or dropped the block: an inline fast path's fallback.
   */
  callExecutor(after?: Piece): Code;
}
