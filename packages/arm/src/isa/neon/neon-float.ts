/**
 * Single-precision arithmetic of Advanced SIMD. Every operation runs under the "standard FPSCR
 * value" (round to nearest, flush-to-zero, default NaN) whatever FPSCR says, but its exception flags
 * still accumulate into FPSCR.
 */
import type { ExecContext } from '../../exec-context.ts';
import {
  F32,
  FpEnv,
  FpFlag,
  defaultNaN,
  fpAdd,
  fpCompare,
  fpFromInt,
  fpMul,
  fpMulAdd,
  fpToInt,
  isNaN_,
  isSignalling,
} from '../vfp/softfloat.ts';

/** The environment of the standard FPSCR value; its flags are moved to FPSCR after each operation. */
export function standardEnv(): FpEnv {
  const env = new FpEnv();
  env.fz = true;
  env.dn = true;
  return env;
}

/** Runs `op` under the standard FPSCR value and ORs the flags it raised into FPSCR. */
export function withStandard<T>(cpu: ExecContext, op: (env: FpEnv) => T): T {
  const env = standardEnv();
  const result = op(env);
  cpu.vfp.env.flags |= env.flags;
  return result;
}

const SIGN = 0x80000000n;
const TWO = 0x40000000n;
const THREE = 0x40400000n;
const ONE_POINT_FIVE = 0x3fc00000n;

const isZero = (x: bigint) => (x & 0x7fffffffn) === 0n;
const isInfinity = (x: bigint) => (x & 0x7fffffffn) === 0x7f800000n;

/** A denormal input becomes a zero of its sign, noting IDC (what the standard FPSCR value does). */
function squash(x: bigint, env: FpEnv): bigint {
  if ((x & 0x7f800000n) === 0n && (x & 0x7fffffn) !== 0n) {
    env.flags |= FpFlag.IDC;
    return x & SIGN;
  }
  return x;
}

const bitsView = new DataView(new ArrayBuffer(4));
const toHost = (x: bigint) => {
  bitsView.setUint32(0, Number(x));
  return bitsView.getFloat32(0);
};
const fromHost = (v: number) => {
  bitsView.setFloat32(0, v);
  return BigInt(bitsView.getUint32(0));
};
/** Zero, or normal and finite: the inputs the host can take without flushing or NaN rules. */
const plainInput = (x: bigint) => {
  const exp = x & 0x7f800000n;
  return exp === 0n ? (x & 0x7fffffn) === 0n : exp !== 0x7f800000n;
};
/** Far enough from the denormals and from overflow that the standard value's rules cannot apply. */
const plainResult = (v: number) => v === 0 || (Math.abs(v) >= 2 ** -125 && Math.abs(v) <= 2 ** 127);

/**
 * a + b or a - b by host arithmetic on ordinary numbers: the double sum rounds to single correctly
 * (53 >= 2*24 + 2 bits), and the exact rounding error of the double (TwoSum) completes IXC.
 */
function hostAdd(a: bigint, b: bigint, negate: boolean, env: FpEnv): bigint | undefined {
  if (!plainInput(a) || !plainInput(b)) return undefined;
  const x = toHost(a);
  const y = negate ? -toHost(b) : toHost(b);
  const r = x + y;
  const z = r - x;
  const err = x - (r - z) + (y - z);
  const f = Math.fround(r);
  if (!plainResult(r) || !plainResult(f) || (f === 0 && err !== 0)) return undefined;
  if (err !== 0 || f !== r) env.flags |= FpFlag.IXC;
  return fromHost(f);
}

/** a * b by host arithmetic: the double product of two singles is exact. */
function hostMul(a: bigint, b: bigint, env: FpEnv): bigint | undefined {
  if (!plainInput(a) || !plainInput(b)) return undefined;
  const r = toHost(a) * toHost(b);
  const f = Math.fround(r);
  if (!plainResult(r) || !plainResult(f) || (r === 0 && !isZero(a) && !isZero(b))) return undefined;
  if (f !== r) env.flags |= FpFlag.IXC;
  return fromHost(f);
}

/** a + b. */
export const add = (a: bigint, b: bigint, env: FpEnv) => hostAdd(a, b, false, env) ?? fpAdd(a, b, F32, env);
/** a - b. */
export const sub = (a: bigint, b: bigint, env: FpEnv) =>
  hostAdd(a, b, true, env) ?? fpAdd(a, b, F32, env, true);
/** a * b. */
export const mul = (a: bigint, b: bigint, env: FpEnv) => hostMul(a, b, env) ?? fpMul(a, b, F32, env);
/** VMLA: d + n*m with two roundings. */
export const mulAcc = (d: bigint, n: bigint, m: bigint, env: FpEnv) => add(d, mul(n, m, env), env);
/** VMLS: d - n*m with two roundings. */
export const mulSub = (d: bigint, n: bigint, m: bigint, env: FpEnv) => sub(d, mul(n, m, env), env);
/** VFMA: d + n*m rounded once. */
export const fusedAcc = (d: bigint, n: bigint, m: bigint, env: FpEnv) => fpMulAdd(n, m, d, F32, env);
/** VFMS: d - n*m rounded once (the first factor is negated). */
export const fusedSub = (d: bigint, n: bigint, m: bigint, env: FpEnv) => fpMulAdd(n ^ SIGN, m, d, F32, env);
/** VABD: |a - b|. */
export const absDiff = (a: bigint, b: bigint, env: FpEnv) => sub(a, b, env) & ~SIGN;

/** The NaN result of a two-operand operation, or undefined when neither is a NaN (flags IDC/IOC). */
function nanOf(a: bigint, b: bigint, env: FpEnv): bigint | undefined {
  if (!isNaN_(a, F32) && !isNaN_(b, F32)) return undefined;
  if (isSignalling(a, F32) || isSignalling(b, F32)) env.flags |= FpFlag.IOC;
  return defaultNaN(F32);
}

/** VMAX and VMIN: NaNs propagate (as the default NaN), and -0 orders below +0. */
export function maxMin(a: bigint, b: bigint, env: FpEnv, max: boolean): bigint {
  const x = squash(a, env);
  const y = squash(b, env);
  const nan = nanOf(x, y, env);
  if (nan !== undefined) return nan;
  const nzcv = fpCompare(x, y, F32, env, false);
  if (nzcv === 0x6) {
    // equal: only the zeros differ, by sign
    const negative = max ? x & y & SIGN : (x | y) & SIGN;
    return (x & ~SIGN) | negative;
  }
  const less = nzcv === 0x8;
  return less === max ? y : x;
}

/** The comparisons: equal (quiet), greater-or-equal and greater-than (signalling on any NaN). */
export type Comparison = 'eq' | 'ge' | 'gt' | 'le' | 'lt';

/** a <op> b as an all-ones or zero lane. */
export function compare(a: bigint, b: bigint, op: Comparison, env: FpEnv): bigint {
  const nzcv = fpCompare(a, b, F32, env, op !== 'eq');
  let r: boolean;
  switch (op) {
    case 'eq':
      r = nzcv === 0x6;
      break;
    case 'ge':
      r = nzcv === 0x6 || nzcv === 0x2;
      break;
    case 'gt':
      r = nzcv === 0x2;
      break;
    case 'le':
      r = nzcv === 0x6 || nzcv === 0x8;
      break;
    default:
      r = nzcv === 0x8;
  }
  return r ? 0xffffffffn : 0n;
}

/** VRECPS: 2 - a*b, with infinity times zero giving exactly 2. */
export function recipStep(a: bigint, b: bigint, env: FpEnv): bigint {
  const x = squash(a, env);
  const y = squash(b, env);
  if ((isInfinity(x) && isZero(y)) || (isInfinity(y) && isZero(x))) return TWO;
  return sub(TWO, mul(x, y, env), env);
}

/** VRSQRTS: (3 - a*b) / 2, with infinity times zero giving exactly 1.5. */
export function rsqrtStep(a: bigint, b: bigint, env: FpEnv): bigint {
  const x = squash(a, env);
  const y = squash(b, env);
  if ((isInfinity(x) && isZero(y)) || (isInfinity(y) && isZero(x))) return ONE_POINT_FIVE;
  const t = sub(THREE, mul(x, y, env), env);
  return fpMul(t, 0x3f000000n, F32, env);
}

/** The 8-bit reciprocal estimate of a 9-bit input in [256, 512) (the architecture's table function). */
export function recipEstimate(input: number): number {
  const a = input * 2 + 1;
  const b = Math.floor((1 << 19) / a);
  return (b + 1) >> 1;
}

/** The 8-bit reciprocal square root estimate of an input in [128, 512). */
export function recipSqrtEstimate(input: number): number {
  const a = input < 256 ? input * 2 + 1 : ((input >> 1) << 1) * 2 + 2;
  let b = 512;
  while (a * (b + 1) * (b + 1) < 1 << 28) b++;
  return (b + 1) >> 1;
}

/** VRECPE.F32. */
export function recipEstimateF32(a: bigint, env: FpEnv): bigint {
  const x = squash(a, env);
  if (isNaN_(x, F32)) {
    if (isSignalling(x, F32)) env.flags |= FpFlag.IOC;
    return defaultNaN(F32);
  }
  const sign = x & SIGN;
  if (isInfinity(x)) return sign;
  if (isZero(x)) {
    env.flags |= FpFlag.DZC;
    return sign | 0x7f800000n;
  }
  const exp = Number((x >> 23n) & 0xffn);
  if (exp >= 253) {
    env.flags |= FpFlag.UFC; // the result would be denormal, flushed
    return sign;
  }
  const estimate = recipEstimate(256 | Number((x >> 15n) & 0xffn));
  const resultExp = 253 - exp;
  return sign | (BigInt(resultExp) << 23n) | (BigInt(estimate & 0xff) << 15n);
}

/** VRSQRTE.F32. */
export function rsqrtEstimateF32(a: bigint, env: FpEnv): bigint {
  const x = squash(a, env);
  if (isNaN_(x, F32)) {
    if (isSignalling(x, F32)) env.flags |= FpFlag.IOC;
    return defaultNaN(F32);
  }
  if (isZero(x)) {
    env.flags |= FpFlag.DZC;
    return (x & SIGN) | 0x7f800000n;
  }
  if (x & SIGN) {
    env.flags |= FpFlag.IOC;
    return defaultNaN(F32);
  }
  if (isInfinity(x)) return 0n;
  const exp = Number((x >> 23n) & 0xffn);
  const frac = Number(x & 0x7fffffn);
  const scaled = exp & 1 ? 128 | (frac >> 16) : 256 | (frac >> 15);
  const estimate = recipSqrtEstimate(scaled);
  const resultExp = Math.trunc((380 - exp) / 2);
  return (BigInt(resultExp & 0xff) << 23n) | (BigInt(estimate & 0xff) << 15n);
}

/** VRECPE.U32: the estimate of a fixed-point fraction in [0.5, 1). */
export function recipEstimateU32(a: bigint): bigint {
  if ((a & 0x80000000n) === 0n) return 0xffffffffn;
  return BigInt(recipEstimate(Number((a >> 23n) & 0x1ffn))) << 23n;
}

/** VRSQRTE.U32: the estimate of a fixed-point fraction in [0.25, 1). */
export function rsqrtEstimateU32(a: bigint): bigint {
  if ((a & 0xc0000000n) === 0n) return 0xffffffffn;
  return BigInt(recipSqrtEstimate(Number((a >> 23n) & 0x1ffn))) << 23n;
}

/** VCVT to a 32-bit integer or fixed-point number (`fracBits` > 0), rounding toward zero. */
export function toFixed(a: bigint, signed: boolean, fracBits: number, env: FpEnv): bigint {
  const r = fpToInt(a, F32, env, signed, true, fracBits);
  return BigInt(signed ? r : r >>> 0);
}

/** VCVT from a 32-bit integer or fixed-point number, rounding to nearest. */
export function fromFixed(a: bigint, signed: boolean, fracBits: number, env: FpEnv): bigint {
  return fpFromInt(Number(a), F32, env, signed, fracBits);
}
