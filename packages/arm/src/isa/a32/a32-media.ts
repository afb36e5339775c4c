/** A32 bit manipulation and media: CLZ, RBIT, REV*, bitfields, saturation, extends, packing, SIMD add/subtract. */
import { saturated, shiftImm, signedSat, unsignedSat } from '../alu.ts';
import type { ExecContext } from '../../exec-context.ts';

const rd = (w: number) => (w >>> 12) & 0xf;

/** CLZ Rd, Rm. */
export function clz(cpu: ExecContext, w: number): void {
  cpu.r[rd(w)] = Math.clz32(cpu.r[w & 0xf]!);
}

/** Reverses the bits of a word. */
export function reverseBits(x: number): number {
  let v = x;
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return (v >>> 16) | (v << 16);
}

/** RBIT Rd, Rm. */
export function rbit(cpu: ExecContext, w: number): void {
  cpu.r[rd(w)] = reverseBits(cpu.r[w & 0xf]!);
}

/** REV Rd, Rm: byte-reverse the word. */
export function rev(cpu: ExecContext, w: number): void {
  const v = cpu.r[w & 0xf]!;
  cpu.r[rd(w)] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** REV16 Rd, Rm: byte-reverse each halfword. */
export function rev16(cpu: ExecContext, w: number): void {
  const v = cpu.r[w & 0xf]!;
  cpu.r[rd(w)] = ((v & 0x00ff00ff) << 8) | ((v >>> 8) & 0x00ff00ff);
}

/** REVSH Rd, Rm: byte-reverse the low halfword and sign-extend. */
export function revsh(cpu: ExecContext, w: number): void {
  const v = cpu.r[w & 0xf]!;
  cpu.r[rd(w)] = (((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff);
}

/** BFI Rd, Rn, #lsb, #width and BFC (Rn = 15). */
export function bfi(cpu: ExecContext, w: number): void {
  const msb = (w >>> 16) & 0x1f;
  const lsb = (w >>> 7) & 0x1f;
  if (msb < lsb) return; // UNPREDICTABLE; leave Rd alone
  const n = w & 0xf;
  const mask = (0xffffffff >>> (31 - msb + lsb)) << lsb;
  const src = n === 15 ? 0 : cpu.r[n]! << lsb;
  const d = rd(w);
  cpu.r[d] = (cpu.r[d]! & ~mask) | (src & mask);
}

/** UBFX (bit 22 set) and SBFX: extract a field. */
export function bfx(cpu: ExecContext, w: number): void {
  const width = ((w >>> 16) & 0x1f) + 1;
  const lsb = (w >>> 7) & 0x1f;
  if (lsb + width > 32) return; // UNPREDICTABLE
  const up = cpu.r[w & 0xf]! << (32 - lsb - width);
  cpu.r[rd(w)] = w & 0x00400000 ? up >>> (32 - width) : up >> (32 - width);
}

/** SSAT (bit 22 clear) and USAT: shift then saturate, setting Q on saturation. */
export function sat(cpu: ExecContext, w: number): void {
  const imm = (w >>> 16) & 0x1f;
  const sh = (w >>> 5) & 2; // LSL (0) or ASR (2); ASR #0 means #32
  const v = shiftImm(cpu.r[w & 0xf]!, sh, (w >>> 7) & 0x1f, cpu.c);
  const r = w & 0x00400000 ? unsignedSat(v, imm) : signedSat(v, imm + 1);
  if (saturated) cpu.q = 1;
  cpu.r[rd(w)] = r;
}

/** SSAT16 (bit 22 clear) and USAT16: saturate each halfword. */
export function sat16(cpu: ExecContext, w: number): void {
  const imm = (w >>> 16) & 0xf;
  const v = cpu.r[w & 0xf]!;
  const unsigned = (w & 0x00400000) !== 0;
  const lo = unsigned ? unsignedSat((v << 16) >> 16, imm) : signedSat((v << 16) >> 16, imm + 1);
  let q = saturated;
  const top = unsigned ? unsignedSat(v >> 16, imm) : signedSat(v >> 16, imm + 1);
  q |= saturated;
  if (q) cpu.q = 1;
  cpu.r[rd(w)] = (lo & 0xffff) | (top << 16);
}

/** QADD, QSUB, QDADD, QDSUB (bits 22:21). */
export function qaddsub(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const m = r[w & 0xf]!;
  let n = r[(w >>> 16) & 0xf]!;
  let q = 0;
  if (w & 0x00400000) {
    n = signedSat(n * 2, 32);
    q = saturated;
  }
  const res = signedSat(w & 0x00200000 ? m - n : m + n, 32);
  if (q | saturated) cpu.q = 1;
  r[rd(w)] = res;
}

/** SXTB/SXTH/UXTB/UXTH/SXTB16/UXTB16 and their accumulating forms (Rn = 15: none), with rotation. */
export function extend(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const rot = (w >>> 7) & 0x18;
  const m = r[w & 0xf]!;
  const v = rot === 0 ? m : (m >>> rot) | (m << (32 - rot));
  const n = (w >>> 16) & 0xf;
  const acc = n === 15 ? 0 : r[n]!;
  let res: number;
  switch ((w >>> 20) & 7) {
    case 0: // SXTB16
      res = ((((v << 24) >> 24) + acc) & 0xffff) | ((((v << 8) >> 24) + (acc >> 16)) << 16);
      break;
    case 2:
      res = ((v << 24) >> 24) + acc;
      break;
    case 3:
      res = ((v << 16) >> 16) + acc;
      break;
    case 4: // UXTB16
      res = (((v & 0xff) + acc) & 0xffff) | ((((v >>> 16) & 0xff) + (acc >>> 16)) << 16);
      break;
    case 6:
      res = (v & 0xff) + acc;
      break;
    default:
      res = (v & 0xffff) + acc;
      break;
  }
  r[rd(w)] = res | 0;
}

/** True for the op values of `extend` (the others in that space are SSAT/USAT/REV). */
export function isExtend(w: number): boolean {
  const op = (w >>> 20) & 7;
  return op !== 1 && op !== 5;
}

/** PKHBT (bit 6 clear) and PKHTB. */
export function pkh(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const n = r[(w >>> 16) & 0xf]!;
  const imm = (w >>> 7) & 0x1f;
  const m = r[w & 0xf]!;
  if (w & 0x40) {
    const sh = imm === 0 ? m >> 31 : m >> imm;
    r[rd(w)] = (n & 0xffff0000) | (sh & 0xffff);
  } else r[rd(w)] = (n & 0xffff) | ((m << imm) & 0xffff0000);
}

/** SEL: pick each byte from Rn or Rm by the GE flags. */
export function sel(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const n = r[(w >>> 16) & 0xf]!;
  const m = r[w & 0xf]!;
  const g = cpu.ge;
  const mask = (g & 1 ? 0xff : 0) | (g & 2 ? 0xff00 : 0) | (g & 4 ? 0xff0000 : 0) | (g & 8 ? 0xff000000 : 0);
  r[rd(w)] = (n & mask) | (m & ~mask);
}

/**
 * The parallel add/subtract family: bits 22:20 choose signed (S), saturating (Q), halving (SH) and
 * their unsigned twins; bits 7:5 choose ADD16, ASX, SAX, SUB16, ADD8 or SUB8.
 */
export function parallel(cpu: ExecContext, w: number): void {
  const kind = (w >>> 20) & 3; // 1 plain (sets GE), 2 saturating, 3 halving
  const unsigned = (w & 0x00400000) !== 0;
  const op = (w >>> 5) & 7;
  const r = cpu.r;
  const n = r[(w >>> 16) & 0xf]!;
  const m = r[w & 0xf]!;
  const bytes = op >= 4;
  const lanes = bytes ? 4 : 2;
  const width = bytes ? 8 : 16;
  const lmask = bytes ? 0xff : 0xffff;
  let res = 0;
  let ge = 0;
  for (let i = 0; i < lanes; i++) {
    const sh = i * width;
    let a = (n >>> sh) & lmask;
    // ASX and SAX pair Rn's lane with the other lane of Rm
    let b = (m >>> (op === 1 || op === 2 ? (1 - i) * width : sh)) & lmask;
    if (!unsigned) {
      a = (a << (32 - width)) >> (32 - width);
      b = (b << (32 - width)) >> (32 - width);
    }
    const sub = op === 3 || op === 7 || (op === 1 && i === 0) || (op === 2 && i === 1);
    let v = sub ? a - b : a + b;
    if (kind === 1) {
      const ok = unsigned ? (sub ? v >= 0 : v >= 1 << width) : v >= 0;
      if (ok) ge |= (bytes ? 1 : 3) << (bytes ? i : i * 2);
    } else if (kind === 2) {
      v = unsigned ? unsignedSat(v, width) : signedSat(v, width);
    } else v = Math.floor(v / 2);
    res |= (v & lmask) << sh;
  }
  if (kind === 1) cpu.ge = ge;
  r[rd(w)] = res;
}

/** True for the encodings of `parallel` that exist (kind 0 and ops 5 and 6 are unallocated). */
export function isParallel(w: number): boolean {
  const op = (w >>> 5) & 7;
  return ((w >>> 20) & 3) !== 0 && op !== 5 && op !== 6;
}
