/**
 * Thumb-2 32-bit instructions (hw1 << 16 | hw2). Where an encoding means exactly what an A32 one
 * does, it is re-encoded and run by the A32 executor, so both instruction sets share one semantics.
 */
import * as ctl from './a32-control.ts';
import * as ls from './a32-loadstore.ts';
import * as media from './a32-media.ts';
import * as mul from './a32-multiply.ts';
import {
  conditionPassed,
  dataProcessing,
  expandThumbImm,
  logicFlags,
  shifterCarry,
  shiftImm,
  shiftReg,
} from './alu.ts';
import type { Cpu } from './cpu.ts';
import { UNDEFINED } from './exceptions.ts';
import type { ThumbEntry } from './t16.ts';
import * as vfp from './vfp-instructions.ts';

const rn = (w: number) => (w >>> 16) & 0xf;
const rd8 = (w: number) => (w >>> 8) & 0xf; // Rd in hw2 bits 11:8
const rt12 = (w: number) => (w >>> 12) & 0xf; // Rt/Ra/RdLo in hw2 bits 15:12
const rm = (w: number) => w & 0xf;

// ---- branches ------------------------------------------------------------------------------------

/** B<c>.W (T3). */
function bCond(cpu: Cpu, w: number): void {
  if (!conditionPassed(cpu, (w >>> 22) & 0xf)) return;
  const off =
    (((((w >>> 26) & 1) << 20) |
      (((w >>> 11) & 1) << 19) |
      (((w >>> 13) & 1) << 18) |
      (((w >>> 16) & 0x3f) << 12) |
      ((w & 0x7ff) << 1)) <<
      11) >>
    11;
  cpu.branchTo(cpu.r[15]! + off);
}

/** The 25-bit offset of B.W (T4), BL and BLX. */
function offset25(w: number): number {
  const s = (w >>> 26) & 1;
  const i1 = ~(((w >>> 13) & 1) ^ s) & 1;
  const i2 = ~(((w >>> 11) & 1) ^ s) & 1;
  return (
    (((s << 24) | (i1 << 23) | (i2 << 22) | (((w >>> 16) & 0x3ff) << 12) | ((w & 0x7ff) << 1)) << 7) >> 7
  );
}

/** B.W (T4). */
function bWide(cpu: Cpu, w: number): void {
  cpu.branchTo(cpu.r[15]! + offset25(w));
}

/** BL. */
function bl(cpu: Cpu, w: number): void {
  cpu.r[14] = (cpu.insnAddr + 4) | 1;
  cpu.branchTo(cpu.r[15]! + offset25(w));
}

/** BLX #imm: to ARM state, from the word-aligned PC. */
function blx(cpu: Cpu, w: number): void {
  if (w & 1) throw UNDEFINED;
  cpu.r[14] = (cpu.insnAddr + 4) | 1;
  cpu.t = 0;
  cpu.branchTo((cpu.r[15]! & ~3) + offset25(w));
}

// ---- data processing -----------------------------------------------------------------------------

/** The Thumb data-processing opcodes (hw1 bits 8:5) with their compare and move aliases. */
function dp(cpu: Cpu, w: number, b: number, carry: number): void {
  const s = (w & 0x00100000) !== 0;
  const n = rn(w);
  const d = rd8(w);
  const a = cpu.r[n]!;
  let op: number;
  switch ((w >>> 21) & 0xf) {
    case 0:
      op = d === 15 && s ? 8 : 0;
      break;
    case 1:
      op = 14;
      break;
    case 2:
      op = n === 15 ? 13 : 12;
      break;
    case 3: // ORN (MVN when Rn is the PC): ORR with the inverted operand
      if (n === 15) op = 15;
      else {
        cpu.r[d] = dataProcessing(cpu, 12, a, ~b, carry, s);
        return;
      }
      break;
    case 4:
      op = d === 15 && s ? 9 : 1;
      break;
    case 8:
      op = d === 15 && s ? 11 : 4;
      break;
    case 10:
      op = 5;
      break;
    case 11:
      op = 6;
      break;
    case 13:
      op = d === 15 && s ? 10 : 2;
      break;
    case 14:
      op = 3;
      break;
    default:
      throw UNDEFINED;
  }
  const r = dataProcessing(cpu, op, a, b, carry, s);
  if ((op & 0xc) !== 8) cpu.r[d] = r;
}

/** <op> Rd, Rn, #const (modified immediate). */
function dpModImm(cpu: Cpu, w: number): void {
  const imm12 = ((w >>> 15) & 0x800) | ((w >>> 4) & 0x700) | (w & 0xff);
  const b = expandThumbImm(imm12, cpu.c);
  dp(cpu, w, b, shifterCarry);
}

/** <op> Rd, Rn, Rm, <shift> #imm. */
function dpShiftedReg(cpu: Cpu, w: number): void {
  const imm5 = ((w >>> 10) & 0x1c) | ((w >>> 6) & 3);
  const b = shiftImm(cpu.r[rm(w)]!, (w >>> 4) & 3, imm5, cpu.c);
  dp(cpu, w, b, shifterCarry);
}

/** PKHBT/PKHTB, through the A32 executor. */
function pkh(cpu: Cpu, w: number): void {
  const imm5 = ((w >>> 10) & 0x1c) | ((w >>> 6) & 3);
  media.pkh(cpu, (rn(w) << 16) | (rd8(w) << 12) | (imm5 << 7) | ((w & 0x20) << 1) | rm(w));
}

/** ADDW, SUBW, ADR, MOVW, MOVT, SSAT, USAT, SBFX, UBFX, BFI, BFC: the plain-immediate group. */
function plainImm(cpu: Cpu, w: number): void {
  const n = rn(w);
  const d = rd8(w);
  const imm12 = ((w >>> 15) & 0x800) | ((w >>> 4) & 0x700) | (w & 0xff);
  const imm5 = ((w >>> 10) & 0x1c) | ((w >>> 6) & 3);
  const r = cpu.r;
  switch ((w >>> 20) & 0x1f) {
    case 0x00:
      r[d] = n === 15 ? (r[15]! & ~3) + imm12 : (r[n]! + imm12) | 0;
      return;
    case 0x0a:
      r[d] = n === 15 ? (r[15]! & ~3) - imm12 : (r[n]! - imm12) | 0;
      return;
    case 0x04:
      r[d] = (n << 12) | imm12;
      return;
    case 0x0c:
      r[d] = (((n << 12) | imm12) << 16) | (r[d]! & 0xffff);
      return;
    case 0x10:
    case 0x12:
    case 0x18:
    case 0x1a: {
      const unsigned = (w & 0x00800000) !== 0;
      const sh = (w >>> 21) & 1;
      if (sh && imm5 === 0)
        media.sat16(cpu, (unsigned ? 0x06e00030 : 0x06a00030) | ((w & 0xf) << 16) | (d << 12) | n);
      else
        media.sat(
          cpu,
          (unsigned ? 0x06e00010 : 0x06a00010) | ((w & 0x1f) << 16) | (d << 12) | (imm5 << 7) | (sh << 6) | n,
        );
      return;
    }
    case 0x14:
      media.bfx(cpu, 0x07a00050 | ((w & 0x1f) << 16) | (d << 12) | (imm5 << 7) | n);
      return;
    case 0x1c:
      media.bfx(cpu, 0x07e00050 | ((w & 0x1f) << 16) | (d << 12) | (imm5 << 7) | n);
      return;
    case 0x16:
      media.bfi(cpu, 0x07c00010 | ((w & 0x1f) << 16) | (d << 12) | (imm5 << 7) | n);
      return;
    default:
      throw UNDEFINED;
  }
}

/** LSL/LSR/ASR/ROR Rd, Rn, Rm. */
function shiftByReg(cpu: Cpu, w: number): void {
  const v = shiftReg(cpu.r[rn(w)]!, (w >>> 21) & 3, cpu.r[rm(w)]!, cpu.c);
  cpu.r[rd8(w)] = v;
  if (w & 0x00100000) logicFlags(cpu, v, shifterCarry);
}

const EXTEND_OP = [3, 7, 0, 4, 2, 6];

/** SXTAH ... UXTB (Rn = 15 means no accumulate), through the A32 executor. */
function extend(cpu: Cpu, w: number): void {
  const op = EXTEND_OP[(w >>> 20) & 7];
  if (op === undefined) throw UNDEFINED;
  media.extend(
    cpu,
    0x06800070 | (op << 20) | (rn(w) << 16) | (rd8(w) << 12) | (((w >>> 4) & 3) << 10) | rm(w),
  );
}

const PARALLEL_OP = [4, 0, 1, -1, 7, 3, 2, -1];

/** The parallel add/subtract family, through the A32 executor. */
function parallel(cpu: Cpu, w: number): void {
  const op = PARALLEL_OP[(w >>> 20) & 7]!;
  const kind = ((w >>> 4) & 3) + 1;
  if (op < 0 || kind === 4) throw UNDEFINED;
  media.parallel(
    cpu,
    0x06000f10 | ((w & 0x40) << 16) | (kind << 20) | (rn(w) << 16) | (rd8(w) << 12) | (op << 5) | rm(w),
  );
}

const QOP = [0, 2, 1, 3];

/** QADD family, REV family, SEL, CLZ. */
function misc(cpu: Cpu, w: number): void {
  const op2 = (w >>> 4) & 3;
  const d = rd8(w);
  const m = rm(w);
  switch ((w >>> 20) & 3) {
    case 0:
      media.qaddsub(cpu, 0x01000050 | (QOP[op2]! << 21) | (rn(w) << 16) | (d << 12) | m);
      return;
    case 1:
      [media.rev, media.rev16, media.rbit, media.revsh][op2]!(cpu, (d << 12) | m);
      return;
    case 2:
      if (op2 !== 0) throw UNDEFINED;
      media.sel(cpu, (rn(w) << 16) | (d << 12) | m);
      return;
    default:
      if (op2 !== 0) throw UNDEFINED;
      media.clz(cpu, (d << 12) | m);
      return;
  }
}

/** Builds the A32 word of a multiply from Thumb fields (A32: Rd 19:16, Ra 15:12, Rm 11:8, Rn 3:0). */
function mulWord(w: number, base: number): number {
  return base | (rd8(w) << 16) | (rt12(w) << 12) | (rm(w) << 8) | rn(w);
}

/** MUL, MLA, MLS, SMLA<x><y>, SMLAD, SMLAW, SMLSD, SMMLA, SMMLS, USAD8 and their non-accumulating forms. */
function multiply(cpu: Cpu, w: number): void {
  const op2 = (w >>> 4) & 3;
  const ra15 = rt12(w) === 15;
  switch ((w >>> 20) & 7) {
    case 0:
      if (op2 === 0) {
        if (ra15) mul.mul(cpu, mulWord(w, 0x90));
        else mul.mla(cpu, mulWord(w, 0x00200090));
        return;
      }
      if (op2 === 1) {
        mul.mls(cpu, mulWord(w, 0x00600090));
        return;
      }
      break;
    case 1: {
      const xy = ((w & 0x10) << 2) | (w & 0x20); // N picks Rn's half (A32 bit 5), M Rm's (bit 6)
      if (ra15) mul.smulxy(cpu, mulWord(w, 0x01600080 | xy));
      else mul.smlaxy(cpu, mulWord(w, 0x01000080 | xy));
      return;
    }
    case 2:
      if (op2 < 2) {
        mul.smlad(cpu, mulWord(w, 0x07000010 | ((w & 0x10) << 1)));
        return;
      }
      break;
    case 3:
      if (op2 < 2) {
        mul.smlawy(cpu, mulWord(w, 0x01200080 | ((w & 0x10) << 2) | (ra15 ? 0x20 : 0)));
        return;
      }
      break;
    case 4:
      if (op2 < 2) {
        mul.smlad(cpu, mulWord(w, 0x07000050 | ((w & 0x10) << 1)));
        return;
      }
      break;
    case 5:
      if (op2 < 2) {
        mul.smmla(cpu, mulWord(w, 0x07500010 | ((w & 0x10) << 1)));
        return;
      }
      break;
    case 6:
      if (op2 < 2) {
        mul.smmla(cpu, mulWord(w, 0x075000d0 | ((w & 0x10) << 1)));
        return;
      }
      break;
    default:
      if (op2 === 0) {
        mul.usad8(cpu, mulWord(w, 0x07800010));
        return;
      }
      break;
  }
  throw UNDEFINED;
}

/** SMULL, UMULL, SMLAL, UMLAL, UMAAL, SMLAL<x><y>, SMLALD, SMLSLD, SDIV, UDIV. */
function longMultiply(cpu: Cpu, w: number): void {
  const op2 = (w >>> 4) & 0xf;
  const long = (base: number) => base | (rd8(w) << 16) | (rt12(w) << 12) | (rm(w) << 8) | rn(w);
  switch ((w >>> 20) & 7) {
    case 0:
      if (op2 === 0) {
        mul.mulLong(cpu, long(0x00c00090));
        return;
      }
      break;
    case 1:
      if (op2 === 15) {
        mul.sdiv(cpu, (rd8(w) << 16) | (rm(w) << 8) | rn(w));
        return;
      }
      break;
    case 2:
      if (op2 === 0) {
        mul.mulLong(cpu, long(0x00800090));
        return;
      }
      break;
    case 3:
      if (op2 === 15) {
        mul.udiv(cpu, (rd8(w) << 16) | (rm(w) << 8) | rn(w));
        return;
      }
      break;
    case 4:
      if (op2 === 0) {
        mul.mulLong(cpu, long(0x00e00090));
        return;
      }
      if ((op2 & 0xc) === 8) {
        mul.smlalxy(cpu, long(0x01400080 | ((op2 & 1) << 6) | ((op2 & 2) << 4)));
        return;
      }
      if ((op2 & 0xe) === 0xc) {
        mul.smlald(cpu, long(0x07400010 | ((op2 & 1) << 5)));
        return;
      }
      break;
    case 5:
      if ((op2 & 0xe) === 0xc) {
        mul.smlald(cpu, long(0x07400050 | ((op2 & 1) << 5)));
        return;
      }
      break;
    case 6:
      if (op2 === 0) {
        mul.mulLong(cpu, long(0x00a00090));
        return;
      }
      if (op2 === 6) {
        mul.umaal(cpu, long(0x00400090));
        return;
      }
      break;
  }
  throw UNDEFINED;
}

// ---- loads and stores ----------------------------------------------------------------------------

/** LDR/STR/LDRB/LDRH/LDRSB/LDRSH (and T forms, PLD/PLI) with every Thumb-2 addressing mode. */
function loadStore(cpu: Cpu, w: number): void {
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
function loadStoreDual(cpu: Cpu, w: number): void {
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
function exclusive(cpu: Cpu, w: number): void {
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
function multiple(cpu: Cpu, w: number): void {
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

// ---- which words of each group exist (the rest are undefined) ----------------------------------

const DP_OPS = new Set([0, 1, 2, 3, 4, 8, 10, 11, 13, 14]);
const PLAIN_OPS = new Set([0x00, 0x04, 0x0a, 0x0c, 0x10, 0x12, 0x14, 0x16, 0x18, 0x1a, 0x1c]);

/** Data-processing opcodes that exist in the modified-immediate and shifted-register groups. */
export function isThumbDp(w: number): boolean {
  return DP_OPS.has((w >>> 21) & 0xf);
}

/** Opcodes of the plain-immediate group (the saturate and bitfield ones have hw2 bit 5 as zero). */
export function isPlainImm(w: number): boolean {
  const op = (w >>> 20) & 0x1f;
  if (op >= 0x10 && (w & 0x20) !== 0) return false;
  return (PLAIN_OPS.has(op) && (w & 0x04000000) === 0) || isPlainImmWithI(w);
}

/** ADDW, SUBW, MOVW and MOVT take the i bit; the saturate and bitfield ones need it clear. */
function isPlainImmWithI(w: number): boolean {
  const op = (w >>> 20) & 0x1f;
  return (w & 0x04000000) !== 0 && (op === 0x00 || op === 0x04 || op === 0x0a || op === 0x0c);
}

/** The extend group's six operations. */
export function isThumbExtend(w: number): boolean {
  return ((w >>> 20) & 7) < 6;
}

/** The parallel add/subtract encodings that exist. */
export function isThumbParallel(w: number): boolean {
  return PARALLEL_OP[(w >>> 20) & 7]! >= 0 && ((w >>> 4) & 3) !== 3;
}

/** QADD/REV/SEL/CLZ encodings that exist. */
export function isThumbMisc(w: number): boolean {
  return ((w >>> 20) & 3) < 2 || ((w >>> 4) & 3) === 0;
}

/** The multiply encodings that exist. */
export function isThumbMultiply(w: number): boolean {
  const op2 = (w >>> 4) & 3;
  switch ((w >>> 20) & 7) {
    case 0:
      return op2 < 2;
    case 1:
      return true;
    case 7:
      return op2 === 0;
    default:
      return op2 < 2;
  }
}

/** The long multiply and divide encodings that exist (divides need the should-be-one nibble). */
export function isThumbLongMultiply(w: number): boolean {
  const op2 = (w >>> 4) & 0xf;
  switch ((w >>> 20) & 7) {
    case 0:
    case 2:
      return op2 === 0;
    case 1:
    case 3:
      return op2 === 15 && (w & 0xf000) === 0xf000;
    case 4:
      return op2 === 0 || (op2 & 0xc) === 8 || (op2 & 0xe) === 0xc;
    case 5:
      return (op2 & 0xe) === 0xc;
    case 6:
      return op2 === 0 || op2 === 6;
    default:
      return false;
  }
}

// ---- system --------------------------------------------------------------------------------------

/** MSR (register), through the A32 executor. */
function msr(cpu: Cpu, w: number): void {
  const r = (w & 0x00100000) << 2;
  if (w & 0x20) ctl.msrBanked(cpu, 0x0120f200 | r | ((w & 0x10) << 4) | (((w >>> 8) & 0xf) << 16) | rn(w));
  else ctl.msrReg(cpu, 0x0120f000 | ((w & 0x00100000) << 2) | (((w >>> 8) & 0xf) << 16) | rn(w));
}

/** MRS, through the A32 executor. */
function mrs(cpu: Cpu, w: number): void {
  const r = (w & 0x00100000) << 2;
  if (w & 0x20) ctl.mrsBanked(cpu, 0x01000200 | r | ((w & 0x10) << 4) | (rn(w) << 16) | (rd8(w) << 12));
  else ctl.mrs(cpu, 0x010f0000 | ((w & 0x00100000) << 2) | (rd8(w) << 12));
}

/** CPS (T2) and the hints (NOP, YIELD, WFE, WFI, SEV, DBG). */
function cpsHint(cpu: Cpu, w: number): void {
  if ((w & 0x700) === 0) {
    ctl.hint(cpu, w & 0xff);
    return;
  }
  ctl.cps(cpu, ((w & 0x600) << 9) | ((w & 0x100) << 9) | ((w & 0xe0) << 1) | (w & 0x1f));
}

/** CLREX, DSB, DMB, ISB. */
function barriers(cpu: Cpu, w: number): void {
  const op = (w >>> 4) & 0xf;
  if (op === 2) {
    ls.clrex(cpu);
    return;
  }
  if (op < 4 || op > 6) throw UNDEFINED;
}

/** SUBS PC, LR, #imm8: exception return. */
function subsPcLr(cpu: Cpu, w: number): void {
  if (cpu.user) throw UNDEFINED;
  cpu.exceptionReturn(cpu.r[14]! - (w & 0xff), cpu.currentSpsr);
}

/** HVC #imm16. */
function hvc(cpu: Cpu, w: number): void {
  const imm16 = (((w >>> 16) & 0xf) << 12) | (w & 0xfff);
  ctl.hvc(cpu, ((imm16 >>> 4) << 8) | (imm16 & 0xf));
}

/** SMC #imm4. */
function smc(cpu: Cpu, w: number): void {
  ctl.smc(cpu, (w >>> 16) & 0xf);
}

/** BXJ: no Jazelle, so a BX. */
function bxj(cpu: Cpu, w: number): void {
  cpu.bxWritePc(cpu.r[rn(w)]!);
}

function undefinedT32(): void {
  throw UNDEFINED;
}

/** The 32-bit Thumb table. */
export const T32_TABLE: readonly ThumbEntry[] = [
  { name: 'LDM/STM/SRS/RFE', pattern: '1110 100o o0wl nnnn ---- ---- ---- ----', exec: multiple },
  {
    name: 'LDRD/STRD',
    pattern: '1110 100p u1wl nnnn tttt dddd iiii iiii',
    when: (w) => (w & 0x01200000) !== 0,
    exec: loadStoreDual,
  },
  { name: 'LDREX*/STREX*/TBB/TBH', pattern: '1110 1000 010l nnnn ---- ---- ---- ----', exec: exclusive },
  { name: 'LDREX*/STREX*/TBB/TBH', pattern: '1110 1000 110l nnnn ---- ---- ---- ----', exec: exclusive },
  { name: 'PKHBT/PKHTB', pattern: '1110 1010 1100 nnnn 0iii dddd iit0 mmmm', exec: pkh },
  {
    name: 'DP(shifted reg)',
    pattern: '1110 101o ooos nnnn 0iii dddd iitt mmmm',
    when: isThumbDp,
    exec: dpShiftedReg,
  },
  {
    name: 'MRC/MCR',
    pattern: '1110 1110 oool nnnn tttt pppp ooo1 mmmm',
    when: (w) => !vfp.isVfpCoprocessor(w),
    exec: ctl.mrcMcr,
  },
  {
    name: 'MRRC/MCRR',
    pattern: '1110 1100 010l uuuu tttt pppp oooo mmmm',
    when: (w) => !vfp.isVfpCoprocessor(w),
    exec: ctl.mrrcMcrr,
  },
  // VFP (coprocessors 10 and 11)
  { name: 'VFP data processing', pattern: '1110 1110 oooo nnnn dddd 101s nop0 mmmm', exec: vfp.vfpDataProcessing },
  { name: 'VMOV(core, single)', pattern: '1110 1110 000l nnnn tttt 1010 n--1 ----', exec: vfp.vmovCoreSingle },
  { name: 'VMOV(core, scalar)', pattern: '1110 1110 ---l nnnn tttt 1011 n--1 ----', exec: vfp.vmovCoreScalar },
  { name: 'VMRS/VMSR', pattern: '1110 1110 111l rrrr tttt 1010 ---1 ----', exec: vfp.vmrsVmsr },
  { name: 'VMOV(2 core)', pattern: '1110 1100 010l uuuu tttt 101s --m1 mmmm', exec: vfp.vmovCorePair },
  { name: 'VLDR/VSTR', pattern: '1110 1101 ud0l nnnn dddd 101s iiii iiii', exec: vfp.vldrVstr },
  { name: 'VLDM/VSTM', pattern: '1110 110p udwl nnnn dddd 101s iiii iiii', when: vfp.isVldm, exec: vfp.vldmVstm },

  { name: 'DP(modified imm)', pattern: '1111 0i0o ooos nnnn 0iii dddd iiii iiii', when: isThumbDp, exec: dpModImm },
  { name: 'DP(plain imm)', pattern: '1111 0i1o oooo nnnn 0iii dddd iiii iiii', when: isPlainImm, exec: plainImm },
  {
    name: 'B<c>.W',
    pattern: '1111 0scc ccii iiii 10j0 jiii iiii iiii',
    when: (w) => (w & 0x03800000) !== 0x03800000,
    exec: bCond,
  },
  { name: 'MSR', pattern: '1111 0011 100r nnnn 10-0 mmmm --b- ----', exec: msr },
  { name: 'CPS/hints', pattern: '1111 0011 1010 ---- 10-0 -iii iiii iiii', exec: cpsHint },
  { name: 'CLREX/DSB/DMB/ISB', pattern: '1111 0011 1011 ---- 10-0 ---- oooo ----', exec: barriers },
  { name: 'BXJ', pattern: '1111 0011 1100 mmmm 10-0 ---- ---- ----', exec: bxj },
  { name: 'SUBS PC, LR', pattern: '1111 0011 1101 ---- 10-0 ---- iiii iiii', exec: subsPcLr },
  { name: 'MRS', pattern: '1111 0011 111r mmmm 10-0 dddd --b- ----', exec: mrs },
  { name: 'HVC', pattern: '1111 0111 1110 iiii 1000 iiii iiii iiii', exec: hvc },
  { name: 'SMC', pattern: '1111 0111 1111 iiii 1000 ---- ---- ----', exec: smc },
  { name: 'UDF', pattern: '1111 0111 1111 iiii 1010 iiii iiii iiii', exec: undefinedT32 },
  { name: 'B.W', pattern: '1111 0sii iiii iiii 10j1 jiii iiii iiii', exec: bWide },
  { name: 'BLX', pattern: '1111 0sii iiii iiii 11j0 jiii iiii iiii', exec: blx },
  { name: 'BL', pattern: '1111 0sii iiii iiii 11j1 jiii iiii iiii', exec: bl },
  { name: 'LDR/STR', pattern: '1111 100s uzzl nnnn tttt ---- ---- ----', exec: loadStore },
  { name: 'LSL/LSR/ASR/ROR(reg)', pattern: '1111 1010 0tts nnnn 1111 dddd 0000 mmmm', exec: shiftByReg },
  { name: 'extend', pattern: '1111 1010 0ooo nnnn 1111 dddd 10rr mmmm', when: isThumbExtend, exec: extend },
  { name: 'parallel add/sub', pattern: '1111 1010 1ooo nnnn 1111 dddd 0uoo mmmm', when: isThumbParallel, exec: parallel },
  { name: 'QADD/REV/SEL/CLZ', pattern: '1111 1010 10oo nnnn 1111 dddd 10oo mmmm', when: isThumbMisc, exec: misc },
  { name: 'multiply', pattern: '1111 1011 0ooo nnnn aaaa dddd 00oo mmmm', when: isThumbMultiply, exec: multiply },
  { name: 'long multiply/divide', pattern: '1111 1011 1ooo nnnn llll hhhh oooo mmmm', when: isThumbLongMultiply, exec: longMultiply },
];
