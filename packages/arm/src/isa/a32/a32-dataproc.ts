/** A32 data processing: the sixteen ALU operations in their three operand forms, MOVW and MOVT. */
import { dataProcessing, expandImm, shifterCarry, shiftImm, shiftReg } from '../alu.ts';
import type { ExecContext } from '../../exec-context.ts';

/** Writes a data-processing result: to a register, or to the PC (interworking; with S, an exception return). */
function finish(cpu: ExecContext, w: number, b: number, carry: number): void {
  const op = (w >>> 21) & 0xf;
  const s = (w >>> 20) & 1;
  const rd = (w >>> 12) & 0xf;
  const compare = (op & 0xc) === 8;
  const result = dataProcessing(
    cpu,
    op,
    cpu.r[(w >>> 16) & 0xf]!,
    b,
    carry,
    s === 1 && (rd !== 15 || compare),
  );
  if (compare) return;
  if (rd !== 15) cpu.r[rd] = result;
  else if (s) cpu.exceptionReturn(result, cpu.currentSpsr);
  else cpu.bxWritePc(result);
}

/** <op> Rd, Rn, Rm, <shift> #imm. */
export function dpImmShift(cpu: ExecContext, w: number): void {
  const b = shiftImm(cpu.r[w & 0xf]!, (w >>> 5) & 3, (w >>> 7) & 0x1f, cpu.c);
  finish(cpu, w, b, shifterCarry);
}

/** <op> Rd, Rn, Rm, <shift> Rs. */
export function dpRegShift(cpu: ExecContext, w: number): void {
  const b = shiftReg(cpu.r[w & 0xf]!, (w >>> 5) & 3, cpu.r[(w >>> 8) & 0xf]!, cpu.c);
  finish(cpu, w, b, shifterCarry);
}

/** <op> Rd, Rn, #const. */
export function dpImm(cpu: ExecContext, w: number): void {
  const b = expandImm(w & 0xfff, cpu.c);
  finish(cpu, w, b, shifterCarry);
}

/** MOVW Rd, #imm16. */
export function movw(cpu: ExecContext, w: number): void {
  cpu.r[(w >>> 12) & 0xf] = ((w >>> 4) & 0xf000) | (w & 0xfff);
}

/** MOVT Rd, #imm16: replaces the top halfword. */
export function movt(cpu: ExecContext, w: number): void {
  const rd = (w >>> 12) & 0xf;
  cpu.r[rd] = ((((w >>> 4) & 0xf000) | (w & 0xfff)) << 16) | (cpu.r[rd]! & 0xffff);
}

/**
 * True for the data-processing encodings: TST..CMN without S are other instructions, and (as on the
 * reference CPU) the compares need Rd = 0000 and MOV/MVN need Rn = 0000, or the word is undefined.
 */
export function isDataProcessing(w: number): boolean {
  const op = (w >>> 21) & 0xf;
  if ((op & 0xc) === 8) return (w & 0x00100000) !== 0 && (w & 0xf000) === 0;
  if (op === 13 || op === 15) return (w & 0xf0000) === 0;
  return true;
}
