/**
 * Advanced SIMD three-register instructions: same length (A7.4.1), different lengths (A7.4.2) and
 * two registers with a scalar (A7.4.3). Executors take the A32 form of the word.
 */
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import * as fp from './neon-float.ts';
import {
  bitsOf,
  getLane,
  laneArray,
  neonAccess,
  neonRegs,
  readVector,
  setQc,
  writeVector,
} from './neon-lanes.ts';
import { doublingMultiplyHigh, polyMultiply, saturate, shiftByRegister } from './neon-saturate.ts';
import type { FpEnv } from '../vfp/softfloat.ts';

type Lane = (a: bigint, b: bigint, d: bigint) => bigint;
type FloatLane = (a: bigint, b: bigint, d: bigint, env: FpEnv) => bigint;

const abs = (x: bigint) => (x < 0n ? -x : x);

/** Applies `op` lane by lane to Vn, Vm and the old Vd, writing Vd. */
function lanewise(cpu: ExecContext, w: number, size: number, signed: boolean, op: Lane): void {
  const { d, n, m } = neonRegs(w);
  const regs = (w >>> 6) & 1 ? 2 : 1;
  if (regs === 2) neonAccess(cpu, d, n, m);
  else neonAccess(cpu);
  const a = readVector(cpu, n, regs, size, signed);
  const b = readVector(cpu, m, regs, size, signed);
  const old = readVector(cpu, d, regs, size, signed);
  writeVector(
    cpu,
    d,
    size,
    a.map((x, i) => op(x, b[i]!, old[i]!)),
  );
}

/** Pairwise operations (D registers only): adjacent pairs of Vn, then of Vm. */
function pairwise(
  cpu: ExecContext,
  w: number,
  size: number,
  signed: boolean,
  op: (a: bigint, b: bigint) => bigint,
): void {
  if ((w >>> 6) & 1) throw UNDEFINED;
  neonAccess(cpu);
  const { d, n, m } = neonRegs(w);
  const all = [...readVector(cpu, n, 1, size, signed), ...readVector(cpu, m, 1, size, signed)];
  const out: bigint[] = [];
  for (let i = 0; i < all.length; i += 2) out.push(op(all[i]!, all[i + 1]!));
  writeVector(cpu, d, size, out);
}

/** A lane operation that may saturate: sets QC when it does. */
function saturating(
  cpu: ExecContext,
  bits: number,
  signed: boolean,
  exact: (a: bigint, b: bigint) => bigint,
): Lane {
  return (a, b) => {
    const r = saturate(exact(a, b), bits, signed);
    if (r.saturated) setQc(cpu);
    return r.value;
  };
}

/** Three registers of the same length. */
export function threeSame(cpu: ExecContext, w: number): void {
  const op = (w >>> 8) & 0xf;
  const b = (w >>> 4) & 1;
  const u = (w >>> 24) & 1;
  const size = (w >>> 20) & 3;
  if (op >= 0xc) return threeSameFloat(cpu, w, op, b, u);
  const signed = u === 0;
  const bits = bitsOf(size);
  const wide =
    ((op === 0 || op === 2) && b === 1) ||
    op === 4 ||
    op === 5 ||
    (op === 8 && b === 0) ||
    (op === 1 && b === 1);
  if (size === 3 && !wide) throw UNDEFINED;
  if (op === 8 && b === 0 && size !== 3) return addSubFast(cpu, w, size as 0 | 1 | 2, u === 1);
  if (op === 1 && b === 1) return logicalFast(cpu, w, ((w >>> 20) & 3) | (u << 2)); // VAND ... VBIF
  switch ((op << 1) | b) {
    case 0: // VHADD
      return lanewise(cpu, w, size, signed, (x, y) => (x + y) >> 1n);
    case 1: // VQADD
      return lanewise(
        cpu,
        w,
        size,
        signed,
        saturating(cpu, bits, signed, (x, y) => x + y),
      );
    case 2: // VRHADD
      return lanewise(cpu, w, size, signed, (x, y) => (x + y + 1n) >> 1n);
    case 4: // VHSUB
      return lanewise(cpu, w, size, signed, (x, y) => (x - y) >> 1n);
    case 5: // VQSUB
      return lanewise(
        cpu,
        w,
        size,
        signed,
        saturating(cpu, bits, signed, (x, y) => x - y),
      );
    case 6: // VCGT
      return lanewise(cpu, w, size, signed, (x, y) => (x > y ? -1n : 0n));
    case 7: // VCGE
      return lanewise(cpu, w, size, signed, (x, y) => (x >= y ? -1n : 0n));
    // the shifts by register shift Vm by Vn: the lane op sees (n, m)
    case 8: // VSHL
      return lanewise(cpu, w, size, signed, (x, y) => shiftByRegister(y, x, false));
    case 9: // VQSHL
      return lanewise(
        cpu,
        w,
        size,
        signed,
        saturating(cpu, bits, signed, (x, y) => shiftByRegister(y, x, false)),
      );
    case 10: // VRSHL
      return lanewise(cpu, w, size, signed, (x, y) => shiftByRegister(y, x, true));
    case 11: // VQRSHL
      return lanewise(
        cpu,
        w,
        size,
        signed,
        saturating(cpu, bits, signed, (x, y) => shiftByRegister(y, x, true)),
      );
    case 12: // VMAX
      return lanewise(cpu, w, size, signed, (x, y) => (x > y ? x : y));
    case 13: // VMIN
      return lanewise(cpu, w, size, signed, (x, y) => (x < y ? x : y));
    case 14: // VABD
      return lanewise(cpu, w, size, signed, (x, y) => abs(x - y));
    case 15: // VABA
      return lanewise(cpu, w, size, signed, (x, y, acc) => acc + abs(x - y));
    case 16: // VADD / VSUB
      return lanewise(cpu, w, size, false, u ? (x, y) => x - y : (x, y) => x + y);
    case 17: // VTST / VCEQ
      return lanewise(
        cpu,
        w,
        size,
        false,
        u ? (x, y) => (x === y ? -1n : 0n) : (x, y) => ((x & y) !== 0n ? -1n : 0n),
      );
    case 18: // VMLA / VMLS
      return lanewise(cpu, w, size, false, u ? (x, y, acc) => acc - x * y : (x, y, acc) => acc + x * y);
    case 19: // VMUL (integer, or polynomial bytes)
      if (u && size !== 0) throw UNDEFINED;
      return lanewise(cpu, w, size, false, u ? (x, y) => polyMultiply(x, y, 8) : (x, y) => x * y);
    case 20: // VPMAX
      return pairwise(cpu, w, size, signed, (x, y) => (x > y ? x : y));
    case 21: // VPMIN
      return pairwise(cpu, w, size, signed, (x, y) => (x < y ? x : y));
    case 22: // VQDMULH / VQRDMULH
      if (size === 0) throw UNDEFINED;
      return lanewise(cpu, w, size, true, (x, y) => {
        const r = doublingMultiplyHigh(x, y, bits, u === 1);
        if (r.saturated) setQc(cpu);
        return r.value;
      });
    case 23: // VPADD
      if (u) throw UNDEFINED;
      return pairwise(cpu, w, size, false, (x, y) => x + y);
  }
  throw UNDEFINED;
}

/** Register numbers of a same-length operation and its lane count, after the Q-register check. */
function sameShape(
  cpu: ExecContext,
  w: number,
  size: number,
): { d: number; n: number; m: number; lanes: number } {
  const { d, n, m } = neonRegs(w);
  const q = (w >>> 6) & 1;
  if (q) neonAccess(cpu, d, n, m);
  else neonAccess(cpu);
  return { d, n, m, lanes: (q ? 16 : 8) >> size };
}

/** VADD and VSUB of 8-, 16- and 32-bit lanes on the register file's typed views (no bigint). */
function addSubFast(cpu: ExecContext, w: number, size: 0 | 1 | 2, subtract: boolean): void {
  const { d, n, m, lanes } = sameShape(cpu, w, size);
  const v = laneArray(cpu, size);
  const [dd, nn, mm] = [(d * 8) >> size, (n * 8) >> size, (m * 8) >> size];
  for (let i = 0; i < lanes; i++) v[dd + i] = subtract ? v[nn + i]! - v[mm + i]! : v[nn + i]! + v[mm + i]!;
}

/**
 * VAND, VBIC, VORR, VORN / VEOR, VBSL, VBIT, VBIF (op = U:size) on 32-bit words; lane i only reads
 * lane i, so overlapping registers are harmless.
 */
function logicalFast(cpu: ExecContext, w: number, op: number): void {
  const { d, n, m, lanes } = sameShape(cpu, w, 2);
  const v = cpu.vfp.words;
  for (let i = 0; i < lanes; i++) {
    const x = v[2 * n + i]!;
    const y = v[2 * m + i]!;
    const z = v[2 * d + i]!;
    switch (op) {
      case 0:
        v[2 * d + i] = x & y;
        break;
      case 1:
        v[2 * d + i] = x & ~y;
        break;
      case 2:
        v[2 * d + i] = x | y;
        break;
      case 3:
        v[2 * d + i] = x | ~y;
        break;
      case 4:
        v[2 * d + i] = x ^ y;
        break;
      case 5:
        v[2 * d + i] = (x & z) | (y & ~z);
        break;
      case 6:
        v[2 * d + i] = (x & y) | (z & ~y);
        break;
      default:
        v[2 * d + i] = (z & y) | (x & ~y);
    }
  }
}

/** The single-precision members of the three-same group (size bit 0 must be clear: no half precision). */
function threeSameFloat(cpu: ExecContext, w: number, op: number, b: number, u: number): void {
  if ((w >>> 20) & 1) throw UNDEFINED;
  const high = (w >>> 21) & 1;
  const lanes = (f: FloatLane) =>
    lanewise(cpu, w, 2, false, (x, y, d) => fp.withStandard(cpu, (env) => f(x, y, d, env)));
  const pairs = (f: (x: bigint, y: bigint, env: FpEnv) => bigint) =>
    pairwise(cpu, w, 2, false, (x, y) => fp.withStandard(cpu, (env) => f(x, y, env)));
  switch ((op << 2) | (b << 1) | u) {
    case 0b1100_1_0:
      return lanes(
        high ? (x, y, d, env) => fp.fusedSub(d, x, y, env) : (x, y, d, env) => fp.fusedAcc(d, x, y, env),
      );
    case 0b1101_0_0:
      return lanes(high ? (x, y, _d, env) => fp.sub(x, y, env) : (x, y, _d, env) => fp.add(x, y, env));
    case 0b1101_0_1:
      return high ? lanes((x, y, _d, env) => fp.absDiff(x, y, env)) : pairs(fp.add);
    case 0b1101_1_0:
      return lanes(
        high ? (x, y, d, env) => fp.mulSub(d, x, y, env) : (x, y, d, env) => fp.mulAcc(d, x, y, env),
      );
    case 0b1101_1_1:
      if (high) break;
      return lanes((x, y, _d, env) => fp.mul(x, y, env));
    case 0b1110_0_0:
      if (high) break;
      return lanes((x, y, _d, env) => fp.compare(x, y, 'eq', env));
    case 0b1110_0_1:
      return lanes((x, y, _d, env) => fp.compare(x, y, high ? 'gt' : 'ge', env));
    case 0b1110_1_1: // VACGE / VACGT
      return lanes((x, y, _d, env) => fp.compare(x & 0x7fffffffn, y & 0x7fffffffn, high ? 'gt' : 'ge', env));
    case 0b1111_0_0:
      return lanes((x, y, _d, env) => fp.maxMin(x, y, env, !high));
    case 0b1111_0_1:
      return pairs((x, y, env) => fp.maxMin(x, y, env, !high));
    case 0b1111_1_0:
      return lanes(
        high ? (x, y, _d, env) => fp.rsqrtStep(x, y, env) : (x, y, _d, env) => fp.recipStep(x, y, env),
      );
  }
  throw UNDEFINED;
}

/** Three registers of different lengths: long, wide and narrowing-high-half forms. */
export function threeDiff(cpu: ExecContext, w: number): void {
  const op = (w >>> 8) & 0xf;
  const u = (w >>> 24) & 1;
  const size = (w >>> 20) & 3;
  const signed = u === 0;
  const bits = bitsOf(size);
  const { d, n, m } = neonRegs(w);
  const narrowing = op === 4 || op === 6;
  const wideN = op === 1 || op === 3;
  if ((!narrowing && d & 1) || ((narrowing || wideN) && n & 1) || (narrowing && m & 1)) throw UNDEFINED;
  if ((op === 9 || op === 11 || op === 13) && (u || size === 0)) throw UNDEFINED;
  if (op === 14 && (u || size !== 0)) throw UNDEFINED;
  if (op === 15) throw UNDEFINED;
  neonAccess(cpu);
  const lanes = 8 >> size;
  const wideLane = (reg: number, i: number) => getLane(cpu, reg, i, size + 1, signed);
  const narrowLane = (reg: number, i: number) => getLane(cpu, reg, i, size, signed);
  const out: bigint[] = [];
  for (let i = 0; i < lanes; i++) {
    if (narrowing) {
      const x = getLane(cpu, n, i, size + 1, false);
      const y = getLane(cpu, m, i, size + 1, false);
      const r = op === 4 ? x + y : x - y;
      out.push((u ? r + (1n << BigInt(bits - 1)) : r) >> BigInt(bits));
      continue;
    }
    const x = wideN ? wideLane(n, i) : narrowLane(n, i);
    const y = narrowLane(m, i);
    const acc = getLane(cpu, d, i, size + 1, signed);
    switch (op) {
      case 0:
      case 1:
        out.push(x + y);
        break;
      case 2:
      case 3:
        out.push(x - y);
        break;
      case 5:
        out.push(acc + abs(x - y));
        break;
      case 7:
        out.push(abs(x - y));
        break;
      case 8:
        out.push(acc + x * y);
        break;
      case 10:
        out.push(acc - x * y);
        break;
      case 12:
        out.push(x * y);
        break;
      case 14:
        out.push(polyMultiply(BigInt.asUintN(8, x), BigInt.asUintN(8, y), 8));
        break;
      default: // VQDMLAL (9), VQDMLSL (11), VQDMULL (13)
        out.push(doublingLong(cpu, x, y, op === 13 ? undefined : acc, op === 11, bits));
    }
  }
  writeVector(cpu, d, narrowing ? size : size + 1, out);
}

/** VQDMULL and its accumulating forms: saturate 2*x*y, then (optionally) saturate the accumulation. */
function doublingLong(
  cpu: ExecContext,
  x: bigint,
  y: bigint,
  acc: bigint | undefined,
  subtract: boolean,
  bits: number,
): bigint {
  const p = saturate(2n * x * y, 2 * bits, true);
  if (p.saturated) setQc(cpu);
  if (acc === undefined) return p.value;
  const r = saturate(subtract ? acc - p.value : acc + p.value, 2 * bits, true);
  if (r.saturated) setQc(cpu);
  return r.value;
}

/** Two registers and a scalar: multiply (accumulate) by one lane of Dm. */
export function byScalar(cpu: ExecContext, w: number): void {
  const op = (w >>> 8) & 0xf;
  const size = (w >>> 20) & 3;
  const u = (w >>> 24) & 1; // Q for the same-length forms, unsigned for the long ones
  if (size === 0) throw UNDEFINED;
  const float = op === 1 || op === 5 || op === 9;
  if (float && size !== 2) throw UNDEFINED;
  const long = op === 2 || op === 3 || op === 6 || op === 7 || op === 10 || op === 11;
  if ((op === 3 || op === 7 || op === 11) && u) throw UNDEFINED;
  if (op === 14 || op === 15) throw UNDEFINED;
  const { d, n } = neonRegs(w);
  const vm = w & 0xf;
  const mBit = (w >>> 5) & 1;
  const scalarReg = size === 1 ? vm & 7 : vm;
  const index = size === 1 ? (mBit << 1) | (vm >>> 3) : mBit;
  const bits = bitsOf(size);
  const signed = long ? u === 0 : true;
  if (long) {
    if (d & 1) throw UNDEFINED;
  } else if (u && (d | n) & 1) throw UNDEFINED;
  neonAccess(cpu);
  const scalar = getLane(cpu, scalarReg, index, size, signed);
  const lanes = (long ? 8 : u ? 16 : 8) >> size;
  const out: bigint[] = [];
  for (let i = 0; i < lanes; i++) {
    const x = getLane(cpu, n, i, size, signed);
    const acc = getLane(cpu, d, i, long ? size + 1 : size, signed);
    switch (op) {
      case 0:
        out.push(acc + x * scalar);
        break;
      case 4:
        out.push(acc - x * scalar);
        break;
      case 8:
        out.push(x * scalar);
        break;
      case 1:
      case 5:
      case 9: {
        const xf = BigInt.asUintN(32, x);
        const sf = BigInt.asUintN(32, scalar);
        const af = BigInt.asUintN(32, acc);
        out.push(
          fp.withStandard(cpu, (env) =>
            op === 9
              ? fp.mul(xf, sf, env)
              : op === 1
                ? fp.mulAcc(af, xf, sf, env)
                : fp.mulSub(af, xf, sf, env),
          ),
        );
        break;
      }
      case 2:
        out.push(acc + x * scalar);
        break;
      case 6:
        out.push(acc - x * scalar);
        break;
      case 10:
        out.push(x * scalar);
        break;
      case 3:
      case 7:
      case 11:
        out.push(doublingLong(cpu, x, scalar, op === 11 ? undefined : acc, op === 7, bits));
        break;
      default: {
        // VQDMULH (12) / VQRDMULH (13)
        const r = doublingMultiplyHigh(x, scalar, bits, op === 13);
        if (r.saturated) setQc(cpu);
        out.push(r.value);
      }
    }
  }
  writeVector(cpu, d, long ? size + 1 : size, out);
}
