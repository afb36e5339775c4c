/**
 * The VFP conversions beside the arithmetic: VCVTB/VCVTT between single and half precision, and
 * VCVT between floating point and 16- or 32-bit fixed point in place (VFPv3): to fixed point rounds
 * toward zero, from fixed point to nearest.
 */
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { halfToSingle, singleToHalf } from './half-precision.ts';
import { F32, F64, FpEnv, fpFromInt, fpToInt } from './softfloat.ts';

const sReg = (w: number, at: number, bitAt: number) => (((w >>> at) & 0xf) << 1) | ((w >>> bitAt) & 1);

/** VCVTB/VCVTT (opc2 001x): the bottom or top half of Sd or Sm holds the half-precision value. */
export function vfpHalfConvert(cpu: ExecContext, w: number): void {
  if ((w >>> 8) & 1) throw UNDEFINED; // the double-precision forms are ARMv8
  const v = cpu.vfp;
  const d = sReg(w, 12, 22);
  const m = sReg(w, 0, 5);
  const top = ((w >>> 7) & 1) === 1;
  const ahp = ((v.fpscr >>> 26) & 1) === 1;
  if ((w >>> 16) & 1) {
    const h = Number(singleToHalf(v.s(m), v.env, ahp));
    const old = v.words[d]!;
    v.words[d] = top ? (old & 0xffff) | (h << 16) : (old & ~0xffff) | h;
  } else {
    const src = v.words[m]! >>> (top ? 16 : 0);
    v.setS(d, halfToSingle(BigInt(src & 0xffff), v.env, ahp));
  }
}

/** VCVT between floating point and fixed point (opc2 1x1x), converting Sd or Dd in place. */
export function vfpFixedConvert(cpu: ExecContext, w: number): void {
  const v = cpu.vfp;
  const dbl = ((w >>> 8) & 1) === 1;
  const toFixed = ((w >>> 18) & 1) === 1;
  const unsigned = ((w >>> 16) & 1) === 1;
  const width = (w >>> 7) & 1 ? 32 : 16;
  // below zero (16-bit forms with imm4:i > 16) is UNPREDICTABLE; the reference scales the other way
  const fracBits = width - (((w & 0xf) << 1) | ((w >>> 5) & 1));
  const f = dbl ? F64 : F32;
  const vd = (w >>> 12) & 0xf;
  const bit = (w >>> 22) & 1;
  const reg = dbl ? (bit << 4) | vd : (vd << 1) | bit;
  const low = dbl ? v.words[2 * reg]! : v.words[reg]!;
  if (toFixed) {
    const r = fpToInt(dbl ? v.d(reg) : v.s(reg), f, v.env, !unsigned, true, fracBits, width);
    const extended = width === 16 ? (unsigned ? r & 0xffff : (r << 16) >> 16) : r;
    if (dbl) {
      v.words[2 * reg] = extended;
      v.words[2 * reg + 1] = unsigned ? 0 : extended >> 31;
    } else v.words[reg] = extended;
    return;
  }
  const input = width === 16 ? (unsigned ? low & 0xffff : (low << 16) >> 16) : low;
  // from fixed point the rounding is always to nearest, whatever FPSCR.RMode says
  const env = new FpEnv();
  env.fz = v.env.fz;
  env.dn = v.env.dn;
  const r = fpFromInt(input, f, env, !unsigned, fracBits);
  v.env.flags |= env.flags;
  if (dbl) v.setD(reg, r);
  else v.setS(reg, r);
}
