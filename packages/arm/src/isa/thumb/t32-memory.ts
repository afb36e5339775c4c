/** Thumb-2 32-bit loads and stores: single, dual, exclusive, table branches and multiple. */
import * as ctl from '../a32/a32-control.ts';
import * as ls from '../a32/a32-loadstore.ts';
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { rd8, rm, rn, rt12 } from './t32-fields.ts';

/** LDR/STR/LDRB/LDRH/LDRSB/LDRSH (and T forms, PLD/PLI) with every Thumb-2 addressing mode. */
export function loadStore(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const n = rn(w);
  const t = rt12(w);
  const load = (w & 0x00100000) !== 0;
  const signed = (w & 0x01000000) !== 0;
  const size = ((w >>> 21) & 3) === 0 ? 1 : ((w >>> 21) & 3) === 1 ? 2 : 4;
  if (((w >>> 21) & 3) === 3 || (signed && !load)) throw UNDEFINED;
  let addr: number;
  let wb = 0;
  let writeback = false;
  let unprivileged = false;
  if (n === 15) {
    if (!load) throw UNDEFINED;
    const base = r[15]! & ~3;
    addr = w & 0x00800000 ? base + (w & 0xfff) : base - (w & 0xfff);
  } else if (w & 0x00800000) addr = (r[n]! + (w & 0xfff)) | 0;
  else if (w & 0x800) {
    const imm = w & 0xff;
    const off = w & 0x200 ? imm : -imm;
    const p = (w & 0x400) !== 0;
    unprivileged = (w & 0x700) === 0x600; // LDRT/STRT and friends: offset form, PL0 permissions
    addr = p ? (r[n]! + off) | 0 : r[n]!;
    writeback = (w & 0x100) !== 0;
    wb = (r[n]! + off) | 0;
    if (!writeback && !p) throw UNDEFINED;
  } else {
    if (w & 0x7c0) throw UNDEFINED;
    addr = (r[n]! + (r[rm(w)]! << ((w >>> 4) & 3))) | 0;
  }
  if (load && t === 15 && size !== 4) return; // PLD/PLI: no architectural effect
  const base = r[n]!;
  if (writeback) r[n] = wb;
  cpu.unprivileged = unprivileged;
  try {
    if (load) cpu.load(addr, size as 1 | 2 | 4, signed, t);
    else cpu.store(addr, size as 1 | 2 | 4, r[t]!);
  } catch (e) {
    r[n] = base;
    throw e;
  } finally {
    cpu.unprivileged = false;
  }
}

/** LDRD/STRD (immediate, pre/post-indexed, literal). */
export function loadStoreDual(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const n = rn(w);
  const t = rt12(w);
  const t2 = rd8(w);
  const imm = (w & 0xff) * 4;
  const up = (w & 0x00800000) !== 0;
  const pre = (w & 0x01000000) !== 0;
  const writeback = (w & 0x00200000) !== 0;
  const base = n === 15 ? r[15]! & ~3 : r[n]!;
  const offAddr = (up ? base + imm : base - imm) | 0;
  const addr = pre ? offAddr : base;
  cpu.checkAlign(addr, 4, !(w & 0x00100000));
  if (w & 0x00100000) {
    cpu.read32(addr + 4);
    r[t] = cpu.read32(addr);
    r[t2] = cpu.read32(addr + 4);
  } else {
    cpu.read32(addr + 4);
    cpu.write32(addr, r[t]!);
    cpu.write32(addr + 4, r[t2]!);
  }
  if (writeback && n !== 15) r[n] = offAddr;
}

/** LDREX/STREX (word, with an offset), and the B/H/D forms and TBB/TBH. */
export function exclusive(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const n = rn(w);
  const op = (w >>> 20) & 0x1f; // hw1 bits 8:4
  if (op === 0x04 || op === 0x05) {
    // word forms carry a scaled offset, which the A32 encodings lack
    const addr = (r[n]! + (w & 0xff) * 4) | 0;
    cpu.checkAlign(addr, 4, op === 0x04);
    if (op === 0x05) {
      r[rt12(w)] = cpu.read32(addr);
      cpu.exclusiveAddr = addr >>> 0;
      return;
    }
    const d = rd8(w);
    if (cpu.exclusiveAddr !== addr >>> 0) r[d] = 1;
    else {
      cpu.write32(addr, r[rt12(w)]!);
      r[d] = 0;
    }
    cpu.exclusiveAddr = -1;
    return;
  }
  const kind = (w >>> 4) & 0xf;
  if (op === 0x0d && (kind === 0 || kind === 1)) {
    // TBB/TBH: branch forward by twice a table entry
    const base = r[n]!;
    const index = r[rm(w)]!;
    const entry = kind === 0 ? cpu.read8((base + index) | 0) : cpu.read16((base + index * 2) | 0);
    cpu.branchTo(r[15]! + entry * 2);
    return;
  }
  const size = kind === 4 ? 2 : kind === 5 ? 3 : kind === 7 ? 1 : -1;
  if (size < 0) throw UNDEFINED;
  if (op === 0x0d) {
    ls.ldrex(cpu, (size << 21) | (n << 16) | (rt12(w) << 12));
    if (size === 1) r[rd8(w)] = r[rt12(w) + 1]!; // LDREXD names Rt2 freely in Thumb
    return;
  }
  if (op !== 0x0c) throw UNDEFINED;
  if (size === 1) {
    // STREXD: Rt, Rt2 in any registers; stage them as the pair the A32 executor expects
    const t = rt12(w);
    const t2 = rd8(w);
    const d = rm(w);
    const addr = r[n]!;
    cpu.checkAlign(addr, 8, true);
    if (cpu.exclusiveAddr !== addr >>> 0) {
      cpu.exclusiveAddr = -1;
      r[d] = 1;
      return;
    }
    cpu.read32(addr + 4);
    cpu.write32(addr, r[t]!);
    cpu.write32(addr + 4, r[t2]!);
    cpu.exclusiveAddr = -1;
    r[d] = 0;
    return;
  }
  ls.strex(cpu, (size << 21) | (n << 16) | (rm(w) << 12) | rt12(w));
}

/** LDM/STM (IA and DB, with writeback), SRS and RFE, through the A32 executors. */
export function multiple(cpu: ExecContext, w: number): void {
  const op = (w >>> 23) & 3;
  const wbit = w & 0x00200000;
  const load = w & 0x00100000;
  const n = rn(w);
  if (op === 1 || op === 2) {
    const pu = op === 1 ? 0x00800000 : 0x01000000;
    ls.ldmStm(cpu, 0xe8000000 | pu | wbit | load | (n << 16) | (w & 0xffff));
    return;
  }
  const pu = op === 0 ? 0x01000000 : 0x00800000; // DB or IA
  if (load) {
    ctl.rfe(cpu, 0xf8100000 | pu | wbit | (n << 16));
    return;
  }
  ctl.srs(cpu, 0xf8400000 | pu | wbit | (w & 0x1f));
  return;
}
