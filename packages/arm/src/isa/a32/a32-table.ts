/**
 * The A32 instruction table: every encoding the CPU implements, as a bit pattern, an executor and
 * the constraints the pattern cannot express. It drives the decoder and the generated tests, and
 * is the seam a block translator will read from.
 */
import * as ctl from './a32-control.ts';
import { dpImm, dpImmShift, dpRegShift, isDataProcessing, movt, movw } from './a32-dataproc.ts';
import * as ls from './a32-loadstore.ts';
import * as media from './a32-media.ts';
import * as mul from './a32-multiply.ts';
import { vmovScalar } from '../neon/neon-permute.ts';
import type { A32Entry } from '../table-row.ts';
import { isScalarMove, NEON_A32_ROWS, VDUP_CORE_ROW } from '../neon/neon-table.ts';
import * as vfp from '../vfp/vfp-instructions.ts';

export type { A32Class, A32Entry, A32Exec } from '../table-row.ts';

const notHint = (w: number) => (w & 0x004f0000) !== 0;

/** The table, in no particular order: patterns and constraints are disjoint. */
export const A32_TABLE: readonly A32Entry[] = [
  // data processing (A5.2.1-A5.2.3)
  {
    name: 'DP(imm shift)',
    cls: 'dataproc',
    pattern: 'cccc 000o ooos nnnn dddd iiii itt0 mmmm',
    when: isDataProcessing,
    exec: dpImmShift,
  },
  {
    name: 'DP(reg shift)',
    cls: 'dataproc',
    pattern: 'cccc 000o ooos nnnn dddd ssss 0tt1 mmmm',
    when: isDataProcessing,
    exec: dpRegShift,
  },
  {
    name: 'DP(imm)',
    cls: 'dataproc',
    pattern: 'cccc 001o ooos nnnn dddd rrrr iiii iiii',
    when: isDataProcessing,
    exec: dpImm,
  },
  { name: 'MOVW', cls: 'dataproc', pattern: 'cccc 0011 0000 iiii dddd iiii iiii iiii', exec: movw },
  { name: 'MOVT', cls: 'dataproc', pattern: 'cccc 0011 0100 iiii dddd iiii iiii iiii', exec: movt },
  // multiplies (A5.2.5, A5.2.7, A5.4.4)
  { name: 'MUL', cls: 'multiply', pattern: 'cccc 0000 000s dddd 0000 mmmm 1001 nnnn', exec: mul.mul },
  { name: 'MLA', cls: 'multiply', pattern: 'cccc 0000 001s dddd aaaa mmmm 1001 nnnn', exec: mul.mla },
  { name: 'UMAAL', cls: 'multiply', pattern: 'cccc 0000 0100 hhhh llll mmmm 1001 nnnn', exec: mul.umaal },
  { name: 'MLS', cls: 'multiply', pattern: 'cccc 0000 0110 dddd aaaa mmmm 1001 nnnn', exec: mul.mls },
  {
    name: 'UMULL/UMLAL/SMULL/SMLAL',
    cls: 'multiply',
    pattern: 'cccc 0000 1uas hhhh llll mmmm 1001 nnnn',
    exec: mul.mulLong,
  },
  { name: 'SMLAxy', cls: 'multiply', pattern: 'cccc 0001 0000 dddd aaaa mmmm 1yx0 nnnn', exec: mul.smlaxy },
  {
    name: 'SMLAWy/SMULWy',
    cls: 'multiply',
    pattern: 'cccc 0001 0010 dddd aaaa mmmm 1yw0 nnnn',
    when: (w) => (w & 0x20) === 0 || (w & 0xf000) === 0,
    exec: mul.smlawy,
  },
  { name: 'SMLALxy', cls: 'multiply', pattern: 'cccc 0001 0100 hhhh llll mmmm 1yx0 nnnn', exec: mul.smlalxy },
  { name: 'SMULxy', cls: 'multiply', pattern: 'cccc 0001 0110 dddd 0000 mmmm 1yx0 nnnn', exec: mul.smulxy },
  {
    name: 'SMLAD/SMLSD/SMUAD/SMUSD',
    cls: 'multiply',
    pattern: 'cccc 0111 0000 dddd aaaa mmmm 0sx1 nnnn',
    exec: mul.smlad,
  },
  {
    name: 'SMLALD/SMLSLD',
    cls: 'multiply',
    pattern: 'cccc 0111 0100 hhhh llll mmmm 0sx1 nnnn',
    exec: mul.smlald,
  },
  {
    name: 'SMMLA/SMMUL',
    cls: 'multiply',
    pattern: 'cccc 0111 0101 dddd aaaa mmmm 00r1 nnnn',
    exec: mul.smmla,
  },
  { name: 'SMMLS', cls: 'multiply', pattern: 'cccc 0111 0101 dddd aaaa mmmm 11r1 nnnn', exec: mul.smmla },
  { name: 'SDIV', cls: 'multiply', pattern: 'cccc 0111 0001 dddd 1111 mmmm 0001 nnnn', exec: mul.sdiv },
  { name: 'UDIV', cls: 'multiply', pattern: 'cccc 0111 0011 dddd 1111 mmmm 0001 nnnn', exec: mul.udiv },
  {
    name: 'USAD8/USADA8',
    cls: 'multiply',
    pattern: 'cccc 0111 1000 dddd aaaa mmmm 0001 nnnn',
    exec: mul.usad8,
  },
  // bit manipulation and media (A5.2.12, A5.4)
  { name: 'CLZ', cls: 'media', pattern: 'cccc 0001 0110 1111 dddd 1111 0001 mmmm', exec: media.clz },
  {
    name: 'QADD/QSUB/QDADD/QDSUB',
    cls: 'media',
    pattern: 'cccc 0001 0oo0 nnnn dddd 0000 0101 mmmm',
    exec: media.qaddsub,
  },
  {
    name: 'parallel add/sub',
    cls: 'media',
    pattern: 'cccc 0110 0ukk nnnn dddd 1111 ooo1 mmmm',
    when: media.isParallel,
    exec: media.parallel,
  },
  { name: 'PKHBT/PKHTB', cls: 'media', pattern: 'cccc 0110 1000 nnnn dddd iiii it01 mmmm', exec: media.pkh },
  { name: 'SEL', cls: 'media', pattern: 'cccc 0110 1000 nnnn dddd 1111 1011 mmmm', exec: media.sel },
  { name: 'SSAT/USAT', cls: 'media', pattern: 'cccc 0110 1u1s ssss dddd iiii ih01 nnnn', exec: media.sat },
  {
    name: 'SSAT16/USAT16',
    cls: 'media',
    pattern: 'cccc 0110 1u10 ssss dddd 1111 0011 nnnn',
    exec: media.sat16,
  },
  {
    name: 'extend',
    cls: 'media',
    pattern: 'cccc 0110 1ooo nnnn dddd rr00 0111 mmmm',
    when: media.isExtend,
    exec: media.extend,
  },
  { name: 'REV', cls: 'media', pattern: 'cccc 0110 1011 1111 dddd 1111 0011 mmmm', exec: media.rev },
  { name: 'REV16', cls: 'media', pattern: 'cccc 0110 1011 1111 dddd 1111 1011 mmmm', exec: media.rev16 },
  { name: 'RBIT', cls: 'media', pattern: 'cccc 0110 1111 1111 dddd 1111 0011 mmmm', exec: media.rbit },
  { name: 'REVSH', cls: 'media', pattern: 'cccc 0110 1111 1111 dddd 1111 1011 mmmm', exec: media.revsh },
  { name: 'BFC/BFI', cls: 'media', pattern: 'cccc 0111 110m mmmm dddd llll l001 nnnn', exec: media.bfi },
  { name: 'SBFX/UBFX', cls: 'media', pattern: 'cccc 0111 1u1w wwww dddd llll l101 nnnn', exec: media.bfx },
  // loads and stores (A5.3, A5.2.8, A5.5)
  {
    name: 'LDR/STR(imm)',
    cls: 'loadstore',
    pattern: 'cccc 010p ubwl nnnn tttt iiii iiii iiii',
    exec: ls.ldrStr,
  },
  {
    name: 'LDR/STR(reg)',
    cls: 'loadstore',
    pattern: 'cccc 011p ubwl nnnn tttt iiii itt0 mmmm',
    exec: ls.ldrStr,
  },
  {
    name: 'LDRH/STRH/LDRSB/LDRSH/LDRD/STRD',
    cls: 'loadstore',
    pattern: 'cccc 000p uiwl nnnn tttt iiii 1sh1 iiii',
    when: ls.isExtraLoadStore,
    exec: ls.ldrhEtc,
  },
  { name: 'LDM/STM', cls: 'multiple', pattern: 'cccc 100p uswl nnnn rrrr rrrr rrrr rrrr', exec: ls.ldmStm },
  { name: 'STREX*', cls: 'exclusive', pattern: 'cccc 0001 1zz0 nnnn dddd 1111 1001 tttt', exec: ls.strex },
  { name: 'LDREX*', cls: 'exclusive', pattern: 'cccc 0001 1zz1 nnnn tttt 1111 1001 1111', exec: ls.ldrex },
  // branches, exception generation, status registers (A5.2.12, A5.6, B9)
  { name: 'B/BL', cls: 'branch', pattern: 'cccc 101l iiii iiii iiii iiii iiii iiii', exec: ctl.branch },
  { name: 'BX', cls: 'branch', pattern: 'cccc 0001 0010 1111 1111 1111 0001 mmmm', exec: ctl.bx },
  { name: 'BXJ', cls: 'branch', pattern: 'cccc 0001 0010 1111 1111 1111 0010 mmmm', exec: ctl.bx },
  { name: 'BLX(reg)', cls: 'branch', pattern: 'cccc 0001 0010 1111 1111 1111 0011 mmmm', exec: ctl.blxReg },
  { name: 'SVC', cls: 'system', pattern: 'cccc 1111 iiii iiii iiii iiii iiii iiii', exec: ctl.svc },
  { name: 'BKPT', cls: 'system', pattern: 'cccc 0001 0010 iiii iiii iiii 0111 iiii', exec: ctl.bkpt },
  { name: 'HVC', cls: 'system', pattern: 'cccc 0001 0100 iiii iiii iiii 0111 iiii', exec: ctl.hvc },
  { name: 'SMC', cls: 'system', pattern: 'cccc 0001 0110 0000 0000 0000 0111 iiii', exec: ctl.smc },
  { name: 'MRS', cls: 'system', pattern: 'cccc 0001 0r00 1111 dddd 0000 0000 0000', exec: ctl.mrs },
  {
    name: 'MRS(banked)',
    cls: 'system',
    pattern: 'cccc 0001 0r00 mmmm dddd 001m 0000 0000',
    exec: ctl.mrsBanked,
  },
  { name: 'MSR(reg)', cls: 'system', pattern: 'cccc 0001 0r10 mmmm 1111 0000 0000 nnnn', exec: ctl.msrReg },
  {
    name: 'MSR(banked)',
    cls: 'system',
    pattern: 'cccc 0001 0r10 mmmm 1111 001m 0000 nnnn',
    exec: ctl.msrBanked,
  },
  {
    name: 'MSR(imm)',
    cls: 'system',
    pattern: 'cccc 0011 0r10 mmmm 1111 iiii iiii iiii',
    when: notHint,
    exec: ctl.msrImm,
  },
  { name: 'hint', cls: 'hint', pattern: 'cccc 0011 0010 0000 1111 0000 hhhh hhhh', exec: ctl.hint },
  // coprocessor (A5.6): CP15 here, coprocessors 10 and 11 are the VFP below
  {
    name: 'MRC/MCR',
    cls: 'coprocessor',
    pattern: 'cccc 1110 oool nnnn tttt pppp ooo1 mmmm',
    when: (w) => !vfp.isVfpCoprocessor(w),
    exec: ctl.mrcMcr,
  },
  {
    name: 'MRRC/MCRR',
    cls: 'coprocessor',
    pattern: 'cccc 1100 010l uuuu tttt pppp oooo mmmm',
    when: (w) => !vfp.isVfpCoprocessor(w),
    exec: ctl.mrrcMcrr,
  },
  // VFP (coprocessors 10 and 11)
  {
    name: 'VFP data processing',
    cls: 'vfp',
    pattern: 'cccc 1110 oooo nnnn dddd 101s nop0 mmmm',
    exec: vfp.vfpDataProcessing,
  },
  {
    name: 'VMOV(core, single)',
    cls: 'vfp',
    pattern: 'cccc 1110 000l nnnn tttt 1010 n001 0000',
    exec: vfp.vmovCoreSingle,
  },
  {
    name: 'VMOV(core, scalar)',
    cls: 'vfp',
    pattern: 'cccc 1110 uool nnnn tttt 1011 noo1 0000',
    when: isScalarMove,
    exec: vmovScalar,
  },
  VDUP_CORE_ROW,
  { name: 'VMRS/VMSR', cls: 'vfp', pattern: 'cccc 1110 111l rrrr tttt 1010 0001 0000', exec: vfp.vmrsVmsr },
  {
    name: 'VMOV(2 core)',
    cls: 'vfp',
    pattern: 'cccc 1100 010l uuuu tttt 101s 00m1 mmmm',
    exec: vfp.vmovCorePair,
  },
  { name: 'VLDR/VSTR', cls: 'vfp', pattern: 'cccc 1101 ud0l nnnn dddd 101s iiii iiii', exec: vfp.vldrVstr },
  {
    name: 'VLDM/VSTM',
    cls: 'vfp',
    pattern: 'cccc 110p udwl nnnn dddd 101s iiii iiii',
    when: vfp.isVldm,
    exec: vfp.vldmVstm,
  },
];

/** The unconditional space (cond = 1111, A5.7). */
export const A32_UNCONDITIONAL_TABLE: readonly A32Entry[] = [
  { name: 'CPS', cls: 'system', pattern: '1111 0001 0000 iim0 0000 000a if0m mmmm', exec: ctl.cps },
  { name: 'SETEND', cls: 'system', pattern: '1111 0001 0000 0001 0000 00e0 0000 0000', exec: ctl.setend },
  { name: 'PLI(imm)', cls: 'hint', pattern: '1111 0100 u101 nnnn 1111 iiii iiii iiii', exec: ctl.barrier },
  { name: 'PLD(imm)', cls: 'hint', pattern: '1111 0101 ur01 nnnn 1111 iiii iiii iiii', exec: ctl.barrier },
  { name: 'PLI(reg)', cls: 'hint', pattern: '1111 0110 u101 nnnn 1111 iiii itt0 mmmm', exec: ctl.barrier },
  { name: 'PLD(reg)', cls: 'hint', pattern: '1111 0111 ur01 nnnn 1111 iiii itt0 mmmm', exec: ctl.barrier },
  { name: 'CLREX', cls: 'exclusive', pattern: '1111 0101 0111 1111 1111 0000 0001 1111', exec: ls.clrex },
  { name: 'DSB', cls: 'hint', pattern: '1111 0101 0111 1111 1111 0000 0100 oooo', exec: ctl.barrier },
  { name: 'DMB', cls: 'hint', pattern: '1111 0101 0111 1111 1111 0000 0101 oooo', exec: ctl.barrier },
  { name: 'ISB', cls: 'hint', pattern: '1111 0101 0111 1111 1111 0000 0110 oooo', exec: ctl.barrier },
  { name: 'SRS', cls: 'system', pattern: '1111 100p u1w0 1101 0000 0101 000m mmmm', exec: ctl.srs },
  { name: 'RFE', cls: 'system', pattern: '1111 100p u0w1 nnnn 0000 1010 0000 0000', exec: ctl.rfe },
  { name: 'BLX(imm)', cls: 'branch', pattern: '1111 101h iiii iiii iiii iiii iiii iiii', exec: ctl.blxImm },
  ...NEON_A32_ROWS,
];

/** Mask and match of a pattern string. */
export function parsePattern(pattern: string): { mask: number; match: number } {
  const bits = pattern.replace(/ /g, '');
  if (bits.length !== 32) throw new Error(`pattern '${pattern}' has ${bits.length} bits`);
  let mask = 0;
  let match = 0;
  for (let i = 0; i < 32; i++) {
    const ch = bits[i];
    const bit = 1 << (31 - i);
    if (ch === '0' || ch === '1') {
      mask |= bit;
      if (ch === '1') match |= bit;
    }
  }
  return { mask: mask | 0, match: match | 0 };
}
