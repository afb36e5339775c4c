/**
 * Integer element arithmetic of Advanced SIMD: saturation (which sets FPSCR.QC), shifts by a signed
 * register amount with optional rounding, and the doubling multiplies. Values are exact bigints.
 */

/** The result of a saturating operation: the clamped value and whether clamping happened. */
export interface Saturated {
  readonly value: bigint;
  readonly saturated: boolean;
}

/** Smallest and largest values of a `bits`-wide element. */
export function limits(bits: number, signed: boolean): { min: bigint; max: bigint } {
  const b = BigInt(bits);
  return signed ? { min: -(1n << (b - 1n)), max: (1n << (b - 1n)) - 1n } : { min: 0n, max: (1n << b) - 1n };
}

/** Clamps `x` into a `bits`-wide signed or unsigned element. */
export function saturate(x: bigint, bits: number, signed: boolean): Saturated {
  const { min, max } = limits(bits, signed);
  if (x > max) return { value: max, saturated: true };
  if (x < min) return { value: min, saturated: true };
  return { value: x, saturated: false };
}

/** Sign-extends the low `bits` of `x` (or zero-extends when `signed` is false). */
export function extend(x: bigint, bits: number, signed: boolean): bigint {
  return signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x);
}

/**
 * `x` shifted by the signed amount in the bottom byte of `by` (VSHL, VRSHL and their saturating
 * forms): positive shifts left, negative shifts right (arithmetic for signed elements); `round`
 * adds the half of the last bit shifted out. The result is exact (not yet truncated or saturated).
 */
export function shiftByRegister(x: bigint, by: bigint, round: boolean): bigint {
  const amount = Number(BigInt.asIntN(8, by));
  if (amount >= 0) return x << BigInt(amount);
  const right = BigInt(-amount);
  return round ? (x + (1n << (right - 1n))) >> right : x >> right;
}

/** A right shift by `n` (>= 1) with rounding: the half of the last bit shifted out is added first. */
export function roundingShiftRight(x: bigint, n: number): bigint {
  return (x + (1n << BigInt(n - 1))) >> BigInt(n);
}

/** VQDMULH and VQRDMULH: the high half of 2*a*b (rounded when asked), saturated. */
export function doublingMultiplyHigh(a: bigint, b: bigint, bits: number, round: boolean): Saturated {
  const product = 2n * a * b + (round ? 1n << BigInt(bits - 1) : 0n);
  return saturate(product >> BigInt(bits), bits, true);
}

/** Counts leading sign bits (VCLS): bits below the top one that equal it. */
export function countLeadingSignBits(x: bigint, bits: number): number {
  const u = BigInt.asUintN(bits, x);
  const top = (u >> BigInt(bits - 1)) & 1n;
  let n = 0;
  for (let i = bits - 2; i >= 0 && ((u >> BigInt(i)) & 1n) === top; i--) n++;
  return n;
}

/** Counts leading zeros of a `bits`-wide element (VCLZ). */
export function countLeadingZeros(x: bigint, bits: number): number {
  const u = BigInt.asUintN(bits, x);
  return u === 0n ? bits : bits - u.toString(2).length;
}

/** Counts set bits (VCNT on bytes). */
export function popcount(x: bigint): number {
  let n = 0;
  for (let u = x; u !== 0n; u &= u - 1n) n++;
  return n;
}

/** Carry-less (polynomial) multiplication over GF(2) (VMUL.P8, VMULL.P8). */
export function polyMultiply(a: bigint, b: bigint, bits: number): bigint {
  let r = 0n;
  for (let i = 0; i < bits; i++) if ((b >> BigInt(i)) & 1n) r ^= a << BigInt(i);
  return r;
}
