/**
 * VFP instructions (coprocessors 10 and 11), one executor per encoding group. The A32 and Thumb-2
 * encodings are the same 28 bits, so both tables point here.
 */
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import {
  F32,
  F64,
  type FloatFormat,
  fpAdd,
  fpCompare,
  fpConvert,
  fpDiv,
  fpFromInt,
  fpMul,
  fpMulAdd,
  fpSqrt,
  fpToInt,
} from './softfloat.ts';
import { VfpId } from './vfp.ts';
import { vfpFixedConvert, vfpHalfConvert } from './vfp-convert.ts';

/** Raises UNDEFINED unless CPACR grants cp10/cp11 at this privilege and FPEXC.EN is set. */
export function checkAccess(cpu: ExecContext, needEnabled = true): void {
  const cp = (cpu.cp15.cpacr >>> 20) & 3;
  if (cp === 0 || (cpu.user && cp !== 3)) throw UNDEFINED;
  if (needEnabled && !cpu.vfp.enabled) throw UNDEFINED;
}

const sReg = (v: number, bit: number) => (v << 1) | bit;
const dReg = (v: number, bit: number) => (bit << 4) | v;

/** Register numbers of Vd, Vn, Vm in single (sz 0) or double (sz 1) form. */
function regs(w: number, dbl: boolean): [number, number, number] {
  const vd = (w >>> 12) & 0xf;
  const vn = (w >>> 16) & 0xf;
  const vm = w & 0xf;
  const D = (w >>> 22) & 1;
  const N = (w >>> 7) & 1;
  const M = (w >>> 5) & 1;
  return dbl ? [dReg(vd, D), dReg(vn, N), dReg(vm, M)] : [sReg(vd, D), sReg(vn, N), sReg(vm, M)];
}

function neg(x: bigint, f: FloatFormat): bigint {
  return x ^ (1n << BigInt(f.bits - 1));
}

/** Expands the 8-bit VMOV immediate to a float. */
function expandImm(imm8: number, f: FloatFormat): bigint {
  const sign = BigInt(imm8 >>> 7);
  const b6 = (imm8 >>> 6) & 1;
  const expBits = f.expBits;
  const exp = BigInt(
    ((b6 ^ 1) << (expBits - 1)) | ((b6 ? (1 << (expBits - 3)) - 1 : 0) << 2) | ((imm8 >>> 4) & 3),
  );
  const frac = BigInt(imm8 & 0xf) << BigInt(f.mantBits - 4);
  return (sign << BigInt(f.bits - 1)) | (exp << BigInt(f.mantBits)) | frac;
}

const MIN_F32 = 2 ** -126;
const MIN_F64 = 2 ** -1022;
/** Beyond these magnitudes the error-free transformations below could overflow or underflow. */
const FAST_MAX = 2 ** 990;
const FAST_MIN = 2 ** -900;
const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter for doubles

/** The rounding error of a*b (exact when the inputs are in the fast range): a*b = p + error. */
function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** True for a finite value that is zero or normal and far from the fast path's limits. */
function plain(x: number, min: number): boolean {
  const a = Math.abs(x);
  return a === 0 || (a >= min && a >= FAST_MIN && a <= FAST_MAX);
}

/**
 * VADD, VSUB, VMUL and VDIV computed by the host's IEEE double arithmetic when the rounding mode is
 * to-nearest and the operands and result are ordinary numbers; the exactness of the result (IXC) comes
 * from error-free transformations. Returns false to leave the operation to the exact path.
 */
function fastArithmetic(cpu: ExecContext, w: number, dbl: boolean, d: number, n: number, m: number): boolean {
  const v = cpu.vfp;
  if (v.env.rmode !== 0) return false;
  const regs = dbl ? v.f64 : v.f32;
  const min = dbl ? MIN_F64 : MIN_F32;
  const a = regs[n]!;
  const b = regs[m]!;
  if (!plain(a, min) || !plain(b, min)) return false;
  const op = ((w >>> 20) & 3) | ((w >>> 21) & 4) | ((w >>> 3) & 8); // opc1 and bit 6
  let r: number;
  let err: number;
  switch (op) {
    case 3: // VADD
    case 11: {
      // VSUB
      const bb = op === 3 ? b : -b;
      r = a + bb;
      const z = r - a;
      err = a - (r - z) + (bb - z);
      break;
    }
    case 2: // VMUL
      r = a * b;
      err = productError(a, b, r);
      break;
    case 4: // VDIV
      if (b === 0) return false;
      r = a / b;
      err = r * b === a && productError(r, b, r * b) === 0 ? 0 : 1;
      break;
    case 0: // VMLA: d + n*m, two roundings
    case 8: {
      // VMLS: d - n*m
      let p = a * b;
      err = productError(a, b, p);
      if (!dbl) {
        const f = Math.fround(p);
        if (f !== p) err = 1;
        p = f;
      }
      if ((p !== 0 && !plain(p, min)) || (p === 0 && a !== 0 && b !== 0)) return false;
      const acc = regs[d]!;
      if (!plain(acc, min)) return false;
      const pp = op === 0 ? p : -p;
      r = acc + pp;
      const z = r - acc;
      if (acc - (r - z) + (pp - z) !== 0) err = 1;
      break;
    }
    default:
      return false;
  }
  if (!dbl) {
    const f = Math.fround(r);
    if (f !== r) err = 1;
    r = f;
  }
  if (r !== 0 && !plain(r, min)) return false;
  if (r === 0 && (op === 2 || op === 4) && a !== 0 && b !== 0) return false; // underflow to zero
  regs[d] = r;
  if (err !== 0) v.env.flags |= 16; // IXC
  return true;
}

/** VADD, VSUB, VMUL, VNMUL, VMLA, VMLS, VNMLA, VNMLS, VDIV, VFMA..., and the one-operand group. */
export function vfpDataProcessing(cpu: ExecContext, w: number): void {
  checkAccess(cpu);
  const v = cpu.vfp;
  const env = v.env;
  const dbl = ((w >>> 8) & 1) === 1;
  const f = dbl ? F64 : F32;
  const [d, n, m] = regs(w, dbl);
  if (fastArithmetic(cpu, w, dbl, d, n, m)) return;
  const get = (i: number) => (dbl ? v.d(i) : v.s(i));
  const set = (i: number, x: bigint) => (dbl ? v.setD(i, x) : v.setS(i, x));
  const op6 = (w >>> 6) & 1;
  switch (((w >>> 20) & 3) | ((w >>> 21) & 4)) {
    case 0: {
      const p = fpMul(get(n), get(m), f, env);
      set(d, fpAdd(get(d), op6 ? neg(p, f) : p, f, env));
      return;
    }
    case 1: {
      const p = fpMul(get(n), get(m), f, env);
      set(d, fpAdd(neg(get(d), f), op6 ? neg(p, f) : p, f, env));
      return;
    }
    case 2: {
      const p = fpMul(get(n), get(m), f, env);
      set(d, op6 ? neg(p, f) : p);
      return;
    }
    case 3:
      set(d, fpAdd(get(n), get(m), f, env, op6 === 1));
      return;
    case 4:
      if (op6) break;
      set(d, fpDiv(get(n), get(m), f, env));
      return;
    case 5: // VFNMS (op6 0): -d + n*m; VFNMA: -d - n*m
      set(d, fpMulAdd(op6 ? neg(get(n), f) : get(n), get(m), neg(get(d), f), f, env));
      return;
    case 6: // VFMA (op6 0): d + n*m; VFMS: d - n*m
      set(d, fpMulAdd(op6 ? neg(get(n), f) : get(n), get(m), get(d), f, env));
      return;
    default:
      return vfpOther(cpu, w, dbl, f, d, m);
  }
  throw UNDEFINED;
}

/** The opc1 = 1x11 group: VMOV (immediate, register), VABS, VNEG, VSQRT, VCMP, VCVT. */
function vfpOther(cpu: ExecContext, w: number, dbl: boolean, f: FloatFormat, d: number, m: number): void {
  const v = cpu.vfp;
  const env = v.env;
  const get = (i: number) => (dbl ? v.d(i) : v.s(i));
  const set = (i: number, x: bigint) => (dbl ? v.setD(i, x) : v.setS(i, x));
  const opc2 = (w >>> 16) & 0xf;
  const opc3 = (w >>> 6) & 3;
  if ((opc3 & 1) === 0) {
    if (w & 0xa0) throw UNDEFINED; // VMOV (immediate) has bits 7:4 clear
    set(d, expandImm(((w >>> 12) & 0xf0) | (w & 0xf), f));
    return;
  }
  const top = opc3 >>> 1; // bit 7
  if (fastOther(cpu, opc2, top, dbl, w, d, m)) return;
  switch (opc2) {
    case 0:
      set(d, top ? get(m) & ~(1n << BigInt(f.bits - 1)) : get(m));
      return;
    case 1:
      set(d, top ? fpSqrt(get(m), f, env) : neg(get(m), f));
      return;
    case 4:
    case 5: {
      const b = opc2 === 5 ? 0n : get(m);
      if (opc2 === 5 && (w & 0x2f) !== 0) break;
      v.setNzcv(fpCompare(get(d), b, f, env, top === 1));
      return;
    }
    case 7: {
      if (!top) break;
      // VCVT between precisions: the destination has the other size
      if (dbl) v.setS(sReg((w >>> 12) & 0xf, (w >>> 22) & 1), fpConvert(v.d(m), F64, F32, env));
      else v.setD(dReg((w >>> 12) & 0xf, (w >>> 22) & 1), fpConvert(v.s(m), F32, F64, env));
      return;
    }
    case 2:
    case 3:
      return vfpHalfConvert(cpu, w);
    case 10:
    case 11:
    case 14:
    case 15:
      return vfpFixedConvert(cpu, w);
    case 8: {
      const src = sReg(w & 0xf, (w >>> 5) & 1);
      set(d, fpFromInt(v.words[src]!, f, env, top === 1));
      return;
    }
    case 12:
    case 13: {
      const dst = sReg((w >>> 12) & 0xf, (w >>> 22) & 1);
      v.words[dst] = fpToInt(get(m), f, env, opc2 === 13, top === 1);
      return;
    }
  }
  throw UNDEFINED;
}

/**
 * The one-operand operations on ordinary numbers by host arithmetic: VMOV, VABS, VNEG (bit copies),
 * VCMP{E} of non-NaN values, VCVT between precisions and to and from integers (truncating, or
 * to-nearest). Returns false to leave the operation to the exact path.
 */
function fastOther(
  cpu: ExecContext,
  opc2: number,
  top: number,
  dbl: boolean,
  w: number,
  d: number,
  m: number,
): boolean {
  const v = cpu.vfp;
  const words = v.words;
  const regs = dbl ? v.f64 : v.f32;
  const min = dbl ? MIN_F64 : MIN_F32;
  switch (opc2) {
    case 0:
    case 1: {
      if (opc2 === 1 && top) return false; // VSQRT stays exact
      const sign = opc2 === 1 ? 0x80000000 : 0;
      const clear = opc2 === 0 && top ? 0x7fffffff : -1;
      if (dbl) {
        words[2 * d] = words[2 * m]!;
        words[2 * d + 1] = (words[2 * m + 1]! & clear) ^ sign;
      } else words[d] = (words[m]! & clear) ^ sign;
      return true;
    }
    case 4:
    case 5: {
      const a = regs[d]!;
      const b = opc2 === 5 ? 0 : regs[m]!;
      if (!plain(a, min) || !plain(b, min) || (opc2 === 5 && (w & 0x2f) !== 0)) return false;
      v.setNzcv(a === b ? 0x6 : a < b ? 0x8 : 0x2);
      return true;
    }
    case 7: {
      if (!top) return false;
      if (dbl) {
        const a = v.f64[m]!;
        if (!plain(a, MIN_F64) || v.env.rmode !== 0) return false; // narrowing rounds per RMode
        const f = Math.fround(a);
        if (f !== 0 && !plain(f, MIN_F32)) return false;
        if (f === 0 && a !== 0) return false;
        if (f !== a) v.env.flags |= 16;
        v.f32[sReg((w >>> 12) & 0xf, (w >>> 22) & 1)] = f;
      } else {
        const a = v.f32[m]!;
        if (!plain(a, MIN_F32)) return false;
        v.f64[dReg((w >>> 12) & 0xf, (w >>> 22) & 1)] = a;
      }
      return true;
    }
    case 8: {
      const i = words[sReg(w & 0xf, (w >>> 5) & 1)]!;
      const x = top ? i : i >>> 0;
      if (v.env.rmode !== 0 && !dbl) return false;
      const r = dbl ? x : Math.fround(x);
      if (r !== x) v.env.flags |= 16;
      regs[d] = r;
      return true;
    }
    case 12:
    case 13: {
      if (!top) return false; // only the truncating forms
      const a = regs[m]!;
      if (!plain(a, min)) return false;
      const t = Math.trunc(a);
      const signed = opc2 === 13;
      if (signed ? t < -2147483648 || t > 2147483647 : t < 0 || t > 4294967295) return false;
      if (t !== a) v.env.flags |= 16;
      words[sReg((w >>> 12) & 0xf, (w >>> 22) & 1)] = t | 0;
      return true;
    }
    default:
      return false;
  }
}

/** VMOV between a core register and a single-precision register. */
export function vmovCoreSingle(cpu: ExecContext, w: number): void {
  checkAccess(cpu);
  const n = sReg((w >>> 16) & 0xf, (w >>> 7) & 1);
  const t = (w >>> 12) & 0xf;
  if (w & 0x00100000) cpu.r[t] = cpu.vfp.words[n]!;
  else cpu.vfp.words[n] = cpu.r[t]!;
}

/** VMOV between two core registers and two singles or one double. */
export function vmovCorePair(cpu: ExecContext, w: number): void {
  checkAccess(cpu);
  const t = (w >>> 12) & 0xf;
  const t2 = (w >>> 16) & 0xf;
  const first = w & 0x100 ? dReg(w & 0xf, (w >>> 5) & 1) * 2 : sReg(w & 0xf, (w >>> 5) & 1);
  const words = cpu.vfp.words;
  if (!(w & 0x100) && first === 31) throw UNDEFINED;
  if (w & 0x00100000) {
    cpu.r[t] = words[first]!;
    cpu.r[t2] = words[first + 1]!;
  } else {
    words[first] = cpu.r[t]!;
    words[first + 1] = cpu.r[t2]!;
  }
}

/** VMRS and VMSR: FPSID, FPSCR, MVFR0/1, FPEXC. VMRS APSR_nzcv, FPSCR copies the compare flags. */
export function vmrsVmsr(cpu: ExecContext, w: number): void {
  const reg = (w >>> 16) & 0xf;
  const t = (w >>> 12) & 0xf;
  const v = cpu.vfp;
  const system = reg !== 1; // only FPSCR needs FPEXC.EN
  if (system && cpu.user) throw UNDEFINED;
  checkAccess(cpu, !system);
  if (w & 0x00100000) {
    let value: number;
    switch (reg) {
      case 0:
        value = VfpId.fpsid;
        break;
      case 1:
        value = v.fpscr;
        break;
      case 6:
        value = VfpId.mvfr1;
        break;
      case 7:
        value = VfpId.mvfr0;
        break;
      case 8:
        value = v.fpexc;
        break;
      default:
        throw UNDEFINED;
    }
    if (t === 15) {
      if (reg !== 1) throw UNDEFINED;
      cpu.setFlags(value);
    } else cpu.r[t] = value;
    return;
  }
  if (reg === 1) v.fpscr = cpu.r[t]!;
  else if (reg === 8) v.writeFpexc(cpu.r[t]!);
  else if (reg !== 0) throw UNDEFINED; // FPSID writes are ignored
}

/** VLDR and VSTR. */
export function vldrVstr(cpu: ExecContext, w: number): void {
  checkAccess(cpu);
  const n = (w >>> 16) & 0xf;
  const base = n === 15 ? cpu.r[15]! & ~3 : cpu.r[n]!;
  const imm = (w & 0xff) * 4;
  const addr = (w & 0x00800000 ? base + imm : base - imm) | 0;
  const dbl = (w & 0x100) !== 0;
  const first = dbl ? dReg((w >>> 12) & 0xf, (w >>> 22) & 1) * 2 : sReg((w >>> 12) & 0xf, (w >>> 22) & 1);
  transfer(cpu, addr, first, dbl ? 2 : 1, (w & 0x00100000) !== 0);
}

/** VLDM/VSTM (increment after, or decrement before with writeback), VPUSH and VPOP. */
export function vldmVstm(cpu: ExecContext, w: number): void {
  checkAccess(cpu);
  const n = (w >>> 16) & 0xf;
  const dbl = (w & 0x100) !== 0;
  const imm8 = w & 0xff;
  const count = dbl ? imm8 >>> 1 : imm8; // words: imm8 (an odd count with sz=1 is FLDMX/FSTMX)
  const first = dbl ? dReg((w >>> 12) & 0xf, (w >>> 22) & 1) * 2 : sReg((w >>> 12) & 0xf, (w >>> 22) & 1);
  const words = dbl ? count * 2 : count;
  if (count === 0 || first + words > 64 || (!dbl && first + words > 32)) throw UNDEFINED;
  const base = cpu.r[n]!;
  const up = (w & 0x00800000) !== 0;
  const addr = up ? base : (base - imm8 * 4) | 0;
  transfer(cpu, addr, first, words, (w & 0x00100000) !== 0);
  if (w & 0x00200000) cpu.r[n] = up ? (base + imm8 * 4) | 0 : (base - imm8 * 4) | 0;
}

/** Moves `count` words between memory at `addr` and the register words from `first` (whole range checked first). */
function transfer(cpu: ExecContext, addr: number, first: number, count: number, load: boolean): void {
  cpu.checkAlign(addr, 4, !load);
  cpu.read32(addr);
  cpu.read32(addr + 4 * (count - 1));
  const words = cpu.vfp.words;
  for (let i = 0; i < count; i++) {
    if (load) words[first + i] = cpu.read32(addr + 4 * i);
    else cpu.write32(addr + 4 * i, words[first + i]!);
  }
}

/** True when a CDP/MRC/MCR/LDC/STC word addresses coprocessor 10 or 11 (the VFP). */
export function isVfpCoprocessor(w: number): boolean {
  return ((w >>> 9) & 7) === 5;
}

/** True for the VLDM/VSTM addressing forms that exist (IA, or DB with writeback). */
export function isVldm(w: number): boolean {
  const p = (w >>> 24) & 1;
  const u = (w >>> 23) & 1;
  const wb = (w >>> 21) & 1;
  return (p === 0 && u === 1) || (p === 1 && u === 0 && wb === 1);
}
