/** Thumb-2 32-bit data processing: immediates, shifted registers, multiplies, and which of those encodings exist. */
import * as media from '../a32/a32-media.ts';
import * as mul from '../a32/a32-multiply.ts';
import { dataProcessing, expandThumbImm, logicFlags, shifterCarry, shiftImm, shiftReg } from '../alu.ts';
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { rd8, rm, rn, rt12 } from './t32-fields.ts';

/** The Thumb data-processing opcodes (hw1 bits 8:5) with their compare and move aliases. */
export function dp(cpu: ExecContext, w: number, b: number, carry: number): void {
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
export function dpModImm(cpu: ExecContext, w: number): void {
  const imm12 = ((w >>> 15) & 0x800) | ((w >>> 4) & 0x700) | (w & 0xff);
  const b = expandThumbImm(imm12, cpu.c);
  dp(cpu, w, b, shifterCarry);
}

/** <op> Rd, Rn, Rm, <shift> #imm. */
export function dpShiftedReg(cpu: ExecContext, w: number): void {
  const imm5 = ((w >>> 10) & 0x1c) | ((w >>> 6) & 3);
  const b = shiftImm(cpu.r[rm(w)]!, (w >>> 4) & 3, imm5, cpu.c);
  dp(cpu, w, b, shifterCarry);
}

/** PKHBT/PKHTB, through the A32 executor. */
export function pkh(cpu: ExecContext, w: number): void {
  const imm5 = ((w >>> 10) & 0x1c) | ((w >>> 6) & 3);
  media.pkh(cpu, (rn(w) << 16) | (rd8(w) << 12) | (imm5 << 7) | ((w & 0x20) << 1) | rm(w));
}

/** ADDW, SUBW, ADR, MOVW, MOVT, SSAT, USAT, SBFX, UBFX, BFI, BFC: the plain-immediate group. */
export function plainImm(cpu: ExecContext, w: number): void {
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
export function shiftByReg(cpu: ExecContext, w: number): void {
  const v = shiftReg(cpu.r[rn(w)]!, (w >>> 21) & 3, cpu.r[rm(w)]!, cpu.c);
  cpu.r[rd8(w)] = v;
  if (w & 0x00100000) logicFlags(cpu, v, shifterCarry);
}

const EXTEND_OP = [3, 7, 0, 4, 2, 6];

/** SXTAH ... UXTB (Rn = 15 means no accumulate), through the A32 executor. */
export function extend(cpu: ExecContext, w: number): void {
  const op = EXTEND_OP[(w >>> 20) & 7];
  if (op === undefined) throw UNDEFINED;
  media.extend(
    cpu,
    0x06800070 | (op << 20) | (rn(w) << 16) | (rd8(w) << 12) | (((w >>> 4) & 3) << 10) | rm(w),
  );
}

const PARALLEL_OP = [4, 0, 1, -1, 7, 3, 2, -1];

/** The parallel add/subtract family, through the A32 executor. */
export function parallel(cpu: ExecContext, w: number): void {
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
export function misc(cpu: ExecContext, w: number): void {
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
export function mulWord(w: number, base: number): number {
  return base | (rd8(w) << 16) | (rt12(w) << 12) | (rm(w) << 8) | rn(w);
}

/** MUL, MLA, MLS, SMLA<x><y>, SMLAD, SMLAW, SMLSD, SMMLA, SMMLS, USAD8 and their non-accumulating forms. */
export function multiply(cpu: ExecContext, w: number): void {
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
export function longMultiply(cpu: ExecContext, w: number): void {
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
