/** A32 branches, exception-generating and hint instructions, and the status-register moves. */
import type { ExecContext } from '../../exec-context.ts';
import { Psr } from '../../cpu-state.ts';
import { ExceptionKind, FaultStatus, GuestException, UNDEFINED } from '../../system/exceptions.ts';
import { bankOf, hasSpsr, isValidMode, Mode } from '../../system/modes.ts';

/** B and BL: PC-relative branch, BL saving the return address. */
export function branch(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  if (w & 0x01000000) r[14] = cpu.insnAddr + 4;
  cpu.branchTo(r[15]! + ((w << 8) >> 6));
}

/** BLX #imm: branch with link to Thumb (bit 24 adds a halfword). */
export function blxImm(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  r[14] = cpu.insnAddr + 4;
  const target = r[15]! + ((w << 8) >> 6) + ((w >>> 23) & 2);
  cpu.t = 1;
  cpu.branchTo(target);
}

/** BX Rm (and BXJ, which has no Jazelle to enter here). */
export function bx(cpu: ExecContext, w: number): void {
  cpu.bxWritePc(cpu.r[w & 0xf]!);
}

/** BLX Rm. */
export function blxReg(cpu: ExecContext, w: number): void {
  const target = cpu.r[w & 0xf]!;
  cpu.r[14] = cpu.insnAddr + 4;
  cpu.bxWritePc(target);
}

/** SVC: the supervisor call exception. */
export function svc(cpu: ExecContext): void {
  cpu.enter(ExceptionKind.svc, cpu.insnAddr + 4);
  cpu.branched = true;
}

/** BKPT: a debug event, which a guest without a debugger sees as a prefetch abort. */
export function bkpt(cpu: ExecContext): void {
  if (cpu.debug !== null && cpu.debug.takeBkpt(cpu)) return; // a debugger's breakpoint
  throw new GuestException(ExceptionKind.prefetchAbort, FaultStatus.debug, cpu.insnAddr);
}

function args(cpu: ExecContext): [number, number, number, number] {
  const r = cpu.r;
  return [r[0]! >>> 0, r[1]! >>> 0, r[2]! >>> 0, r[3]! >>> 0];
}

/** HVC: leaves the CPU to its owner (PSCI lives there); the owner answers in r0. */
export function hvc(cpu: ExecContext, w: number): void {
  if (cpu.user) throw UNDEFINED;
  cpu.exit = { kind: 'hvc', imm: ((w >>> 4) & 0xfff0) | (w & 0xf), args: args(cpu) };
}

/** SMC: leaves the CPU to its owner. */
export function smc(cpu: ExecContext, w: number): void {
  if (cpu.user) throw UNDEFINED;
  cpu.exit = { kind: 'smc', imm: w & 0xf, args: args(cpu) };
}

/** The hints: NOP, YIELD, WFE, SEV and DBG do nothing here; WFI may leave the CPU. */
export function hint(cpu: ExecContext, w: number): void {
  if ((w & 0xff) === 3) cpu.waitForInterrupt();
}

/** DMB, DSB, ISB and PLD/PLI: ordering and prefetch have no visible effect on one in-order core. */
export function barrier(): void {}

/** CPS: change the interrupt masks and/or the mode (a no-op at PL0). */
export function cps(cpu: ExecContext, w: number): void {
  if (cpu.user) return;
  const imod = (w >>> 18) & 3;
  const bits = ((w >>> 8) & 1 ? Psr.A : 0) | ((w >>> 7) & 1 ? Psr.I : 0) | ((w >>> 6) & 1 ? Psr.F : 0);
  if (imod === 2) cpu.masks &= ~bits;
  else if (imod === 3) cpu.masks |= bits;
  if (w & 0x00020000) {
    const mode = w & 0x1f;
    if (isValidMode(mode)) cpu.setMode(mode);
  }
}

/** SETEND: sets CPSR.E (data endianness). */
export function setend(cpu: ExecContext, w: number): void {
  cpu.masks = w & 0x200 ? cpu.masks | Psr.E : cpu.masks & ~Psr.E;
}

/** Start address of the two words SRS and RFE transfer (P and U as in LDM). */
function twoWordStart(w: number, base: number): number {
  const up = (w & 0x00800000) !== 0;
  const pre = (w & 0x01000000) !== 0;
  return (up ? (pre ? base + 4 : base) : pre ? base - 8 : base - 4) | 0;
}

/** SRS: store LR and SPSR of the current mode to the stack of another mode. */
export function srs(cpu: ExecContext, w: number): void {
  if (!hasSpsr(cpu.mode)) throw UNDEFINED;
  const mode = w & 0x1f;
  if (!isValidMode(mode)) throw UNDEFINED;
  const sp = cpu.getBanked(mode, 13);
  const a = twoWordStart(w, sp);
  cpu.checkAlign(a, 4, true);
  cpu.read32(a + 4);
  cpu.write32(a, cpu.r[14]!);
  cpu.write32(a + 4, cpu.currentSpsr);
  if (w & 0x00200000) cpu.setBanked(mode, 13, w & 0x00800000 ? sp + 8 : sp - 8);
}

/** RFE: load PC and CPSR from memory. */
export function rfe(cpu: ExecContext, w: number): void {
  if (cpu.user) throw UNDEFINED;
  const n = (w >>> 16) & 0xf;
  const base = cpu.r[n]!;
  const a = twoWordStart(w, base);
  cpu.checkAlign(a, 4, false);
  const pc = cpu.read32(a);
  const psr = cpu.read32(a + 4);
  if (w & 0x00200000) cpu.r[n] = w & 0x00800000 ? base + 8 : base - 8;
  cpu.exceptionReturn(pc, psr);
}

/** CPSR bits that MRS shows: not the execution-state bits (T, IT, J). */
const MRS_CPSR_MASK = ~(Psr.T | Psr.J | 0x0600fc00);

/** MRS Rd, CPSR|SPSR. */
export function mrs(cpu: ExecContext, w: number): void {
  const rd = (w >>> 12) & 0xf;
  if (w & 0x00400000) {
    if (!hasSpsr(cpu.mode)) throw UNDEFINED;
    cpu.r[rd] = cpu.currentSpsr;
  } else cpu.r[rd] = cpu.cpsr & MRS_CPSR_MASK;
}

/** Writes `value` to CPSR or SPSR under the field mask (bits 19:16: f, s, x, c). */
function writePsr(cpu: ExecContext, w: number, value: number): void {
  const fields = (w >>> 16) & 0xf;
  let mask =
    (fields & 8 ? 0xff000000 : 0) |
    (fields & 4 ? 0xff0000 : 0) |
    (fields & 2 ? 0xff00 : 0) |
    (fields & 1 ? 0xff : 0);
  if (w & 0x00400000) {
    if (!hasSpsr(cpu.mode)) throw UNDEFINED;
    cpu.currentSpsr = (cpu.currentSpsr & ~mask) | (value & mask);
    return;
  }
  // MSR never changes the execution state bits; PL0 may write only the flags and GE
  mask &= cpu.user ? 0xf80f0000 : 0xf80f03df;
  const next = ((cpu.cpsr & ~mask) | (value & mask)) >>> 0;
  if (!isValidMode(next & 0x1f)) return; // UNPREDICTABLE: keep the current mode
  cpu.cpsr = next;
}

/** MSR CPSR|SPSR, Rn. */
export function msrReg(cpu: ExecContext, w: number): void {
  writePsr(cpu, w, cpu.r[w & 0xf]!);
}

/** MSR CPSR|SPSR, #imm. */
export function msrImm(cpu: ExecContext, w: number): void {
  const rot = (w >>> 7) & 0x1e;
  const base = w & 0xff;
  writePsr(cpu, w, rot === 0 ? base : (base >>> rot) | (base << (32 - rot)));
}

/** Decodes the SYSm of MRS/MSR (banked): mode and register number, -1 for the SPSR. */
function bankedTarget(cpu: ExecContext, w: number): [number, number] {
  if (cpu.user || !cpu.bankedMoves) throw UNDEFINED;
  const sysm = ((w >>> 4) & 0x10) | ((w >>> 16) & 0xf);
  let mode: number;
  let reg: number;
  if (w & 0x00400000) {
    const spsrModes: Record<number, number> = {
      14: Mode.fiq,
      16: Mode.irq,
      18: Mode.svc,
      20: Mode.abt,
      22: Mode.und,
    };
    const m = spsrModes[sysm];
    if (m === undefined) throw UNDEFINED;
    mode = m;
    reg = -1;
  } else if (sysm < 7) {
    mode = Mode.usr;
    reg = 8 + sysm;
  } else if (sysm >= 8 && sysm < 15) {
    mode = Mode.fiq;
    reg = sysm;
  } else if (sysm >= 16 && sysm < 24) {
    mode = [Mode.irq, Mode.svc, Mode.abt, Mode.und][(sysm - 16) >> 1]!;
    reg = sysm & 1 ? 13 : 14;
  } else throw UNDEFINED;
  if (bankOf(mode) === bankOf(cpu.mode) && (reg === -1 || reg >= 13 || mode === Mode.fiq)) throw UNDEFINED;
  return [mode, reg];
}

/** MRS Rd, <banked register>. */
export function mrsBanked(cpu: ExecContext, w: number): void {
  const [mode, reg] = bankedTarget(cpu, w);
  cpu.r[(w >>> 12) & 0xf] = reg < 0 ? cpu.getSpsr(mode) : cpu.getBanked(mode, reg);
}

/** MSR <banked register>, Rn. */
export function msrBanked(cpu: ExecContext, w: number): void {
  const [mode, reg] = bankedTarget(cpu, w);
  const value = cpu.r[w & 0xf]!;
  if (reg < 0) cpu.setSpsr(mode, value);
  else cpu.setBanked(mode, reg, value);
}

/** MRC/MCR p15 and p14: move between a core register and a system or debug register (other coprocessors are undefined). */
export function mrcMcr(cpu: ExecContext, w: number): void {
  const cp = (w >>> 8) & 0xf;
  if (cp !== 15 && cp !== 14) throw UNDEFINED;
  const bank = cp === 15 ? cpu.cp15 : cpu.cp14;
  const crn = (w >>> 16) & 0xf;
  const op1 = (w >>> 21) & 7;
  const crm = w & 0xf;
  const op2 = (w >>> 5) & 7;
  const rt = (w >>> 12) & 0xf;
  if (w & 0x00100000) {
    const v = bank.read(crn, op1, crm, op2, cpu.user);
    if (v === undefined) throw UNDEFINED;
    if (rt === 15) cpu.setFlags(v);
    else cpu.r[rt] = v;
  } else if (!bank.write(crn, op1, crm, op2, cpu.r[rt]!, cpu.user)) throw UNDEFINED;
}

/** MRRC/MCRR p15: the 64-bit CP15 registers: TTBR0, TTBR1, PAR and the generic timer's. */
export function mrrcMcrr(cpu: ExecContext, w: number): void {
  if (((w >>> 8) & 0xf) !== 15) throw UNDEFINED;
  const op1 = (w >>> 4) & 0xf;
  const crm = w & 0xf;
  const rt = (w >>> 12) & 0xf;
  const rt2 = (w >>> 16) & 0xf;
  const read = (w & 0x00100000) !== 0;
  if (crm === 14) {
    const timer = cpu.cp15.timer;
    if (read) {
      const v = timer.read64(op1, cpu.user);
      if (v === undefined) throw UNDEFINED;
      cpu.r[rt] = Number(BigInt.asIntN(32, v));
      cpu.r[rt2] = Number(BigInt.asIntN(32, v >> 32n));
    } else {
      const v = (BigInt(cpu.r[rt2]! >>> 0) << 32n) | BigInt(cpu.r[rt]! >>> 0);
      if (!timer.write64(op1, v, cpu.user)) throw UNDEFINED;
    }
    return;
  }
  if (read) {
    const v = cpu.cp15.read64(crm, op1, cpu.user);
    if (v === undefined) throw UNDEFINED;
    cpu.r[rt] = v[0];
    cpu.r[rt2] = v[1];
  } else if (!cpu.cp15.write64(crm, op1, cpu.r[rt]!, cpu.r[rt2]!, cpu.user)) throw UNDEFINED;
}
