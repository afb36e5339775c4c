/**
 * The first tier of the translator: a block's instructions decoded once and run one by one through
 * their table executors, exactly as the interpreter steps them (same conditions, ITSTATE, counts,
 * faults and exits), but without fetching, translating the PC or looking up the decode cache per
 * instruction. Most kernel code runs a handful of times; compiling it to a JavaScript function costs
 * V8 far more than running it this way, so a block is only compiled once it proves hot.
 */
import { decodeA32Entry } from '../isa/a32/a32-decoder.ts';
import { conditionPassed } from '../isa/alu.ts';
import type { Bus } from '../bus.ts';
import type { CpuContext } from '../cpu-context.ts';
import type { ThumbExec } from '../isa/thumb/t16.ts';
import { decodeT16Entry, decodeT32Entry } from '../isa/thumb/thumb-decoder.ts';
import { A32_CLASS_CONTINUES } from '../isa/table-row.ts';
import { type Block, type DecodedBlock, insnSize } from './block.ts';
import { MAX_BLOCK_INSNS } from './block-rules.ts';

/** Instruction slots in one chunk of a decode pool. */
const POOL_CHUNK = 1 << 18;

/**
 * Where decoded blocks keep their instructions: long shared arrays filled one block after another,
 * rather than small arrays per block. Running a cold block then touches its own entries and the
 * chunk's arrays, which stay hot, instead of three small objects scattered over the heap. A full
 * chunk is left to the blocks that use it (and collected with them) and a new one begun.
 */
export class DecodePool {
  words: Int32Array;
  execs: ThumbExec[];
  top = 0;
  private readonly chunk: number;

  /** A pool whose chunks hold `chunk` instructions each. */
  constructor(chunk = POOL_CHUNK) {
    this.chunk = chunk;
    this.words = new Int32Array(chunk);
    this.execs = new Array<ThumbExec>(chunk).fill(unused);
  }

  /** Makes room for a block of up to `n` instructions. */
  reserve(n: number): void {
    if (this.top + n <= this.chunk) return;
    this.words = new Int32Array(this.chunk);
    this.execs = new Array<ThumbExec>(this.chunk).fill(unused);
    this.top = 0;
  }
}

/** Fills pool slots no block uses, so the array holds functions only. */
function unused(): void {}

/** Longest block: the length limit, plus the instructions of an IT block in progress. */
export const MAX_DECODED = MAX_BLOCK_INSNS + 4;

/**
 * Decodes the basic block at RAM offset `off` into `pool`: up to and including the first
 * instruction that may branch or change how later code runs (the translator's rule), the page end,
 * or the length limit. Instructions that only sometimes write the PC (a data-processing or load to
 * r15) end it at run time. Null when not even one instruction fits on the page.
 */
export function decodeBlock(bus: Bus, off: number, thumb: number, pool: DecodePool): DecodedBlock | null {
  const view = bus.view;
  const pageEnd = (off | 0xfff) + 1;
  pool.reserve(MAX_DECODED);
  const { execs, words } = pool;
  const at = pool.top;
  let count = 0;
  let o = off;
  while (count < MAX_BLOCK_INSNS) {
    let w: number;
    let size: number;
    let goesOn: boolean;
    let exec: ThumbExec;
    if (thumb) {
      if (o + 2 > pageEnd) break;
      const hw1 = view.getUint16(o, true);
      const wide = hw1 >= 0xe800;
      if (wide && o + 4 > pageEnd) break;
      w = wide ? (hw1 << 16) | view.getUint16(o + 2, true) : hw1;
      size = wide ? 4 : 2;
      const entry = wide ? decodeT32Entry(w) : decodeT16Entry(w);
      exec = entry.exec;
      goesOn = entry.continues; // IT too, even inside an IT block (where the translator ends its block)
    } else {
      if (o + 4 > pageEnd) break;
      w = view.getInt32(o, true);
      size = 4;
      const entry = decodeA32Entry(w);
      exec = entry.exec;
      goesOn = A32_CLASS_CONTINUES[entry.cls];
    }
    execs[at + count] = exec;
    words[at + count] = w;
    count++;
    o += size;
    if (!goesOn) break;
  }
  if (count === 0) return null;
  pool.top = at + count;
  return { execs, words, at, count, end: o };
}

/**
 * Runs at most `limit` instructions of block `blk` from its start, as the interpreter would step
 * them: each instruction is counted as retired before it executes (so a fault counts it, and the PMU
 * and timer see it), and the run stops after an instruction that branched, made an exit, or
 * overwrote the block (`blk.valid` turns false). It follows ITSTATE as it finds it, so it may start
 * inside an IT block. Leaves the PC at the next instruction; guest exceptions propagate.
 */
export function interpretBlock(cpu: CpuContext, blk: Block, d: DecodedBlock, limit: number): void {
  const r = cpu.r;
  const { execs, words, at } = d;
  const thumb = blk.thumb;
  const count = at + Math.min(d.count, limit);
  let addr = blk.va;
  for (let i = at; i < count; i++) {
    const w = words[i]!;
    const next = addr + insnSize(w, thumb);
    cpu.retired++;
    cpu.insnAddr = addr;
    if (thumb) {
      r[15] = addr + 4;
      const it = cpu.it;
      if (it === 0 || conditionPassed(cpu, it >>> 4)) execs[i]!(cpu, w);
      if (it !== 0) cpu.it = (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
    } else {
      r[15] = addr + 8;
      const cond = w >>> 28;
      if (cond >= 14 || conditionPassed(cpu, cond)) execs[i]!(cpu, w);
    }
    if (cpu.branched) {
      cpu.branched = false;
      return;
    }
    r[15] = next;
    if (cpu.exit !== null || !blk.valid) return;
    addr = next;
  }
}
