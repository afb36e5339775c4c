/** A32 multiplies and divides: 32- and 64-bit, signed and unsigned, halfword, dual and most-significant forms. */
import type { ExecContext } from '../../exec-context.ts';

/** High word of the last `mul64`. */
let hi = 0;

/** Returns the low word of the 64-bit product a*b and leaves the high word in `hi`, without BigInt. */
function mul64(a: number, b: number, signed: boolean): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p10 = a1 * b0;
  const p01 = a0 * b1;
  const t = (p00 >>> 16) + (p10 & 0xffff) + (p01 & 0xffff);
  let h = a1 * b1 + (p10 >>> 16) + (p01 >>> 16) + (t >>> 16);
  if (signed) h = h - (a < 0 ? b >>> 0 : 0) - (b < 0 ? a >>> 0 : 0);
  hi = h | 0;
  return Math.imul(a, b);
}

/** Adds the 64-bit value aHi:aLo to hi:lo (result low word returned, high in `hi`). */
function add64(lo: number, aLo: number, aHi: number): number {
  const sum = (lo >>> 0) + (aLo >>> 0);
  hi = (hi + aHi + (sum > 0xffffffff ? 1 : 0)) | 0;
  return sum | 0;
}

function nz(cpu: ExecContext, value: number): void {
  cpu.n = value >>> 31;
  cpu.z = value === 0 ? 1 : 0;
}

function nz64(cpu: ExecContext, lo: number, h: number): void {
  cpu.n = h >>> 31;
  cpu.z = lo === 0 && h === 0 ? 1 : 0;
}

const rn = (w: number) => w & 0xf;
const rm = (w: number) => (w >>> 8) & 0xf;
const ra = (w: number) => (w >>> 12) & 0xf;
const rd = (w: number) => (w >>> 16) & 0xf;

/** MUL/MULS (Rd = bits 19:16). */
export function mul(cpu: ExecContext, w: number): void {
  const r = Math.imul(cpu.r[rn(w)]!, cpu.r[rm(w)]!);
  cpu.r[rd(w)] = r;
  if (w & 0x00100000) nz(cpu, r);
}

/** MLA/MLAS. */
export function mla(cpu: ExecContext, w: number): void {
  const r = (Math.imul(cpu.r[rn(w)]!, cpu.r[rm(w)]!) + cpu.r[ra(w)]!) | 0;
  cpu.r[rd(w)] = r;
  if (w & 0x00100000) nz(cpu, r);
}

/** MLS. */
export function mls(cpu: ExecContext, w: number): void {
  cpu.r[rd(w)] = (cpu.r[ra(w)]! - Math.imul(cpu.r[rn(w)]!, cpu.r[rm(w)]!)) | 0;
}

/** UMULL, UMLAL, SMULL, SMLAL (with or without S): bit 22 signed, bit 21 accumulate. */
export function mulLong(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const dLo = ra(w);
  const dHi = rd(w);
  let lo = mul64(r[rn(w)]!, r[rm(w)]!, (w & 0x00400000) !== 0);
  if (w & 0x00200000) lo = add64(lo, r[dLo]!, r[dHi]!);
  r[dLo] = lo;
  r[dHi] = hi;
  if (w & 0x00100000) nz64(cpu, lo, hi);
}

/** UMAAL: RdHi:RdLo = Rn*Rm + RdHi + RdLo. */
export function umaal(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const dLo = ra(w);
  const dHi = rd(w);
  let lo = mul64(r[rn(w)]!, r[rm(w)]!, false);
  lo = add64(lo, r[dLo]!, 0);
  lo = add64(lo, r[dHi]!, 0);
  r[dLo] = lo;
  r[dHi] = hi;
}

/** Picks the bottom (0) or top (1) signed halfword. */
function half(value: number, top: number): number {
  return top ? value >> 16 : (value << 16) >> 16;
}

/** Adds and sets Q on signed overflow. */
function addQ(cpu: ExecContext, a: number, b: number): number {
  const sum = a + b;
  const r = sum | 0;
  if (r !== sum) cpu.q = 1;
  return r;
}

/** SMLA<x><y> (bits 6:5 pick halves of Rm and Rn). */
export function smlaxy(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const p = half(r[rn(w)]!, (w >>> 5) & 1) * half(r[rm(w)]!, (w >>> 6) & 1);
  r[rd(w)] = addQ(cpu, p, r[ra(w)]!);
}

/** SMUL<x><y>. */
export function smulxy(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  r[rd(w)] = half(r[rn(w)]!, (w >>> 5) & 1) * half(r[rm(w)]!, (w >>> 6) & 1);
}

/** SMLAW<y> (bit 5 = 0) and SMULW<y> (bit 5 = 1): the top 32 bits of the 48-bit product. */
export function smlawy(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const p = Math.floor((r[rn(w)]! * half(r[rm(w)]!, (w >>> 6) & 1)) / 65536);
  r[rd(w)] = w & 0x20 ? p : addQ(cpu, p, r[ra(w)]!);
}

/** SMLAL<x><y>: 64-bit accumulate of a halfword product. */
export function smlalxy(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const p = half(r[rn(w)]!, (w >>> 5) & 1) * half(r[rm(w)]!, (w >>> 6) & 1);
  hi = p < 0 ? -1 : 0;
  const lo = add64(p, r[ra(w)]!, r[rd(w)]!);
  r[ra(w)] = lo;
  r[rd(w)] = hi;
}

/** The two halfword products of the dual multiplies; bit 5 swaps Rm's halves, bit 6 subtracts. */
function dual(cpu: ExecContext, w: number): number {
  const n = cpu.r[rn(w)]!;
  let m = cpu.r[rm(w)]!;
  if (w & 0x20) m = (m >>> 16) | (m << 16);
  const p1 = half(n, 0) * half(m, 0);
  const p2 = half(n, 1) * half(m, 1);
  return w & 0x40 ? p1 - p2 : p1 + p2;
}

/** SMLAD, SMLSD, SMUAD, SMUSD (Ra = 15 means no accumulate). Q is set on signed overflow. */
export function smlad(cpu: ExecContext, w: number): void {
  const a = ra(w);
  const sum = dual(cpu, w) + (a === 15 ? 0 : cpu.r[a]!);
  const r = sum | 0;
  if (r !== sum) cpu.q = 1;
  cpu.r[rd(w)] = r;
}

/** SMLALD and SMLSLD: 64-bit accumulate of the dual product. */
export function smlald(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const acc = (BigInt(r[rd(w)]!) << 32n) | BigInt(r[ra(w)]! >>> 0);
  const v = BigInt.asIntN(64, acc + BigInt(dual(cpu, w)));
  r[ra(w)] = Number(BigInt.asIntN(32, v));
  r[rd(w)] = Number(BigInt.asIntN(32, v >> 32n));
}

/** SMMLA, SMMLS, SMMUL (bit 6 subtracts, bit 5 rounds, Ra = 15 means none): top word of the 64-bit result. */
export function smmla(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const p = BigInt(r[rn(w)]!) * BigInt(r[rm(w)]!);
  const a = ra(w);
  const acc = a === 15 && !(w & 0x40) ? 0n : BigInt(r[a]!) << 32n;
  let v = w & 0x40 ? acc - p : acc + p;
  if (w & 0x20) v += 0x80000000n;
  r[rd(w)] = Number(BigInt.asIntN(32, v >> 32n));
}

/** USAD8 and USADA8: sum of absolute byte differences. */
export function usad8(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const n = r[rn(w)]!;
  const m = r[rm(w)]!;
  let sum = 0;
  for (let i = 0; i < 32; i += 8) sum += Math.abs(((n >>> i) & 0xff) - ((m >>> i) & 0xff));
  const a = ra(w);
  r[rd(w)] = a === 15 ? sum : (sum + r[a]!) | 0;
}

/** SDIV: rounds toward zero; division by zero gives 0, as the A profile without trapping does. */
export function sdiv(cpu: ExecContext, w: number): void {
  const m = cpu.r[rm(w)]!;
  cpu.r[rd(w)] = m === 0 ? 0 : Math.trunc(cpu.r[rn(w)]! / m) | 0;
}

/** UDIV. */
export function udiv(cpu: ExecContext, w: number): void {
  const m = cpu.r[rm(w)]! >>> 0;
  cpu.r[rd(w)] = m === 0 ? 0 : Math.floor((cpu.r[rn(w)]! >>> 0) / m) | 0;
}
