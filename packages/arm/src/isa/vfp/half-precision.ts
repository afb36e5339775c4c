/**
 * Conversions between single and half precision, in the IEEE format or the alternative format
 * (FPSCR.AHP: no infinities or NaNs, one more binade). Shared by VFP VCVTB/VCVTT and NEON VCVT.
 * Output denormals are never flushed (FPSCR.FZ only flushes the single-precision input).
 */
import { F16, F32, FpEnv, FpFlag, fpConvert } from './softfloat.ts';

const SIGN32 = 0x80000000n;

/** A copy of `env`'s controls with flushing off and no flags, for one conversion step. */
function unflushed(env: FpEnv): FpEnv {
  const e = new FpEnv();
  e.rmode = env.rmode;
  e.dn = env.dn;
  return e;
}

/** Single to half precision (16 bits); `ahp` selects the alternative format. */
export function singleToHalf(a: bigint, env: FpEnv, ahp: boolean): bigint {
  let x = a;
  if (env.fz && (x & 0x7f800000n) === 0n && (x & 0x7fffffn) !== 0n) {
    env.flags |= FpFlag.IDC;
    x &= SIGN32;
  }
  const sign = x & SIGN32 ? 0x8000n : 0n;
  const abs = x & 0x7fffffffn;
  if (!ahp || abs < 0x47000000n) {
    // below 2^15 the two formats encode alike
    const e = unflushed(env);
    const r = fpConvert(x, F32, F16, e);
    env.flags |= e.flags;
    return r;
  }
  if (abs >= 0x7f800000n) {
    env.flags |= FpFlag.IOC; // no NaN (zero) or infinity (the largest number) in this format
    return abs === 0x7f800000n ? sign | 0x7fffn : sign;
  }
  // at or above 2^15: convert half the value as IEEE, then put the binade back
  const e = unflushed(env);
  const half = fpConvert(x - (1n << 23n), F32, F16, e);
  if (e.flags & FpFlag.OFC) {
    env.flags |= FpFlag.IOC; // overflow saturates and is an invalid operation, not an inexact one
    return sign | 0x7fffn;
  }
  env.flags |= e.flags;
  return half + 0x400n;
}

/** Half precision (the low 16 bits of `h`) to single; exact, so only NaNs raise flags. */
export function halfToSingle(h: bigint, env: FpEnv, ahp: boolean): bigint {
  const x = h & 0xffffn;
  if (ahp && (x & 0x7c00n) === 0x7c00n) {
    const sign = x & 0x8000n ? SIGN32 : 0n;
    return sign | (BigInt(31 - 15 + 127) << 23n) | ((x & 0x3ffn) << 13n);
  }
  const e = unflushed(env);
  const r = fpConvert(x, F16, F32, e);
  env.flags |= e.flags;
  return r;
}
