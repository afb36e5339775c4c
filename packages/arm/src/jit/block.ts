/** A translated block of guest code: the generated function and what the dispatcher needs around it. */
import type { Cpu } from '../cpu.ts';

/**
 * Runs a block with at least `left` instructions of budget. It retires its instructions (adding to
 * `cpu.retired`), leaves the PC at the next instruction, and returns the block to run next when one
 * of its exits is linked to it, or null to let the dispatcher look the PC up.
 */
export type BlockRun = (cpu: Cpu, left: number) => Block | null;

/** One translation: a run of guest instructions from one physical page, in one instruction set. */
export class Block {
  /** RAM offset of the first instruction. */
  readonly off: number;
  /** Virtual address of the first instruction when it was translated. */
  readonly va: number;
  /** 1 for Thumb, 0 for A32. */
  readonly thumb: number;
  /** Guest instructions in one pass through the block. */
  readonly count: number;
  /** RAM offset just past its last instruction. */
  readonly end: number;
  /** False once the code under it was written: the dispatcher and the links then drop it. */
  valid = true;
  /** The blocks that static exits lead to, filled on first use (index = exit number). */
  readonly links: (Block | null)[];
  /** The generated code; set once the source is compiled. */
  run: BlockRun = () => null;

  constructor(off: number, end: number, va: number, thumb: number, count: number, exits: number) {
    this.off = off;
    this.end = end;
    this.va = va;
    this.thumb = thumb;
    this.count = count;
    this.links = new Array<Block | null>(exits).fill(null);
  }
}
