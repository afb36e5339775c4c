/**
 * Advanced SIMD two registers and a shift amount (A7.4.4): shifts right and left with rounding,
 * accumulation, insertion, saturation, narrowing and lengthening, and VCVT to and from fixed point.
 */
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import * as fp from './neon-float.ts';
import { bitsOf, getLane, neonAccess, neonRegs, readVector, setQc, writeVector } from './neon-lanes.ts';
import { extend, roundingShiftRight, saturate } from './neon-saturate.ts';

/** Element size and the immediate as one 7-bit number (L:imm6), from which shift amounts follow. */
export function shiftSize(w: number): { size: number; full: number } {
  const imm6 = (w >>> 16) & 0x3f;
  if ((w >>> 7) & 1) return { size: 3, full: 64 + imm6 };
  const size = imm6 & 0x20 ? 2 : imm6 & 0x10 ? 1 : 0;
  return { size, full: imm6 };
}

/** Two registers and a shift amount. */
export function shiftImmediate(cpu: ExecContext, w: number): void {
  const op = (w >>> 8) & 0xf;
  const u = (w >>> 24) & 1;
  const q = (w >>> 6) & 1;
  const { size, full } = shiftSize(w);
  const bits = bitsOf(size);
  const right = 2 * bits - full;
  const left = full - bits;
  const { d, m } = neonRegs(w);
  const signed = u === 0;
  if (op >= 8) return shiftLong(cpu, w, op, u, q, size, d, m);
  if (q && (d | m) & 1) throw UNDEFINED;
  if ((op === 4 || op === 6) && !u) throw UNDEFINED;
  neonAccess(cpu);
  const regs = q ? 2 : 1;
  const srcSigned = op === 6 || (signed && op !== 4 && op !== 5); // VQSHLU reads signed lanes
  const src = readVector(cpu, m, regs, size, srcSigned);
  const old = readVector(cpu, d, regs, size, false);
  const mask = (1n << BigInt(bits)) - 1n;
  const out = src.map((x, i) => {
    const acc = old[i]!;
    switch (op) {
      case 0:
        return x >> BigInt(right);
      case 1:
        return acc + (x >> BigInt(right));
      case 2:
        return roundingShiftRight(x, right);
      case 3:
        return acc + roundingShiftRight(x, right);
      case 4: {
        // VSRI: the top `right` bits of each lane keep Vd
        const keep = right === bits ? mask : ~(mask >> BigInt(right)) & mask;
        return (acc & keep) | (x >> BigInt(right));
      }
      case 5: {
        if (!u) return x << BigInt(left);
        const keep = ~(mask << BigInt(left)) & mask; // VSLI: the low `left` bits keep Vd
        return (acc & keep) | ((x << BigInt(left)) & mask);
      }
      default: {
        // VQSHLU (6, signed in, unsigned out) and VQSHL (7)
        const r = saturate(x << BigInt(left), bits, op === 7 && signed);
        if (r.saturated) setQc(cpu);
        return r.value;
      }
    }
  });
  writeVector(cpu, d, size, out);
}

/** The narrowing (8, 9), lengthening (10) and fixed-point conversion (14, 15) forms. */
function shiftLong(
  cpu: ExecContext,
  w: number,
  op: number,
  u: number,
  q: number,
  size: number,
  d: number,
  m: number,
): void {
  const bits = bitsOf(size);
  const { full } = shiftSize(w);
  if ((w >>> 7) & 1 && op !== 14 && op !== 15) throw UNDEFINED;
  if (op === 8 || op === 9) {
    // narrowing: the element size named is the result's; Vm is a Q register
    if (m & 1) throw UNDEFINED;
    neonAccess(cpu);
    const right = 2 * bits - full;
    const round = q === 1;
    const srcSigned = op === 9 ? u === 0 : true;
    const out: bigint[] = [];
    for (let i = 0; i < 8 >> size; i++) {
      const x = getLane(cpu, m, i, size + 1, op === 8 && u === 0 ? false : srcSigned);
      const shifted = round ? roundingShiftRight(x, right) : x >> BigInt(right);
      if (op === 8 && u === 0) {
        out.push(shifted); // VSHRN, VRSHRN: plain truncation
        continue;
      }
      const r = saturate(shifted, bits, op === 9 && u === 0);
      if (r.saturated) setQc(cpu);
      out.push(r.value);
    }
    writeVector(cpu, d, size, out);
    return;
  }
  if (op === 10) {
    if (q || d & 1) throw UNDEFINED;
    neonAccess(cpu);
    const left = full - bits;
    const src = readVector(cpu, m, 1, size, u === 0);
    writeVector(
      cpu,
      d,
      size + 1,
      src.map((x) => x << BigInt(left)),
    );
    return;
  }
  if (op === 14 || op === 15) {
    // VCVT between single precision and 32-bit fixed point with 64 - imm6 fraction bits
    if ((w >>> 7) & 1 || !(full & 0x20)) throw UNDEFINED;
    if (q && (d | m) & 1) throw UNDEFINED;
    neonAccess(cpu);
    const frac = 64 - full;
    const src = readVector(cpu, m, q ? 2 : 1, 2, false);
    const out = src.map((x) =>
      fp.withStandard(cpu, (env) =>
        op === 15
          ? fp.toFixed(x, u === 0, frac, env)
          : fp.fromFixed(extend(x, 32, u === 0), u === 0, frac, env),
      ),
    );
    writeVector(cpu, d, 2, out);
    return;
  }
  throw UNDEFINED;
}
