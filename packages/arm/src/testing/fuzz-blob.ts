/**
 * Random test blocks generated from the instruction tables (A32 or Thumb), for differential runs
 * against a reference CPU. The blob format matches conformance/src/fuzz-harness.S: block count,
 * code words per block, a Thumb flag, a zero, the scratch memory image, then per block 31 state
 * words (r0-r12, APSR, d0-d7, FPSCR), then per block its code ending in a return through the stack.
 */
import { A32_TABLE, type A32Class, type A32Entry, parsePattern } from '../isa/a32/a32-table.ts';
import { neonToThumb, randomNeonInstruction } from './fuzz-neon.ts';
import { FuzzRng } from './fuzz-rng.ts';
import { T16_TABLE, type ThumbEntry } from '../isa/thumb/t16.ts';
import { T32_TABLE } from '../isa/thumb/t32-table.ts';
import { parseThumbPattern } from '../isa/thumb/thumb-decoder.ts';

/** Where the harness expects the blob. */
export const FUZZ_BLOB_ADDRESS = 0x40100000;
/** The scratch memory the memory blocks load from and store to, reset before every block. */
export const FUZZ_SCRATCH_ADDRESS = 0x40800000;
/** Words of scratch memory. */
export const FUZZ_SCRATCH_WORDS = 2048;
/** Words before the first state in a blob: the header and the scratch image. */
export const FUZZ_HEADER_WORDS = 4 + FUZZ_SCRATCH_WORDS;
/** Words of one block's starting state: r0-r12, APSR, d0-d7, FPSCR. */
export const FUZZ_STATE_WORDS = 31;

/** The A32 classes fuzzed: register-to-register work with no memory, branches or modes. */
export const FUZZ_CLASSES: readonly A32Class[] = ['dataproc', 'multiply', 'media'];

/** The Thumb rows fuzzed, by name: the same kind of register-to-register work. */
export const THUMB_FUZZ_ROWS: readonly string[] = [
  'LSL/LSR/ASR(imm)',
  'ADD/SUB(reg/imm3)',
  'MOV/CMP/ADD/SUB(imm8)',
  'DP(reg)',
  'ADD/CMP/MOV(hi)',
  'SXTH/SXTB/UXTH/UXTB',
  'REV/REV16/REVSH',
  'DP(modified imm)',
  'DP(shifted reg)',
  'PKHBT/PKHTB',
  'DP(plain imm)',
  'LSL/LSR/ASR/ROR(reg)',
  'extend',
  'parallel add/sub',
  'QADD/REV/SEL/CLZ',
  'multiply',
  'long multiply/divide',
];

/** `ldr pc, [sp], #4`: an A32 block returns to the harness through the address it pushed. */
const A32_RETURN = 0xe49df004 | 0;
/** `pop {pc}` then `nop`: the Thumb return, as one little-endian word. */
const THUMB_RETURN = 0xbf00bd00 | 0;
const THUMB_NOP = 0xbf00;

const nib = (w: number, at: number) => (w >>> at) & 0xf;
const low = (r: number) => r < 13;

/** Rules that keep a word out of UNPREDICTABLE territory (and away from SP/LR/PC), where CPUs may rightly differ. */
function predictableA32(entry: A32Entry, w: number): boolean {
  for (const at of [0, 8, 12, 16]) if (!low(nib(w, at))) return false;
  switch (entry.name) {
    case 'UMULL/UMLAL/SMULL/SMLAL':
    case 'UMAAL':
    case 'SMLALxy':
    case 'SMLALD/SMLSLD':
      return nib(w, 16) !== nib(w, 12);
    case 'BFC/BFI':
      return ((w >>> 16) & 0x1f) >= ((w >>> 7) & 0x1f);
    case 'SBFX/UBFX':
      return ((w >>> 7) & 0x1f) + ((w >>> 16) & 0x1f) + 1 <= 32;
    default:
      return true;
  }
}

function predictableThumb(entry: ThumbEntry, w: number): boolean {
  const lsbT = ((w >>> 10) & 0x1c) | ((w >>> 6) & 3);
  switch (entry.name) {
    case 'ADD/CMP/MOV(hi)': {
      const d = ((w >>> 4) & 8) | (w & 7);
      const m = (w >>> 3) & 0xf;
      if (!low(d) || !low(m)) return false;
      return ((w >>> 8) & 3) !== 1 || d >= 8 || m >= 8; // CMP of two low registers is unpredictable
    }
    case 'DP(modified imm)':
    case 'DP(shifted reg)': {
      const op = (w >>> 21) & 0xf;
      const s = (w >>> 20) & 1;
      const rd = nib(w, 8);
      const rn = nib(w, 16);
      const rdOk = low(rd) || (rd === 15 && s === 1 && (op === 0 || op === 4 || op === 8 || op === 13));
      const rnOk = low(rn) || (rn === 15 && (op === 2 || op === 3) && low(rd));
      return rdOk && rnOk && (entry.name === 'DP(modified imm)' || low(nib(w, 0)));
    }
    case 'DP(plain imm)': {
      const op = (w >>> 20) & 0x1f;
      if (!low(nib(w, 8))) return false;
      if (op === 0x04 || op === 0x0c) return true; // MOVW/MOVT: the Rn field is immediate
      if (!low(nib(w, 16))) return false;
      if ((op === 0x12 || op === 0x1a) && lsbT === 0) return (w & 0x10) === 0; // SSAT16/USAT16: bit 4 should be zero
      if (op === 0x16) return (w & 0x1f) >= lsbT;
      if (op === 0x14 || op === 0x1c) return lsbT + (w & 0x1f) + 1 <= 32;
      return true;
    }
    case 'multiply': {
      // Ra = 15 selects the non-accumulating form, except for MLS and SMMLS where it is unpredictable
      const op1 = (w >>> 20) & 7;
      const noRa = nib(w, 12) === 15 && op1 !== 6 && !(op1 === 0 && (w & 0x30) !== 0);
      return low(nib(w, 0)) && low(nib(w, 8)) && low(nib(w, 16)) && (low(nib(w, 12)) || noRa);
    }
    case 'long multiply/divide':
      for (const at of [0, 8, 12, 16]) if (!low(nib(w, at))) return false;
      return nib(w, 8) !== nib(w, 12);
    default:
      if (entry.pattern.replace(/ /g, '').length === 16) return true; // the 16-bit rows fuzzed use r0-r7 only
      for (const at of [0, 8, 16]) if (!low(nib(w, at))) return false;
      return true;
  }
}

/** The A32 table rows the fuzzer draws from. */
export function fuzzEntries(classes: readonly A32Class[] = FUZZ_CLASSES): A32Entry[] {
  return A32_TABLE.filter((e) => classes.includes(e.cls));
}

/** One random, predictable A32 instruction with a random condition (never 1111). */
export function randomInstruction(rng: FuzzRng, entries: readonly A32Entry[]): number {
  for (;;) {
    const entry = entries[rng.below(entries.length)]!;
    const { mask, match } = parsePattern(entry.pattern);
    const cond = rng.below(15);
    const w = (((rng.next() & ~mask) | match) & 0x0fffffff) | (cond << 28) | 0;
    if ((entry.when === undefined || entry.when(w)) && predictableA32(entry, w)) return w;
  }
}

/** The Thumb rows the fuzzer draws from. */
export function thumbFuzzEntries(): ThumbEntry[] {
  return [...T16_TABLE, ...T32_TABLE].filter((e) => THUMB_FUZZ_ROWS.includes(e.name));
}

/** One random, predictable Thumb instruction: a halfword, or hw1 << 16 | hw2 for 32-bit ones. */
export function randomThumbInstruction(rng: FuzzRng, entries: readonly ThumbEntry[]): number {
  for (;;) {
    const entry = entries[rng.below(entries.length)]!;
    const { mask, match, bits } = parseThumbPattern(entry.pattern);
    const w = bits === 16 ? ((rng.next() & ~mask) | match) & 0xffff : (rng.next() & ~mask) | match | 0;
    if ((entry.when === undefined || entry.when(w)) && predictableThumb(entry, w)) return w;
  }
}

/**
 * Exactly `halfwords` halfwords of random Thumb code from `entries`, now and then opened by an IT
 * instruction whose block (one to four instructions, then/else at random) ends inside the stream.
 */
export function thumbStream(rng: FuzzRng, entries: readonly ThumbEntry[], halfwords: number): number[] {
  const out: number[] = [];
  let itLeft = 0;
  const emit = (w: number) => {
    if (w >>> 16 !== 0) out.push(w >>> 16, w & 0xffff);
    else out.push(w);
  };
  while (out.length < halfwords) {
    const room = halfwords - out.length;
    if (itLeft === 0 && room >= 5 && rng.below(4) === 0) {
      const count = 1 + rng.below(Math.min(4, room - 1 - 3)); // leave room for 32-bit ones
      const cond = rng.below(15);
      let mask = 1 << (4 - count);
      for (let bit = 3; bit > 4 - count; bit--) if (cond !== 14 && rng.below(2)) mask |= 1 << bit;
      emit(0xbf00 | (cond << 4) | mask);
      itLeft = count;
      continue;
    }
    let w = randomThumbInstruction(rng, entries);
    if (w >>> 16 !== 0 && room < 2) w = THUMB_NOP;
    if (itLeft > 0 && out.length + (w >>> 16 !== 0 ? 2 : 1) > halfwords - (itLeft - 1)) w = THUMB_NOP;
    emit(w);
    if (itLeft > 0) itLeft--;
  }
  return out;
}

const INTERESTING = [
  0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x8000, 0x7fff, 0xffff, 0x80008000, 0x7f7f7f7f,
];
/** Float bit patterns worth meeting often: zeros, ones, infinities, NaNs, denormals, limits. */
const FLOATS = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x00000001,
  0x807fffff, 0x7f7fffff, 0x4b000000, 0x4f000000, 0xcf000000,
];
const DOUBLES_HI = [
  0x00000000, 0x80000000, 0x3ff00000, 0xbff00000, 0x7ff00000, 0xfff00000, 0x7ff80000, 0x7ff00000, 0x00000000,
  0x800fffff, 0x7fefffff, 0x41e00000, 0xc1e00000, 0x43300000,
];

/** A random register value, often an edge case. */
function randomValue(rng: FuzzRng): number {
  return rng.below(3) === 0 ? INTERESTING[rng.below(INTERESTING.length)]! : rng.next();
}

/**
 * LDR/STR(B) at r11 into or from r0-r9: the offset is a word multiple up to 252, or r10 shifted by
 * LSL #0..3. `base` holds the condition and Rn; the random draws come in a fixed order, so a seed
 * gives the same program as ever.
 */
function singleTransfer(rng: FuzzRng, base: number, p: number, u: number, l: number, byReg: boolean): number {
  const w = p ? rng.below(2) : 0;
  const byte = rng.below(2);
  const offset = byReg ? (rng.below(4) << 7) | 10 : rng.below(64) * 4;
  const rd = rng.below(10);
  return (
    base |
    (byReg ? 0x06000000 : 0x04000000) |
    (p << 24) |
    (u << 23) |
    (byte << 22) |
    (w << 21) |
    (l << 20) |
    (rd << 12) |
    offset
  );
}

/**
 * One random A32 load or store of any addressing mode (LDR/STR/B/H/SB/SH/D, pre/post-indexed,
 * writeback, shifted register offsets, LDM/STM in all four modes) based on r11 with r10 as index.
 * Offsets are word multiples so the alignment-checked forms stay aligned; data registers are r0-r9.
 */
export function randomMemoryInstruction(rng: FuzzRng): number {
  const cond = rng.below(15) << 28;
  const p = rng.below(2);
  const u = rng.below(2);
  const l = rng.below(2);
  const base = (11 << 16) | cond;
  switch (rng.below(4)) {
    case 0:
      return singleTransfer(rng, base, p, u, l, false);
    case 1:
      return singleTransfer(rng, base, p, u, l, true);
    case 2: {
      // STRH, LDRD, STRD (L = 0) and LDRH, LDRSB, LDRSH (L = 1), immediate or r10 offset
      const sh = 1 + rng.below(3);
      const dual = l === 0 && sh !== 1;
      const rt = dual ? rng.below(5) * 2 : rng.below(10);
      const w = p ? rng.below(2) : 0;
      const immForm = rng.below(2);
      const imm = rng.below(64) * 4;
      const off = immForm ? ((imm & 0xf0) << 4) | (imm & 0xf) : 10;
      return (
        base |
        0x90 |
        (p << 24) |
        (u << 23) |
        (immForm << 22) |
        (w << 21) |
        (l << 20) |
        (rt << 12) |
        (sh << 5) |
        off |
        0
      );
    }
    default: {
      const list = 1 + rng.below(0x3ff);
      return base | 0x08000000 | (p << 24) | (u << 23) | (rng.below(2) << 21) | (l << 20) | list | 0;
    }
  }
}

/** The one-operand VFP operations fuzzed (opc2 values, half-precision and fixed-point conversions included). */
const VFP_OTHER = [0, 1, 2, 3, 4, 5, 7, 8, 10, 11, 12, 13, 14, 15];

/**
 * One random VFP instruction on d0-d7 / s0-s15: the arithmetic group (including VFMA and friends),
 * VMOV immediate and register, VABS, VNEG, VSQRT, VCMP{E}, VCVT between precisions, to and
 * from integers and fixed point, VCVTB/VCVTT, and now and then VMRS APSR_nzcv or a VMOV to a core
 * register.
 */
export function randomVfpInstruction(rng: FuzzRng): number {
  const cond = rng.below(15) << 28;
  const pick = rng.below(16);
  if (pick === 0) return cond | 0x0ef1fa10 | 0; // vmrs APSR_nzcv, fpscr
  if (pick === 1)
    return cond | 0x0e100a10 | (rng.below(8) << 16) | (rng.below(10) << 12) | (rng.below(2) << 7) | 0;
  const dbl = rng.below(2);
  const reg = (field: number, bitAt: number) => (rng.below(8) << field) | (dbl ? 0 : rng.below(2) << bitAt);
  let w = cond | 0x0e000a00 | (dbl << 8) | reg(12, 22) | reg(16, 7) | reg(0, 5);
  const opc1 = rng.below(8);
  w |= ((opc1 & 4) << 21) | ((opc1 & 3) << 20);
  if (opc1 === 4) return w | 0; // VDIV needs bit 6 clear
  if (opc1 !== 7) return w | (rng.below(2) << 6) | 0;
  const opc2 = VFP_OTHER[rng.below(VFP_OTHER.length)]!;
  w = (w & ~0x000f00c0) | (opc2 << 16) | 0x40 | (rng.below(2) << 7);
  if (rng.below(8) === 0) return (w & ~0x000f00ff) | (rng.below(16) << 16) | rng.below(16) | 0; // VMOV immediate
  if (opc2 === 5) w &= ~0x2f; // compare with zero: no Vm
  if (opc2 === 7) w |= 0x80; // VCVT between precisions
  if (opc2 === 7 && !dbl) w &= ~(1 << 22); // its double destination must stay in d0-d7
  if (opc2 === 8 || opc2 === 12 || opc2 === 13) w &= dbl ? ~(1 << 22) : ~0; // integer sides are s0-s15
  if (opc2 === 2 || opc2 === 3) w &= ~0x100; // VCVTB/VCVTT: singles only (the double forms are ARMv8)
  if (opc2 >= 10) {
    // fixed point in place: bit 7 picks 16 or 32 bits, imm4:i the fraction bits' complement
    const wide = rng.below(2);
    const imm = wide ? rng.below(32) : rng.below(17);
    w = (w & ~0xaf) | (wide << 7) | ((imm & 1) << 5) | (imm >>> 1);
  }
  return w | 0;
}

/**
 * One random Thumb load or store: the 16-bit forms based on r7 (r6 as index) and the 32-bit forms
 * based on r11 (r10 as index), immediate, indexed, register-offset, LDRD/STRD and LDM/STM. Data
 * registers are r0-r5; offsets keep word alignment where the instruction requires it.
 */
export function randomThumbMemoryInstruction(rng: FuzzRng): number {
  const rt = rng.below(6);
  const l = rng.below(2);
  switch (rng.below(9)) {
    case 0:
      return 0x5000 | (rng.below(8) << 9) | (6 << 6) | (7 << 3) | rt; // LDR/STR/B/H/SB/SH register
    case 1:
      return 0x6000 | (rng.below(2) << 12) | (l << 11) | (rng.below(32) << 6) | (7 << 3) | rt; // word/byte imm5
    case 2:
      return 0x8000 | (l << 11) | (rng.below(32) << 6) | (7 << 3) | rt; // halfword imm5
    case 3: {
      const list = 1 + rng.below(0x3f);
      return 0xc000 | (l << 11) | (7 << 8) | list; // LDM/STM r7!
    }
    case 4: {
      // 32-bit, imm12 (small, word multiple)
      const size = rng.below(3);
      const signed = l && size < 2 ? rng.below(2) : 0;
      return (
        ((0xf880 | (signed << 8) | (size << 5) | (l << 4) | 11) << 16) | (rt << 12) | (rng.below(64) * 4) | 0
      );
    }
    case 5: {
      // 32-bit, imm8 with P U W (P = 0 needs W = 1)
      const size = rng.below(3);
      const signed = l && size < 2 ? rng.below(2) : 0;
      const p = rng.below(2);
      const w = p ? rng.below(2) : 1;
      const puw = (p << 2) | (rng.below(2) << 1) | w;
      return (
        ((0xf800 | (signed << 8) | (size << 5) | (l << 4) | 11) << 16) |
        (rt << 12) |
        0x800 |
        (puw << 8) |
        (rng.below(64) * 4) |
        0
      );
    }
    case 6: {
      // 32-bit, register offset r10 LSL #0-3
      const size = rng.below(3);
      const signed = l && size < 2 ? rng.below(2) : 0;
      return (
        ((0xf800 | (signed << 8) | (size << 5) | (l << 4) | 11) << 16) |
        (rt << 12) |
        (rng.below(4) << 4) |
        10 |
        0
      );
    }
    case 7: {
      // LDRD/STRD with two different registers, offset or indexed
      const rt2 = (rt + 1 + rng.below(5)) % 6;
      const p = rng.below(2);
      const w = p ? rng.below(2) : 1;
      const hw1 = 0xe840 | (p << 8) | (rng.below(2) << 7) | (w << 5) | (l << 4) | 11;
      return (hw1 << 16) | (rt << 12) | (rt2 << 8) | rng.below(64) | 0;
    }
    default: {
      // LDM/STM IA or DB, two or more of r0-r5
      let list = 0;
      while (((list & 0x3f) !== 0 ? list & (list - 1) : 0) === 0) list = rng.below(0x40);
      const op = 1 + rng.below(2);
      const hw1 = 0xe800 | (op << 7) | (rng.below(2) << 5) | (l << 4) | 11;
      return (hw1 << 16) | list | 0;
    }
  }
}

/** Which instructions a blob's blocks hold. */
export type FuzzIsa =
  'arm' | 'thumb' | 'arm-memory' | 'thumb-memory' | 'vfp' | 'thumb-vfp' | 'neon' | 'thumb-neon';

/** Builds a blob of `blocks` blocks of `length` instruction slots each (a Thumb slot: one 32-bit or two 16-bit instructions). */
export function buildFuzzBlob(
  seed: number,
  blocks: number,
  length: number,
  isa: FuzzIsa = 'arm',
): Uint8Array {
  const rng = new FuzzRng(seed);
  const words = FUZZ_HEADER_WORDS + blocks * FUZZ_STATE_WORDS + blocks * (length + 1);
  const out = new Uint8Array(words * 4);
  const v = new DataView(out.buffer);
  let at = 0;
  const put = (x: number) => {
    v.setInt32(at, x | 0, true);
    at += 4;
  };
  put(blocks);
  put(length + 1);
  const thumbBlocks =
    isa === 'thumb' || isa === 'thumb-memory' || isa === 'thumb-vfp' || isa === 'thumb-neon';
  const floating = isa === 'neon' || isa === 'thumb-neon' || isa === 'vfp' || isa === 'thumb-vfp';
  put(thumbBlocks ? 1 : 0);
  put(0);
  for (let i = 0; i < FUZZ_SCRATCH_WORDS; i++) put(randomValue(rng));
  for (let b = 0; b < blocks; b++) {
    for (let r = 0; r < 13; r++) {
      const memory = isa === 'arm-memory' || isa === 'thumb-memory';
      if (memory && (r === 10 || (r === 6 && isa === 'thumb-memory'))) put(rng.below(16) * 4);
      else if (memory && (r === 11 || (r === 7 && isa === 'thumb-memory')))
        put(FUZZ_SCRATCH_ADDRESS + FUZZ_SCRATCH_WORDS * 2);
      else put(randomValue(rng));
    }
    put((rng.next() & 0xf80f0000) | 0); // N Z C V Q and GE
    for (let d = 0; d < 8; d++) {
      const k = rng.below(4);
      if (k === 0) {
        put(FLOATS[rng.below(FLOATS.length)]!);
        put(FLOATS[rng.below(FLOATS.length)]!);
      } else if (k === 1) {
        put(rng.below(2) ? 0 : rng.next());
        put(DOUBLES_HI[rng.below(DOUBLES_HI.length)]!);
      } else {
        put(rng.next());
        put(rng.next());
      }
    }
    // FPSCR: flags, rounding mode, flush-to-zero, default NaN, cumulative flags; never short vectors
    // (the VFP and NEON blocks also draw FPSCR.AHP, which only the half-precision conversions read)
    put((rng.next() & (floating ? 0xf7c0009f : 0xf3c0009f)) | 0);
  }
  const a32 = fuzzEntries();
  const thumb = thumbFuzzEntries();
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < length; i++) {
      if (isa === 'arm') {
        put(randomInstruction(rng, a32));
        continue;
      }
      if (isa === 'arm-memory') {
        put(randomMemoryInstruction(rng));
        continue;
      }
      if (isa === 'vfp') {
        put(randomVfpInstruction(rng));
        continue;
      }
      if (isa === 'neon') {
        put(randomNeonInstruction(rng));
        continue;
      }
      if (isa === 'thumb-neon') {
        const w = neonToThumb(randomNeonInstruction(rng));
        put(((w & 0xffff) << 16) | (w >>> 16));
        continue;
      }
      if (isa === 'thumb-vfp') {
        // the same encodings with the condition bits 1110, halfwords in Thumb order
        const w = (randomVfpInstruction(rng) & 0x0fffffff) | 0xe0000000;
        put(((w & 0xffff) << 16) | (w >>> 16));
        continue;
      }
      if (isa === 'thumb') {
        const hw = thumbStream(rng, thumb, 2 * length);
        for (let k = 0; k < hw.length; k += 2) put(hw[k]! | (hw[k + 1]! << 16));
        break;
      }
      const next = () => randomThumbMemoryInstruction(rng);
      const first = next();
      if (first >>> 16 !== 0) put(((first & 0xffff) << 16) | (first >>> 16));
      else {
        const second = next();
        put(second >>> 16 === 0 ? first | (second << 16) : first | (THUMB_NOP << 16));
      }
    }
    put(thumbBlocks ? THUMB_RETURN : A32_RETURN);
  }
  return out;
}
