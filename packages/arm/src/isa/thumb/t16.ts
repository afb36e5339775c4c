/** Thumb 16-bit instructions: executors and their table (patterns of 16 bits). */
import { bkpt } from '../a32/a32-control.ts';
import { ldmStm } from '../a32/a32-loadstore.ts';
import { rev, rev16, revsh } from '../a32/a32-media.ts';
import {
  addWithCarry,
  conditionPassed,
  dataProcessing,
  logicFlags,
  shifterCarry,
  shiftImm,
  shiftReg,
} from '../alu.ts';
import type { ExecContext } from '../../exec-context.ts';
import { Psr } from '../../cpu-state.ts';
import type { ThumbEntry } from '../table-row.ts';
import { ExceptionKind, UNDEFINED } from '../../system/exceptions.ts';

export type { ThumbEntry, ThumbExec } from '../table-row.ts';

/** True outside an IT block, where most 16-bit data-processing instructions set flags. */
const setsFlags = (cpu: ExecContext) => cpu.it === 0;

function shiftImm16(cpu: ExecContext, w: number): void {
  const r = shiftImm(cpu.r[(w >>> 3) & 7]!, (w >>> 11) & 3, (w >>> 6) & 0x1f, cpu.c);
  cpu.r[w & 7] = r;
  if (setsFlags(cpu)) logicFlags(cpu, r, shifterCarry);
}

function addSub3(cpu: ExecContext, w: number): void {
  const a = cpu.r[(w >>> 3) & 7]!;
  const b = w & 0x400 ? (w >>> 6) & 7 : cpu.r[(w >>> 6) & 7]!;
  const s = setsFlags(cpu);
  cpu.r[w & 7] = w & 0x200 ? dataProcessing(cpu, 2, a, b, 0, s) : dataProcessing(cpu, 4, a, b, 0, s);
}

function imm8ops(cpu: ExecContext, w: number): void {
  const d = (w >>> 8) & 7;
  const imm = w & 0xff;
  const s = setsFlags(cpu);
  switch ((w >>> 11) & 3) {
    case 0:
      cpu.r[d] = imm;
      if (s) logicFlags(cpu, imm, cpu.c);
      break;
    case 1:
      addWithCarry(cpu, cpu.r[d]!, ~imm, 1);
      break;
    case 2:
      cpu.r[d] = dataProcessing(cpu, 4, cpu.r[d]!, imm, 0, s);
      break;
    default:
      cpu.r[d] = dataProcessing(cpu, 2, cpu.r[d]!, imm, 0, s);
      break;
  }
}

/** The sixteen register-to-register operations of 010000 (AND ... MVN). */
function dpReg16(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const d = w & 7;
  const m = r[(w >>> 3) & 7]!;
  const n = r[d]!;
  const s = setsFlags(cpu);
  switch ((w >>> 6) & 0xf) {
    case 0:
      r[d] = dataProcessing(cpu, 0, n, m, cpu.c, s);
      break;
    case 1:
      r[d] = dataProcessing(cpu, 1, n, m, cpu.c, s);
      break;
    case 2:
    case 3:
    case 4:
    case 7: {
      const type = [0, 0, 0, 1, 2, 0, 0, 3][(w >>> 6) & 7]!;
      const v = shiftReg(n, type, m, cpu.c);
      r[d] = v;
      if (s) logicFlags(cpu, v, shifterCarry);
      break;
    }
    case 5:
      r[d] = dataProcessing(cpu, 5, n, m, 0, s);
      break;
    case 6:
      r[d] = dataProcessing(cpu, 6, n, m, 0, s);
      break;
    case 8:
      dataProcessing(cpu, 8, n, m, cpu.c, true);
      break;
    case 9:
      r[d] = dataProcessing(cpu, 3, m, 0, 0, s); // NEG: RSB Rd, Rm, #0
      break;
    case 10:
      dataProcessing(cpu, 10, n, m, 0, true);
      break;
    case 11:
      dataProcessing(cpu, 11, n, m, 0, true);
      break;
    case 12:
      r[d] = dataProcessing(cpu, 12, n, m, cpu.c, s);
      break;
    case 13: {
      const v = Math.imul(n, m);
      r[d] = v;
      if (s) logicFlags(cpu, v, cpu.c);
      break;
    }
    case 14:
      r[d] = dataProcessing(cpu, 14, n, m, cpu.c, s);
      break;
    default:
      r[d] = dataProcessing(cpu, 15, n, m, cpu.c, s);
      break;
  }
}

/** ADD, CMP and MOV with high registers (no flags but CMP); a PC destination branches. */
function hiReg(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const d = ((w >>> 4) & 8) | (w & 7);
  const m = r[(w >>> 3) & 0xf]!;
  switch ((w >>> 8) & 3) {
    case 0: {
      const v = (r[d]! + m) | 0;
      if (d === 15) cpu.branchTo(v);
      else r[d] = v;
      break;
    }
    case 1:
      addWithCarry(cpu, r[d]!, ~m, 1);
      break;
    default:
      if (d === 15) cpu.branchTo(m);
      else r[d] = m;
      break;
  }
}

function bxBlx16(cpu: ExecContext, w: number): void {
  const target = cpu.r[(w >>> 3) & 0xf]!;
  if (w & 0x80) cpu.r[14] = (cpu.insnAddr + 2) | 1;
  cpu.bxWritePc(target);
}

function ldrLiteral(cpu: ExecContext, w: number): void {
  cpu.load(((cpu.r[15]! & ~3) + (w & 0xff) * 4) | 0, 4, false, (w >>> 8) & 7);
}

function ldStReg(cpu: ExecContext, w: number): void {
  const r = cpu.r;
  const a = (r[(w >>> 3) & 7]! + r[(w >>> 6) & 7]!) | 0;
  const t = w & 7;
  switch ((w >>> 9) & 7) {
    case 0:
      cpu.store(a, 4, r[t]!);
      return;
    case 1:
      cpu.store(a, 2, r[t]!);
      return;
    case 2:
      cpu.store(a, 1, r[t]!);
      return;
    case 3:
      cpu.load(a, 1, true, t);
      return;
    case 4:
      cpu.load(a, 4, false, t);
      return;
    case 5:
      cpu.load(a, 2, false, t);
      return;
    case 6:
      cpu.load(a, 1, false, t);
      return;
    default:
      cpu.load(a, 2, true, t);
      return;
  }
}

function ldStImm(cpu: ExecContext, w: number): void {
  const size = (w & 0xf000) === 0x8000 ? 2 : w & 0x1000 ? 1 : 4;
  const a = (cpu.r[(w >>> 3) & 7]! + ((w >>> 6) & 0x1f) * size) | 0;
  const t = w & 7;
  if (w & 0x800) cpu.load(a, size, false, t);
  else cpu.store(a, size, cpu.r[t]!);
}

function ldStSp(cpu: ExecContext, w: number): void {
  const a = (cpu.r[13]! + (w & 0xff) * 4) | 0;
  const t = (w >>> 8) & 7;
  if (w & 0x800) cpu.load(a, 4, false, t);
  else cpu.store(a, 4, cpu.r[t]!);
}

function adrAddSp(cpu: ExecContext, w: number): void {
  const base = w & 0x800 ? cpu.r[13]! : cpu.r[15]! & ~3;
  cpu.r[(w >>> 8) & 7] = (base + (w & 0xff) * 4) | 0;
}

function adjustSp(cpu: ExecContext, w: number): void {
  const imm = (w & 0x7f) * 4;
  cpu.r[13] = w & 0x80 ? cpu.r[13]! - imm : cpu.r[13]! + imm;
}

function cbz(cpu: ExecContext, w: number): void {
  const zero = cpu.r[w & 7] === 0;
  if (zero !== ((w & 0x800) !== 0)) cpu.branchTo(cpu.r[15]! + (((w >>> 2) & 0x3e) | ((w >>> 3) & 0x40)));
}

function extend16(cpu: ExecContext, w: number): void {
  const m = cpu.r[(w >>> 3) & 7]!;
  const d = w & 7;
  switch ((w >>> 6) & 3) {
    case 0:
      cpu.r[d] = (m << 16) >> 16;
      break;
    case 1:
      cpu.r[d] = (m << 24) >> 24;
      break;
    case 2:
      cpu.r[d] = m & 0xffff;
      break;
    default:
      cpu.r[d] = m & 0xff;
      break;
  }
}

/** PUSH and POP become the equivalent A32 STMDB SP! / LDMIA SP! (same semantics, PC interworks). */
function pushPop(cpu: ExecContext, w: number): void {
  const list = (w & 0xff) | (w & 0x100 ? (w & 0x800 ? 0x8000 : 0x4000) : 0);
  ldmStm(cpu, w & 0x800 ? 0xe8bd0000 | list : 0xe92d0000 | list);
}

function revs16(cpu: ExecContext, w: number): void {
  const aw = ((w & 7) << 12) | ((w >>> 3) & 7);
  switch ((w >>> 6) & 3) {
    case 0:
      rev(cpu, aw);
      return;
    case 1:
      rev16(cpu, aw);
      return;
    case 3:
      revsh(cpu, aw);
      return;
    default:
      throw UNDEFINED;
  }
}

function cps16(cpu: ExecContext, w: number): void {
  if (cpu.user) return;
  const bits = (w & 4 ? Psr.A : 0) | (w & 2 ? Psr.I : 0) | (w & 1 ? Psr.F : 0);
  cpu.masks = w & 0x10 ? cpu.masks | bits : cpu.masks & ~bits;
}

function setend16(cpu: ExecContext, w: number): void {
  cpu.masks = w & 8 ? cpu.masks | Psr.E : cpu.masks & ~Psr.E;
}

/** IT: opens an IT block (it runs outside one, so the step loop does not advance ITSTATE past it). */
function it(cpu: ExecContext, w: number): void {
  cpu.it = w & 0xff;
}

function hint16(cpu: ExecContext, w: number): void {
  if (((w >>> 4) & 0xf) === 3) cpu.waitForInterrupt();
}

/** LDM/STM (IA): STM always writes back; LDM writes back unless the base is in the list. */
function ldmStm16(cpu: ExecContext, w: number): void {
  const n = (w >>> 8) & 7;
  const list = w & 0xff;
  const load = (w & 0x800) !== 0;
  const wb = load ? !(list & (1 << n)) : true;
  ldmStm(cpu, 0xe8800000 | (load ? 0x100000 : 0) | (wb ? 0x200000 : 0) | (n << 16) | list);
}

function bCond16(cpu: ExecContext, w: number): void {
  if (conditionPassed(cpu, (w >>> 8) & 0xf)) cpu.branchTo(cpu.r[15]! + (((w & 0xff) << 24) >> 23));
}

function b16(cpu: ExecContext, w: number): void {
  cpu.branchTo(cpu.r[15]! + (((w & 0x7ff) << 21) >> 20));
}

function svc16(cpu: ExecContext): void {
  cpu.enter(ExceptionKind.svc, cpu.insnAddr + 2);
  cpu.branched = true;
}

function undefined16(): void {
  throw UNDEFINED;
}

/** The 16-bit Thumb table. */
export const T16_TABLE: readonly ThumbEntry[] = [
  {
    name: 'LSL/LSR/ASR(imm)',
    continues: true,
    pattern: '000o oiii iimm mddd',
    when: (w) => (w & 0x1800) !== 0x1800,
    exec: shiftImm16,
  },
  { name: 'ADD/SUB(reg/imm3)', continues: true, pattern: '0001 1iom mmnn nddd', exec: addSub3 },
  { name: 'MOV/CMP/ADD/SUB(imm8)', continues: true, pattern: '001o oddd iiii iiii', exec: imm8ops },
  { name: 'DP(reg)', continues: true, pattern: '0100 00oo oomm mddd', exec: dpReg16 },
  {
    name: 'ADD/CMP/MOV(hi)',
    continues: true,
    pattern: '0100 01oo dmmm mddd',
    when: (w) => (w & 0x300) !== 0x300,
    exec: hiReg,
  },
  { name: 'BX/BLX(reg)', continues: false, pattern: '0100 0111 lmmm m000', exec: bxBlx16 },
  { name: 'LDR(literal)', continues: true, pattern: '0100 1ttt iiii iiii', exec: ldrLiteral },
  { name: 'LDR/STR(reg)', continues: true, pattern: '0101 ooom mmnn nttt', exec: ldStReg },
  { name: 'LDR/STR(imm)', continues: true, pattern: '011b liii iinn nttt', exec: ldStImm },
  { name: 'LDRH/STRH(imm)', continues: true, pattern: '1000 liii iinn nttt', exec: ldStImm },
  { name: 'LDR/STR(SP)', continues: true, pattern: '1001 lttt iiii iiii', exec: ldStSp },
  { name: 'ADR/ADD(SP)', continues: true, pattern: '1010 sddd iiii iiii', exec: adrAddSp },
  { name: 'ADD/SUB SP', continues: true, pattern: '1011 0000 siii iiii', exec: adjustSp },
  { name: 'CBZ/CBNZ', continues: false, pattern: '1011 o0i1 iiii innn', exec: cbz },
  { name: 'SXTH/SXTB/UXTH/UXTB', continues: true, pattern: '1011 0010 oomm mddd', exec: extend16 },
  { name: 'PUSH', continues: true, pattern: '1011 010m rrrr rrrr', exec: pushPop },
  { name: 'POP', continues: true, pattern: '1011 110p rrrr rrrr', exec: pushPop },
  { name: 'SETEND', continues: false, pattern: '1011 0110 0101 e000', exec: setend16 },
  { name: 'CPS', continues: false, pattern: '1011 0110 011m 0aif', exec: cps16 },
  {
    name: 'REV/REV16/REVSH',
    continues: true,
    pattern: '1011 1010 oomm mddd',
    when: (w) => (w & 0xc0) !== 0x80,
    exec: revs16,
  },
  { name: 'BKPT', continues: false, pattern: '1011 1110 iiii iiii', exec: bkpt },
  { name: 'IT', continues: true, pattern: '1011 1111 cccc mmmm', when: (w) => (w & 0xf) !== 0, exec: it },
  { name: 'hint', continues: false, pattern: '1011 1111 oooo 0000', exec: hint16 },
  {
    name: 'LDM/STM',
    continues: true,
    pattern: '1100 lnnn rrrr rrrr',
    when: (w) => (w & 0xff) !== 0,
    exec: ldmStm16,
  },
  {
    name: 'B(cond)',
    continues: false,
    pattern: '1101 cccc iiii iiii',
    when: (w) => (w & 0xe00) !== 0xe00,
    exec: bCond16,
  },
  { name: 'UDF', continues: false, pattern: '1101 1110 iiii iiii', exec: undefined16 },
  { name: 'SVC', continues: false, pattern: '1101 1111 iiii iiii', exec: svc16 },
  { name: 'B', continues: false, pattern: '1110 0iii iiii iiii', exec: b16 },
];
