/**
 * Advanced SIMD instructions that move elements without computing: VREV, VSWP, VTRN, VUZP, VZIP,
 * VEXT, VTBL/VTBX, VDUP (scalar and core register) and VMOV between a core register and a scalar.
 */
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { getLane, neonAccess, neonRegs, readVector, setLane, writeVector } from './neon-lanes.ts';
import { checkAccess } from '../vfp/vfp-instructions.ts';

/** Reverses the order of `size` elements within each group of 8 << group bits (VREV16/32/64). */
export function reverse(values: readonly bigint[], size: number, group: number): bigint[] {
  const per = 1 << (group - size);
  return values.map((_, i) => values[(i & ~(per - 1)) | (per - 1 - (i & (per - 1)))]!);
}

/** VSWP (op 0), VTRN (1), VUZP (2), VZIP (3). */
export function permute(cpu: ExecContext, op: number, q: number, size: number, d: number, m: number): void {
  if (q && (d | m) & 1) throw UNDEFINED;
  if (op === 0 && size !== 0) throw UNDEFINED;
  if (size === 3 || (op >= 2 && !q && size === 2)) throw UNDEFINED;
  neonAccess(cpu);
  const regs = q ? 2 : 1;
  const x = readVector(cpu, d, regs, size, false);
  const y = readVector(cpu, m, regs, size, false);
  const n = x.length;
  let outD: bigint[];
  let outM: bigint[];
  switch (op) {
    case 0:
      outD = y;
      outM = x;
      break;
    case 1:
      if (size === 2 && d === m) {
        // UNPREDICTABLE; the reference swaps the words of each pair one after the other
        writeVector(cpu, d, 2, reverse(x, 2, 3));
        return;
      }
      outD = x.map((v, i) => (i & 1 ? y[i - 1]! : v));
      outM = y.map((v, i) => (i & 1 ? v : x[i + 1]!));
      break;
    case 2: {
      const all = [...x, ...y];
      outD = all.filter((_, i) => (i & 1) === 0);
      outM = all.filter((_, i) => (i & 1) === 1);
      break;
    }
    default: {
      const all: bigint[] = [];
      for (let i = 0; i < n; i++) all.push(x[i]!, y[i]!);
      outD = all.slice(0, n);
      outM = all.slice(n);
    }
  }
  // Vd = Vm is UNPREDICTABLE; writing Vm first leaves Vd's half, as the reference does
  writeVector(cpu, m, size, outM);
  writeVector(cpu, d, size, outD);
}

/** VEXT: bytes of Vm:Vn from byte imm4 on. */
export function vext(cpu: ExecContext, w: number): void {
  const { d, n, m } = neonRegs(w);
  const q = (w >>> 6) & 1;
  const imm4 = (w >>> 8) & 0xf;
  if (q ? (d | n | m) & 1 : imm4 > 7) throw UNDEFINED;
  neonAccess(cpu);
  const regs = q ? 2 : 1;
  const all = [...readVector(cpu, n, regs, 0, false), ...readVector(cpu, m, regs, 0, false)];
  writeVector(cpu, d, 0, all.slice(imm4, imm4 + regs * 8));
}

/** VTBL and VTBX: bytes looked up in a table of one to four consecutive D registers. */
export function vtbl(cpu: ExecContext, w: number): void {
  const { d, n, m } = neonRegs(w);
  const len = ((w >>> 8) & 3) + 1;
  const extension = ((w >>> 6) & 1) === 1;
  if (n + len > 32) throw UNDEFINED;
  neonAccess(cpu);
  const table = readVector(cpu, n, len, 0, false);
  const index = readVector(cpu, m, 1, 0, false);
  const old = readVector(cpu, d, 1, 0, false);
  writeVector(
    cpu,
    d,
    0,
    index.map((i, k) => (i < BigInt(table.length) ? table[Number(i)]! : extension ? old[k]! : 0n)),
  );
}

/** VDUP (scalar): one lane of Dm into every lane of Vd. */
export function vdupScalar(cpu: ExecContext, w: number): void {
  const { d, m } = neonRegs(w);
  const q = (w >>> 6) & 1;
  const imm4 = (w >>> 16) & 0xf;
  const size = imm4 & 1 ? 0 : imm4 & 2 ? 1 : imm4 & 4 ? 2 : 3;
  if (size === 3 || (q && d & 1)) throw UNDEFINED;
  neonAccess(cpu);
  const value = getLane(cpu, m, imm4 >>> (size + 1), size, false);
  writeVector(cpu, d, size, new Array<bigint>((q ? 16 : 8) >> size).fill(value));
}

/** VDUP (core register): Rt's low element into every lane of Vd. */
export function vdupCore(cpu: ExecContext, w: number): void {
  const be = (((w >>> 22) & 1) << 1) | ((w >>> 5) & 1);
  const q = (w >>> 21) & 1;
  const d = ((w >>> 3) & 0x10) | ((w >>> 16) & 0xf);
  if (be === 3 || (q && d & 1)) throw UNDEFINED;
  checkAccess(cpu);
  const size = be === 0 ? 2 : be === 1 ? 1 : 0;
  const value = BigInt(cpu.r[(w >>> 12) & 0xf]! >>> 0);
  writeVector(cpu, d, size, new Array<bigint>((q ? 16 : 8) >> size).fill(value));
}

/**
 * VMOV between a core register and an 8-, 16- or 32-bit scalar (the 32-bit form is also VFP):
 * opc1:opc2 give the size and index, U the extension of a loaded scalar.
 */
export function vmovScalar(cpu: ExecContext, w: number): void {
  const opc = (((w >>> 21) & 3) << 2) | ((w >>> 5) & 3);
  const toCore = ((w >>> 20) & 1) === 1;
  const u = (w >>> 23) & 1;
  const reg = ((w >>> 3) & 0x10) | ((w >>> 16) & 0xf);
  const t = (w >>> 12) & 0xf;
  let size: number;
  let index: number;
  if (opc & 8) [size, index] = [0, opc & 7];
  else if (opc & 1) [size, index] = [1, (opc >>> 1) & 3];
  else if ((opc & 3) === 0) [size, index] = [2, (opc >>> 2) & 1];
  else throw UNDEFINED;
  if ((u && (size === 2 || !toCore)) || (!toCore && (w >>> 23) & 1)) throw UNDEFINED;
  checkAccess(cpu);
  if (toCore) cpu.r[t] = Number(getLane(cpu, reg, index, size, u === 0));
  else setLane(cpu, reg, index, size, BigInt(cpu.r[t]!));
}
