/**
 * Random A32 test blocks generated from the instruction table, for differential runs against a
 * reference CPU. The blob format matches conformance/src/fuzz-harness.S: block count, block length
 * K, then per block 14 state words (r0-r12, APSR), then per block K instructions and a return.
 */
import { A32_TABLE, type A32Class, type A32Entry, parsePattern } from './a32-table.ts';

/** Where the harness expects the blob. */
export const FUZZ_BLOB_ADDRESS = 0x40100000;

/** The instruction classes fuzzed: register-to-register work with no memory, branches or modes. */
export const FUZZ_CLASSES: readonly A32Class[] = ['dataproc', 'multiply', 'media'];

/** `ldr pc, [sp], #4`: each block returns to the harness through the address it pushed. */
const RETURN = 0xe49df004 | 0;

/** A small seeded generator (xorshift32), so a failing seed reproduces anywhere. */
export class FuzzRng {
  private s: number;

  constructor(seed: number) {
    this.s = seed | 0 || 0x9e3779b9;
  }

  /** The next 32 random bits, unsigned. */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x;
    return x >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
}

/** Register fields of the fuzzed classes sit in these nibbles; none may name r13-r15. */
const REGISTER_NIBBLES = [0, 8, 12, 16];

/** Extra rules that keep a word out of UNPREDICTABLE territory, where CPUs may rightly differ. */
function predictable(entry: A32Entry, w: number): boolean {
  for (const shift of REGISTER_NIBBLES) if (((w >>> shift) & 0xf) >= 13) return false;
  const hi = (w >>> 16) & 0xf;
  const lo = (w >>> 12) & 0xf;
  switch (entry.name) {
    case 'UMULL/UMLAL/SMULL/SMLAL':
    case 'UMAAL':
    case 'SMLALxy':
    case 'SMLALD/SMLSLD':
      return hi !== lo;
    case 'BFC/BFI':
      return ((w >>> 16) & 0x1f) >= ((w >>> 7) & 0x1f);
    case 'SBFX/UBFX':
      return ((w >>> 7) & 0x1f) + ((w >>> 16) & 0x1f) + 1 <= 32;
    default:
      return true;
  }
}

/** The table rows the fuzzer draws from. */
export function fuzzEntries(classes: readonly A32Class[] = FUZZ_CLASSES): A32Entry[] {
  return A32_TABLE.filter((e) => classes.includes(e.cls));
}

/** One random, predictable instruction of a random row, with a random condition (never 1111). */
export function randomInstruction(rng: FuzzRng, entries: readonly A32Entry[]): number {
  for (;;) {
    const entry = entries[rng.below(entries.length)]!;
    const { mask, match } = parsePattern(entry.pattern);
    const cond = rng.below(15);
    const w = ((((rng.next() & ~mask) | match) & 0x0fffffff) | (cond << 28)) | 0;
    if ((entry.when === undefined || entry.when(w)) && predictable(entry, w)) return w;
  }
}

const INTERESTING = [0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x8000, 0x7fff, 0xffff, 0x80008000, 0x7f7f7f7f];

/** A random register value, often an edge case. */
function randomValue(rng: FuzzRng): number {
  return rng.below(3) === 0 ? INTERESTING[rng.below(INTERESTING.length)]! : rng.next();
}

/** Builds a blob of `blocks` blocks of `length` instructions each. */
export function buildFuzzBlob(seed: number, blocks: number, length: number): Uint8Array {
  const rng = new FuzzRng(seed);
  const entries = fuzzEntries();
  const words = 2 + blocks * 14 + blocks * (length + 1);
  const out = new Uint8Array(words * 4);
  const v = new DataView(out.buffer);
  let at = 0;
  const put = (x: number) => {
    v.setInt32(at, x | 0, true);
    at += 4;
  };
  put(blocks);
  put(length);
  for (let b = 0; b < blocks; b++) {
    for (let r = 0; r < 13; r++) put(randomValue(rng));
    put((rng.next() & 0xf80f0000) | 0); // N Z C V Q and GE
  }
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < length; i++) put(randomInstruction(rng, entries));
    put(RETURN);
  }
  return out;
}
