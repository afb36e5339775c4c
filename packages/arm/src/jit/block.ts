/** A translated block of guest code: the generated function and what the dispatcher needs around it. */
import type { CpuContext } from '../cpu-context.ts';
import type { ThumbExec } from '../isa/table-row.ts';
import type { Code } from './code.ts';

/**
 * Runs a block with at least `left` instructions of budget. It retires its instructions (adding to
 * `cpu.retired`), leaves the PC at the next instruction, and returns the block to run next when one
 * of its exits is linked to it, or null to let the dispatcher look the PC up. Up to `hops` linked
 * blocks may run from inside it (nested calls) before it returns. `entry` is the block's `entry`:
 * which of the blocks compiled into one function to start at.
 */
export type BlockRun = (cpu: CpuContext, left: number, hops: number, entry: number) => Block | null;

/**
 * One translation: guest code from one physical page, in one instruction set, entered at `va`. The
 * generated code holds the virtual PC as constants, so the same physical code reached through another
 * mapping (the identity map beside the kernel's, the vectors page) gets a translation of its own.
 */
export class Block {
  /** RAM offset of the first instruction. */
  readonly off: number;
  /** Virtual address of the first instruction when it was translated. */
  readonly va: number;
  /** 1 for Thumb, 0 for A32. */
  readonly thumb: number;
  /**
   * Its instructions decoded, as the block interpreter runs them before it is compiled (and whenever
   * the budget left is too short for the compiled form). Null for a block of one instruction that
   * crosses into the next page, which is fetched and stepped anew each time.
   */
  readonly decoded: DecodedBlock | null;
  /** Once compiled: the translated basic block it starts with (kept to build hot loops from). */
  source: BasicBlockSource | null = null;
  /** False once the code under it was written: the dispatcher and the links then drop it. */
  valid = true;
  /** Times it ran, until it was compiled and then considered for a hot loop. */
  hits = 0;
  /** The next translation of the same physical start under another virtual address, if any. */
  alias: Block | null = null;
  /** Its case in the function it runs, when that was compiled with other blocks (0 when alone). */
  entry = 0;
  /**
   * While interpreted: the blocks that followed it the last two times (a conditional branch has two
   * ways), so the next one is found without the dispatcher's lookup.
   */
  succ0: Block | null = null;
  succ1: Block | null = null;
  /**
   * How it runs, called as a method (`block.run(...)`): the block interpreter's shared function
   * until it is compiled, then its generated code.
   */
  run: BlockRun = () => null;

  constructor(off: number, va: number, thumb: number, decoded: DecodedBlock | null) {
    this.off = off;
    this.va = va;
    this.thumb = thumb;
    this.decoded = decoded;
  }
}

/** Bytes of the instruction kept as `word` in a `DecodedBlock` of instruction set `thumb`. */
export function insnSize(word: number, thumb: number): number {
  return thumb !== 0 && word >= 0 ? 2 : 4;
}

/** A basic block decoded for the first tier: its entries in the arrays of a `DecodePool`. */
export interface DecodedBlock {
  /** The pool chunk's executors: the block's are `execs[at]` to `execs[at + count - 1]`. */
  readonly execs: readonly ThumbExec[];
  /**
   * The pool chunk's instruction words, the block's at the same indices. A 32-bit Thumb
   * instruction is kept with its first halfword high, which is at least 0xe800, so the word is
   * negative: that is how its size is told (`insnSize`).
   */
  readonly words: Int32Array;
  /** Index of the block's first instruction in the chunk. */
  readonly at: number;
  /** Guest instructions. */
  readonly count: number;
  /** RAM offset just past the last instruction. */
  readonly end: number;
}

/** A static exit of a basic block: where it goes, and what leaving through it takes. */
export interface StaticExit {
  readonly target: number;
  readonly thumb: boolean;
  /** Instructions of the basic block retired when it is taken. */
  readonly k: number;
  /** ITSTATE fix-up code to run before leaving. */
  readonly itFix: string;
}

/** One translated basic block, before it is assembled into a function. */
export interface BasicBlockSource {
  /** Virtual address of its first instruction. */
  readonly va: number;
  readonly thumb: number;
  /** Code; static exit j is an `exit` mark, executor k an `execCall` mark of index k. */
  readonly code: Code;
  readonly exits: readonly StaticExit[];
  /** Executors the fallback calls use, by index. */
  readonly execs: readonly ThumbExec[];
  /** Guest instructions. */
  readonly count: number;
  /** RAM offset just past the last instruction. */
  readonly end: number;
  /** Instruction number + 1 by (address - va) >> (thumb ? 1 : 2): what a fault there has retired. */
  readonly retiredAt: Int32Array;
}
