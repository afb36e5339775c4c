/**
 * Advanced SIMD two registers, miscellaneous (A7.4.5) and one register with a modified immediate
 * (A7.4.6).
 */
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { halfToSingle, singleToHalf } from '../vfp/half-precision.ts';
import * as fp from './neon-float.ts';
import {
  bitsOf,
  getD,
  getLane,
  neonAccess,
  neonRegs,
  readVector,
  setD,
  setQc,
  writeVector,
} from './neon-lanes.ts';
import { permute, reverse } from './neon-permute.ts';
import type { FpEnv } from '../vfp/softfloat.ts';
import { countLeadingSignBits, countLeadingZeros, popcount, saturate } from './neon-saturate.ts';

/** Two registers, miscellaneous. */
export function twoRegMisc(cpu: ExecContext, w: number): void {
  const a = (w >>> 16) & 3;
  const b = (w >>> 6) & 0x1f;
  const size = (w >>> 18) & 3;
  const q = b & 1;
  const { d, m } = neonRegs(w);
  const op = b >>> 1; // bits 10:7
  if (a === 2) return twoRegMiscNarrow(cpu, op, q, size, d, m);
  if (q && (d | m) & 1) throw UNDEFINED;
  const regs = q ? 2 : 1;
  const map = (sz: number, signed: boolean, f: (x: bigint) => bigint) => {
    neonAccess(cpu);
    writeVector(cpu, d, sz, readVector(cpu, m, regs, sz, signed).map(f));
  };
  const float = (f: (x: bigint, env: FpEnv) => bigint) => {
    if (size !== 2) throw UNDEFINED;
    map(2, false, (x) => fp.withStandard(cpu, (env) => f(x, env)));
  };
  if (a === 0) {
    if (size === 3) throw UNDEFINED;
    switch (op) {
      case 0:
      case 1:
      case 2:
        if (op + size >= 3) throw UNDEFINED;
        neonAccess(cpu);
        return writeVector(cpu, d, size, reverse(readVector(cpu, m, regs, size, false), size, 3 - op));
      case 4:
      case 5:
      case 12:
      case 13: {
        // VPADDL / VPADAL: pairs widened and summed (into Vd for VPADAL)
        neonAccess(cpu);
        const src = readVector(cpu, m, regs, size, (op & 1) === 0);
        const out: bigint[] = [];
        for (let i = 0; i < src.length; i += 2) {
          const acc = op >= 12 ? getLane(cpu, d, i >> 1, size + 1, false) : 0n;
          out.push(acc + src[i]! + src[i + 1]!);
        }
        return writeVector(cpu, d, size + 1, out);
      }
      case 8:
        return map(size, true, (x) => BigInt(countLeadingSignBits(x, bitsOf(size))));
      case 9:
        return map(size, false, (x) => BigInt(countLeadingZeros(x, bitsOf(size))));
      case 10:
        if (size !== 0) throw UNDEFINED;
        return map(0, false, (x) => BigInt(popcount(x)));
      case 11:
        if (size !== 0) throw UNDEFINED;
        return map(3, false, (x) => ~x);
      case 14:
      case 15:
        // VQABS / VQNEG
        return map(size, true, (x) => {
          const r = saturate(op === 14 && x >= 0n ? x : -x, bitsOf(size), true);
          if (r.saturated) setQc(cpu);
          return r.value;
        });
    }
    throw UNDEFINED;
  }
  if (a === 1) {
    const isFloat = (op & 8) !== 0;
    const kind = op & 7;
    if (kind === 5 || size === 3 || (isFloat && size !== 2)) throw UNDEFINED;
    if (isFloat) {
      if (kind === 6) return map(2, false, (x) => x & 0x7fffffffn);
      if (kind === 7) return map(2, false, (x) => x ^ 0x80000000n);
      const cmp = (['gt', 'ge', 'eq', 'le', 'lt'] as const)[kind]!;
      return float((x, env) => fp.compare(x, 0n, cmp, env));
    }
    return map(size, true, (x) => {
      switch (kind) {
        case 0:
          return x > 0n ? -1n : 0n;
        case 1:
          return x >= 0n ? -1n : 0n;
        case 2:
          return x === 0n ? -1n : 0n;
        case 3:
          return x <= 0n ? -1n : 0n;
        case 4:
          return x < 0n ? -1n : 0n;
        case 6:
          return x < 0n ? -x : x;
        default:
          return -x;
      }
    });
  }
  // a === 3: estimates and conversions between single precision and 32-bit integers
  if (size !== 2) throw UNDEFINED;
  if (op >> 2 === 2) {
    const isFloat = (op & 2) !== 0;
    const sqrt = (op & 1) !== 0;
    if (!isFloat) return map(2, false, sqrt ? fp.rsqrtEstimateU32 : fp.recipEstimateU32);
    return float((x, env) => (sqrt ? fp.rsqrtEstimateF32(x, env) : fp.recipEstimateF32(x, env)));
  }
  if (op >> 2 === 3) {
    const unsigned = (op & 1) === 1;
    if (op & 2) return float((x, env) => fp.toFixed(x, !unsigned, 0, env));
    return float((x, env) => fp.fromFixed(x, !unsigned, 0, env));
  }
  throw UNDEFINED;
}

/** The A = 10 half: permutes, narrowing moves, VSHLL by the element size, half-precision VCVT. */
function twoRegMiscNarrow(cpu: ExecContext, op: number, q: number, size: number, d: number, m: number): void {
  if (op <= 3) return permute(cpu, op, q, size, d, m);
  if (op === 4 || op === 5) {
    // VMOVN, VQMOVUN, VQMOVN.S, VQMOVN.U: bits 7:6
    if (size === 3 || m & 1) throw UNDEFINED;
    neonAccess(cpu);
    const kind = ((op & 1) << 1) | q;
    const bits = bitsOf(size);
    const src = readVector(cpu, m, 2, size + 1, kind !== 3);
    const out = src.map((x) => {
      if (kind === 0) return x;
      const r = saturate(x, bits, kind === 2);
      if (r.saturated) setQc(cpu);
      return r.value;
    });
    return writeVector(cpu, d, size, out);
  }
  if (op === 6 && !q) {
    // VSHLL by the element size
    if (size === 3 || d & 1) throw UNDEFINED;
    neonAccess(cpu);
    const src = readVector(cpu, m, 1, size, false);
    return writeVector(
      cpu,
      d,
      size + 1,
      src.map((x) => x << BigInt(bitsOf(size))),
    );
  }
  if ((op === 12 || op === 14) && !q) {
    if (size !== 1) throw UNDEFINED;
    const ahp = ((cpu.vfp.fpscr >>> 26) & 1) === 1;
    if (op === 12) {
      // VCVT.F16.F32 Dd, Qm
      if (m & 1) throw UNDEFINED;
      neonAccess(cpu);
      const src = readVector(cpu, m, 2, 2, false);
      const out = fp.withStandard(cpu, (env) => src.map((x) => singleToHalf(x, env, ahp)));
      return writeVector(cpu, d, 1, out);
    }
    if (d & 1) throw UNDEFINED;
    neonAccess(cpu);
    const src = readVector(cpu, m, 1, 1, false);
    const out = fp.withStandard(cpu, (env) => src.map((x) => halfToSingle(x, env, ahp)));
    return writeVector(cpu, d, 2, out);
  }
  throw UNDEFINED;
}

/** The 64-bit constant of a modified immediate (AdvSIMDExpandImm). */
export function expandImmediate(op: number, cmode: number, imm8: number): bigint {
  const i = BigInt(imm8);
  const rep2 = (x: bigint) => x | (x << 32n);
  const rep4 = (x: bigint) => rep2(x | (x << 16n));
  switch (cmode >> 1) {
    case 0:
      return rep2(i);
    case 1:
      return rep2(i << 8n);
    case 2:
      return rep2(i << 16n);
    case 3:
      return rep2(i << 24n);
    case 4:
      return rep4(i);
    case 5:
      return rep4(i << 8n);
    case 6:
      return rep2(cmode & 1 ? (i << 16n) | 0xffffn : (i << 8n) | 0xffn);
  }
  if (cmode === 14) {
    if (!op) return rep4(i | (i << 8n));
    let r = 0n;
    for (let b = 0; b < 8; b++) if ((imm8 >> b) & 1) r |= 0xffn << BigInt(8 * b);
    return r;
  }
  if (op) throw UNDEFINED;
  const b6 = (imm8 >> 6) & 1;
  const f = (((imm8 >> 7) & 1) << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0x1f : 0) << 25) | ((imm8 & 0x3f) << 19);
  return rep2(BigInt(f >>> 0));
}

/** One register and a modified immediate: VMOV, VMVN, VORR and VBIC. */
export function oneRegImmediate(cpu: ExecContext, w: number): void {
  const q = (w >>> 6) & 1;
  const op = (w >>> 5) & 1;
  const cmode = (w >>> 8) & 0xf;
  const imm8 = (((w >>> 24) & 1) << 7) | (((w >>> 16) & 7) << 4) | (w & 0xf);
  const { d } = neonRegs(w);
  if (q && d & 1) throw UNDEFINED;
  const imm = expandImmediate(op, cmode, imm8);
  neonAccess(cpu);
  const logic = (cmode & 1) === 1 && cmode < 12;
  for (let r = d; r < d + (q ? 2 : 1); r++) {
    if (!logic) setD(cpu, r, op && cmode !== 14 ? ~imm : imm);
    else setD(cpu, r, op ? getD(cpu, r) & ~imm : getD(cpu, r) | imm);
  }
}
