/** A32 loads and stores: single, halfword/signed/doubleword, multiple, and exclusive with the monitor. */
import { shiftImm } from '../alu.ts';
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { Mode } from '../../system/modes.ts';

/**
 * Computes the transfer address of a single load/store and performs the base writeback
 * (P: pre-index, U: add, W: writeback; post-indexed forms always write back).
 */
function address(cpu: ExecContext, w: number, offset: number): number {
  const r = cpu.r;
  const n = (w >>> 16) & 0xf;
  const base = r[n]!;
  const off = w & 0x00800000 ? offset : -offset;
  if (w & 0x01000000) {
    const a = (base + off) | 0;
    if (w & 0x00200000) r[n] = a;
    return a;
  }
  r[n] = (base + off) | 0;
  return base;
}

/** LDR/STR/LDRB/STRB (and the T forms) with an immediate or shifted-register offset. */
export function ldrStr(cpu: ExecContext, w: number): void {
  const offset =
    w & 0x02000000 ? shiftImm(cpu.r[w & 0xf]!, (w >>> 5) & 3, (w >>> 7) & 0x1f, cpu.c) : w & 0xfff;
  const t = (w >>> 12) & 0xf;
  const size = w & 0x00400000 ? 1 : 4;
  const n = (w >>> 16) & 0xf;
  const base = cpu.r[n]!;
  const value = cpu.r[t]!; // read before writeback: STR Rn, [Rn], #4 stores the old base
  const a = address(cpu, w, offset);
  cpu.unprivileged = (w & 0x01200000) === 0x00200000; // post-indexed with W: LDRT/STRT/LDRBT/STRBT
  try {
    if (w & 0x00100000) cpu.load(a, size, false, t);
    else cpu.store(a, size, value);
  } catch (e) {
    cpu.r[n] = base; // an aborted access leaves the base as it was
    throw e;
  } finally {
    cpu.unprivileged = false;
  }
}

/** STRH, LDRH, LDRSB, LDRSH, LDRD, STRD with an immediate (bit 22) or register offset. */
export function ldrhEtc(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const offset = w & 0x00400000 ? ((w >>> 4) & 0xf0) | (w & 0xf) : r[w & 0xf]!;
  const t = (w >>> 12) & 0xf;
  const n = (w >>> 16) & 0xf;
  const op = ((w >>> 5) & 3) | ((w >>> 18) & 4); // L:SH
  if (op === 2 || op === 3) {
    // LDRD/STRD: Rt must be even; word alignment is always required
    if (t & 1 || t === 14) throw UNDEFINED;
    const base = r[n]!;
    const a = address(cpu, w, offset);
    try {
      cpu.checkAlign(a, 4, op === 3);
      if (op === 2) cpu.load(a, 8, false, t, t + 1);
      else cpu.store(a, 8, r[t]!, r[t + 1]!);
    } catch (e) {
      r[n] = base;
      throw e;
    }
    return;
  }
  const value = r[t]!;
  const base = r[n]!;
  const a = address(cpu, w, offset);
  cpu.unprivileged = (w & 0x01200000) === 0x00200000; // LDRHT/STRHT/LDRSBT/LDRSHT
  try {
    if (op === 1) cpu.store(a, 2, value);
    else if (op === 5) cpu.load(a, 2, false, t);
    else if (op === 6) cpu.load(a, 1, true, t);
    else cpu.load(a, 2, true, t);
  } catch (e) {
    r[n] = base;
    throw e;
  } finally {
    cpu.unprivileged = false;
  }
}

/** True for the extra load/store encodings that exist (SH = 00 is the multiply space). */
export function isExtraLoadStore(w: number): boolean {
  return (w & 0x60) !== 0;
}

function popcount16(x: number): number {
  let v = x - ((x >>> 1) & 0x5555);
  v = (v & 0x3333) + ((v >>> 2) & 0x3333);
  v = (v + (v >>> 4)) & 0x0f0f;
  return (v + (v >>> 8)) & 0x1f;
}

/**
 * LDM/STM in all four address modes, with writeback, the user-bank forms (S without the PC) and
 * the exception-return form (LDM with S and the PC). The whole range is checked first, so a fault
 * leaves registers and memory untouched.
 */
export function ldmStm(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const list = w & 0xffff;
  const n = (w >>> 16) & 0xf;
  const count = popcount16(list);
  if (count === 0) throw UNDEFINED; // UNPREDICTABLE; refuse rather than guess
  const base = r[n]!;
  const up = (w & 0x00800000) !== 0;
  const pre = (w & 0x01000000) !== 0;
  const load = (w & 0x00100000) !== 0;
  const user = (w & 0x00400000) !== 0 && !(load && list & 0x8000);
  const start = up ? (pre ? base + 4 : base) : pre ? base - 4 * count : base - 4 * count + 4;
  cpu.checkAlign(start, 4, !load);
  cpu.read32(start); // range checks: both ends must be RAM before anything changes
  cpu.read32(start + 4 * (count - 1));
  const wb = (up ? base + 4 * count : base - 4 * count) | 0;
  let a = start | 0;
  if (load) {
    let pcValue = 0;
    for (let i = 0; i < 16; i++) {
      if (!(list & (1 << i))) continue;
      const v = cpu.read32(a);
      a += 4;
      if (i === 15) pcValue = v;
      else if (user) cpu.setBanked(Mode.usr, i, v);
      else r[i] = v;
    }
    if (w & 0x00200000 && !(list & (1 << n))) r[n] = wb;
    if (list & 0x8000) {
      if (w & 0x00400000) cpu.exceptionReturn(pcValue, cpu.currentSpsr);
      else cpu.bxWritePc(pcValue);
    }
  } else {
    for (let i = 0; i < 16; i++) {
      if (!(list & (1 << i))) continue;
      cpu.write32(a, user && i < 15 ? cpu.getBanked(Mode.usr, i) : r[i]!);
      a += 4;
    }
    if (w & 0x00200000) r[n] = wb;
  }
}

/** LDREX, LDREXB, LDREXH, LDREXD: load and tag the address in the exclusive monitor. */
export function ldrex(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const a = r[(w >>> 16) & 0xf]!;
  const t = (w >>> 12) & 0xf;
  switch ((w >>> 21) & 3) {
    case 0:
      cpu.checkAlign(a, 4, false);
      r[t] = cpu.read32(a);
      break;
    case 1:
      if (t & 1 || t === 14) throw UNDEFINED;
      cpu.checkAlign(a, 8, false);
      r[t] = cpu.read32(a);
      r[t + 1] = cpu.read32(a + 4);
      break;
    case 2:
      r[t] = cpu.read8(a);
      break;
    default:
      cpu.checkAlign(a, 2, false);
      r[t] = cpu.read16(a);
      break;
  }
  cpu.exclusiveAddr = a >>> 0;
}

/** STREX, STREXB, STREXH, STREXD: store only if the monitor holds the address; Rd = 0 on success. */
export function strex(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const a = r[(w >>> 16) & 0xf]!;
  const d = (w >>> 12) & 0xf;
  const t = w & 0xf;
  const size = (w >>> 21) & 3;
  const align = size === 0 ? 4 : size === 1 ? 8 : size === 2 ? 1 : 2;
  if (size === 1 && (t & 1 || t === 14)) throw UNDEFINED;
  cpu.checkAlign(a, align, true);
  if (cpu.exclusiveAddr !== a >>> 0) {
    cpu.exclusiveAddr = -1;
    r[d] = 1;
    return;
  }
  if (size === 0) cpu.write32(a, r[t]!);
  else if (size === 1) {
    cpu.read32(a + 4); // both words must be writable before either is written
    cpu.write32(a, r[t]!);
    cpu.write32(a + 4, r[t + 1]!);
  } else if (size === 2) cpu.write8(a, r[t]!);
  else cpu.write16(a, r[t]!);
  cpu.exclusiveAddr = -1;
  r[d] = 0;
}

/** CLREX: open the monitor. */
export function clrex(cpu: ExecContext): void {
  cpu.exclusiveAddr = -1;
}
