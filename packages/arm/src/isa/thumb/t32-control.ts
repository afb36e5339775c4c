/** Thumb-2 32-bit branches and system instructions (status registers, hints, barriers, calls). */
import * as ctl from '../a32/a32-control.ts';
import * as ls from '../a32/a32-loadstore.ts';
import { conditionPassed } from '../alu.ts';
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { rd8, rn } from './t32-fields.ts';

/** B<c>.W (T3). */
export function bCond(cpu: ExecContext, w: number): void {
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
export function offset25(w: number): number {
  const s = (w >>> 26) & 1;
  const i1 = ~(((w >>> 13) & 1) ^ s) & 1;
  const i2 = ~(((w >>> 11) & 1) ^ s) & 1;
  return (
    (((s << 24) | (i1 << 23) | (i2 << 22) | (((w >>> 16) & 0x3ff) << 12) | ((w & 0x7ff) << 1)) << 7) >> 7
  );
}

/** B.W (T4). */
export function bWide(cpu: ExecContext, w: number): void {
  cpu.branchTo(cpu.r[15]! + offset25(w));
}

/** BL. */
export function bl(cpu: ExecContext, w: number): void {
  cpu.r[14] = (cpu.insnAddr + 4) | 1;
  cpu.branchTo(cpu.r[15]! + offset25(w));
}

/** BLX #imm: to ARM state, from the word-aligned PC. */
export function blx(cpu: ExecContext, w: number): void {
  if (w & 1) throw UNDEFINED;
  cpu.r[14] = (cpu.insnAddr + 4) | 1;
  cpu.t = 0;
  cpu.branchTo((cpu.r[15]! & ~3) + offset25(w));
}

/** MSR (register), through the A32 executor. */
export function msr(cpu: ExecContext, w: number): void {
  const r = (w & 0x00100000) << 2;
  if (w & 0x20) ctl.msrBanked(cpu, 0x0120f200 | r | ((w & 0x10) << 4) | (((w >>> 8) & 0xf) << 16) | rn(w));
  else ctl.msrReg(cpu, 0x0120f000 | ((w & 0x00100000) << 2) | (((w >>> 8) & 0xf) << 16) | rn(w));
}

/** MRS, through the A32 executor. */
export function mrs(cpu: ExecContext, w: number): void {
  const r = (w & 0x00100000) << 2;
  if (w & 0x20) ctl.mrsBanked(cpu, 0x01000200 | r | ((w & 0x10) << 4) | (rn(w) << 16) | (rd8(w) << 12));
  else ctl.mrs(cpu, 0x010f0000 | ((w & 0x00100000) << 2) | (rd8(w) << 12));
}

/** CPS (T2) and the hints (NOP, YIELD, WFE, WFI, SEV, DBG). */
export function cpsHint(cpu: ExecContext, w: number): void {
  if ((w & 0x700) === 0) {
    ctl.hint(cpu, w & 0xff);
    return;
  }
  ctl.cps(cpu, ((w & 0x600) << 9) | ((w & 0x100) << 9) | ((w & 0xe0) << 1) | (w & 0x1f));
}

/** CLREX, DSB, DMB, ISB. */
export function barriers(cpu: ExecContext, w: number): void {
  const op = (w >>> 4) & 0xf;
  if (op === 2) {
    ls.clrex(cpu);
    return;
  }
  if (op < 4 || op > 6) throw UNDEFINED;
}

/** SUBS PC, LR, #imm8: exception return. */
export function subsPcLr(cpu: ExecContext, w: number): void {
  if (cpu.user) throw UNDEFINED;
  cpu.exceptionReturn(cpu.r[14]! - (w & 0xff), cpu.currentSpsr);
}

/** HVC #imm16. */
export function hvc(cpu: ExecContext, w: number): void {
  const imm16 = (((w >>> 16) & 0xf) << 12) | (w & 0xfff);
  ctl.hvc(cpu, ((imm16 >>> 4) << 8) | (imm16 & 0xf));
}

/** SMC #imm4. */
export function smc(cpu: ExecContext, w: number): void {
  ctl.smc(cpu, (w >>> 16) & 0xf);
}

/** BXJ: no Jazelle, so a BX. */
export function bxj(cpu: ExecContext, w: number): void {
  cpu.bxWritePc(cpu.r[rn(w)]!);
}

/** UDF.W and the unallocated 32-bit encodings: the undefined-instruction exception. */
export function undefinedT32(): void {
  throw UNDEFINED;
}
