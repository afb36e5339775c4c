/**
 * Advanced SIMD register lanes: D0-D31 (Q0-Q15 are pairs) seen as vectors of 8-, 16-, 32- or 64-bit
 * elements, read and written as bigint so 64-bit lanes and 32x32-bit products stay exact.
 */
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { checkAccess } from '../vfp/vfp-instructions.ts';

/** Element size codes as the encodings spell them: 0 = 8 bits, 1 = 16, 2 = 32, 3 = 64. */
export type ElementSize = 0 | 1 | 2 | 3;

const views = new WeakMap<Int32Array, DataView>();

/** A little-endian view of the register file's bytes (D<i> starts at byte 8i). */
function viewOf(cpu: ExecContext): DataView {
  const words = cpu.vfp.words;
  let v = views.get(words);
  if (v === undefined) {
    v = new DataView(words.buffer, words.byteOffset, words.byteLength);
    views.set(words, v);
  }
  return v;
}

/** Element `i` of `size` counted from the start of D<reg> (it may run on into D<reg+1>). */
export function getLane(cpu: ExecContext, reg: number, i: number, size: number, signed: boolean): bigint {
  const v = viewOf(cpu);
  const at = reg * 8 + (i << size);
  switch (size) {
    case 0:
      return BigInt(signed ? v.getInt8(at) : v.getUint8(at));
    case 1:
      return BigInt(signed ? v.getInt16(at, true) : v.getUint16(at, true));
    case 2:
      return BigInt(signed ? v.getInt32(at, true) : v.getUint32(at, true));
    default:
      return signed ? v.getBigInt64(at, true) : v.getBigUint64(at, true);
  }
}

/** Writes element `i` of `size` from D<reg> on (the value is truncated to the element). */
export function setLane(cpu: ExecContext, reg: number, i: number, size: number, value: bigint): void {
  const v = viewOf(cpu);
  const at = reg * 8 + (i << size);
  switch (size) {
    case 0:
      v.setUint8(at, Number(value & 0xffn));
      return;
    case 1:
      v.setUint16(at, Number(value & 0xffffn), true);
      return;
    case 2:
      v.setUint32(at, Number(value & 0xffffffffn), true);
      return;
    default:
      v.setBigUint64(at, BigInt.asUintN(64, value), true);
  }
}

/** `regs` doublewords from D<reg> as elements of `size`. */
export function readVector(
  cpu: ExecContext,
  reg: number,
  regs: number,
  size: number,
  signed: boolean,
): bigint[] {
  const n = (regs * 8) >> size;
  const out = new Array<bigint>(n);
  for (let i = 0; i < n; i++) out[i] = getLane(cpu, reg, i, size, signed);
  return out;
}

/** Writes elements of `size` from D<reg> on. */
export function writeVector(cpu: ExecContext, reg: number, size: number, values: readonly bigint[]): void {
  for (let i = 0; i < values.length; i++) setLane(cpu, reg, i, size, values[i]!);
}

/** The raw 64 bits of D<reg>. */
export function getD(cpu: ExecContext, reg: number): bigint {
  return viewOf(cpu).getBigUint64(reg * 8, true);
}

/** Writes the raw 64 bits of D<reg>. */
export function setD(cpu: ExecContext, reg: number, value: bigint): void {
  viewOf(cpu).setBigUint64(reg * 8, BigInt.asUintN(64, value), true);
}

/** The three register fields of a data-processing word (A32 layout): D:Vd, N:Vn, M:Vm. */
export function neonRegs(w: number): { d: number; n: number; m: number } {
  return {
    d: ((w >>> 18) & 0x10) | ((w >>> 12) & 0xf),
    n: ((w >>> 3) & 0x10) | ((w >>> 16) & 0xf),
    m: ((w >>> 1) & 0x10) | (w & 0xf),
  };
}

/**
 * The checks every Advanced SIMD instruction makes first: the coprocessor access rights and
 * FPEXC.EN (as for VFP), then that Q-register operands name even D registers.
 */
export function neonAccess(cpu: ExecContext, ...qRegs: number[]): void {
  checkAccess(cpu);
  for (const r of qRegs) if (r & 1) throw UNDEFINED;
}

/** The element width in bits of a size code. */
export function bitsOf(size: number): number {
  return 8 << size;
}

/** Sets FPSCR.QC, the cumulative saturation flag. */
export function setQc(cpu: ExecContext): void {
  cpu.vfp.fpscr = cpu.vfp.fpscr | 0x08000000;
}

const bytes = new WeakMap<Int32Array, Uint8Array>();
const halves = new WeakMap<Int32Array, Uint16Array>();

/**
 * The register file as an array of `size` elements (8, 16 or 32 bits): element i of D<r> is at
 * index (8r >> size) + i. For the fast paths of whole-lane integer operations.
 */
export function laneArray(cpu: ExecContext, size: 0 | 1 | 2): Uint8Array | Uint16Array | Int32Array {
  const words = cpu.vfp.words;
  if (size === 2) return words;
  if (size === 0) {
    let a = bytes.get(words);
    if (a === undefined) bytes.set(words, (a = new Uint8Array(words.buffer, words.byteOffset, 256)));
    return a;
  }
  let a = halves.get(words);
  if (a === undefined) halves.set(words, (a = new Uint16Array(words.buffer, words.byteOffset, 128)));
  return a;
}
