/**
 * VFP instructions (coprocessors 10 and 11), one executor per encoding group. The A32 and Thumb-2
 * encodings are the same 28 bits, so both tables point here.
 */
import type { Cpu } from './cpu.ts';
import { UNDEFINED } from './exceptions.ts';
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

/** Raises UNDEFINED unless CPACR grants cp10/cp11 at this privilege and FPEXC.EN is set. */
function checkAccess(cpu: Cpu, needEnabled = true): void {
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
  const exp = BigInt(((b6 ^ 1) << (expBits - 1)) | ((b6 ? (1 << (expBits - 3)) - 1 : 0) << 2) | ((imm8 >>> 4) & 3));
  const frac = BigInt(imm8 & 0xf) << BigInt(f.mantBits - 4);
  return (sign << BigInt(f.bits - 1)) | (exp << BigInt(f.mantBits)) | frac;
}

/** VADD, VSUB, VMUL, VNMUL, VMLA, VMLS, VNMLA, VNMLS, VDIV, VFMA..., and the one-operand group. */
export function vfpDataProcessing(cpu: Cpu, w: number): void {
  checkAccess(cpu);
  const v = cpu.vfp;
  const env = v.env;
  const dbl = ((w >>> 8) & 1) === 1;
  const f = dbl ? F64 : F32;
  const [d, n, m] = regs(w, dbl);
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
function vfpOther(cpu: Cpu, w: number, dbl: boolean, f: FloatFormat, d: number, m: number): void {
  const v = cpu.vfp;
  const env = v.env;
  const get = (i: number) => (dbl ? v.d(i) : v.s(i));
  const set = (i: number, x: bigint) => (dbl ? v.setD(i, x) : v.setS(i, x));
  const opc2 = (w >>> 16) & 0xf;
  const opc3 = (w >>> 6) & 3;
  if ((opc3 & 1) === 0) {
    set(d, expandImm(((w >>> 12) & 0xf0) | (w & 0xf), f));
    return;
  }
  const top = opc3 >>> 1; // bit 7
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

/** VMOV between a core register and a single-precision register. */
export function vmovCoreSingle(cpu: Cpu, w: number): void {
  checkAccess(cpu);
  const n = sReg((w >>> 16) & 0xf, (w >>> 7) & 1);
  const t = (w >>> 12) & 0xf;
  if (w & 0x00100000) cpu.r[t] = cpu.vfp.words[n]!;
  else cpu.vfp.words[n] = cpu.r[t]!;
}

/** VMOV between a core register and a 32-bit scalar Dn[x] (other sizes are Advanced SIMD). */
export function vmovCoreScalar(cpu: Cpu, w: number): void {
  checkAccess(cpu);
  if ((w & 0x00400060) !== 0) throw UNDEFINED;
  const dn = dReg((w >>> 16) & 0xf, (w >>> 7) & 1);
  const word = dn * 2 + ((w >>> 21) & 1);
  const t = (w >>> 12) & 0xf;
  if (w & 0x00100000) cpu.r[t] = cpu.vfp.words[word]!;
  else cpu.vfp.words[word] = cpu.r[t]!;
}

/** VMOV between two core registers and two singles or one double. */
export function vmovCorePair(cpu: Cpu, w: number): void {
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
export function vmrsVmsr(cpu: Cpu, w: number): void {
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
export function vldrVstr(cpu: Cpu, w: number): void {
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
export function vldmVstm(cpu: Cpu, w: number): void {
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
function transfer(cpu: Cpu, addr: number, first: number, count: number, load: boolean): void {
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
