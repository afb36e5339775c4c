/**
 * The Thumb-2 32-bit instruction table (hw1 << 16 | hw2). Where an encoding means exactly what an A32
 * one does, its executor re-encodes it and runs the A32 executor, so both sets share one semantics.
 */
import * as ctl from '../a32/a32-control.ts';
import type { ThumbEntry } from './t16.ts';
import * as tc from './t32-control.ts';
import * as td from './t32-dataproc.ts';
import * as tm from './t32-memory.ts';
import { vmovScalar } from '../neon/neon-permute.ts';
import { isScalarMove, NEON_T32_ROWS, VDUP_CORE_T32_ROW } from '../neon/neon-table.ts';
import * as vfp from '../vfp/vfp-instructions.ts';

/** The 32-bit Thumb table. */
export const T32_TABLE: readonly ThumbEntry[] = [
  ...NEON_T32_ROWS,
  {
    name: 'LDM/STM/SRS/RFE',
    continues: true,
    pattern: '1110 100o o0wl nnnn ---- ---- ---- ----',
    exec: tm.multiple,
  },
  {
    name: 'LDRD/STRD',
    continues: true,
    pattern: '1110 100p u1wl nnnn tttt dddd iiii iiii',
    when: (w) => (w & 0x01200000) !== 0,
    exec: tm.loadStoreDual,
  },
  {
    name: 'LDREX*/STREX*/TBB/TBH',
    continues: true,
    pattern: '1110 1000 010l nnnn ---- ---- ---- ----',
    exec: tm.exclusive,
  },
  {
    name: 'LDREX*/STREX*/TBB/TBH',
    continues: true,
    pattern: '1110 1000 110l nnnn ---- ---- ---- ----',
    exec: tm.exclusive,
  },
  { name: 'PKHBT/PKHTB', continues: true, pattern: '1110 1010 1100 nnnn 0iii dddd iit0 mmmm', exec: td.pkh },
  {
    name: 'DP(shifted reg)',
    continues: true,
    pattern: '1110 101o ooos nnnn 0iii dddd iitt mmmm',
    when: td.isThumbDp,
    exec: td.dpShiftedReg,
  },
  {
    name: 'MRC/MCR',
    continues: false,
    pattern: '1110 1110 oool nnnn tttt pppp ooo1 mmmm',
    when: (w) => !vfp.isVfpCoprocessor(w),
    exec: ctl.mrcMcr,
  },
  {
    name: 'MRRC/MCRR',
    continues: false,
    pattern: '1110 1100 010l uuuu tttt pppp oooo mmmm',
    when: (w) => !vfp.isVfpCoprocessor(w),
    exec: ctl.mrrcMcrr,
  },
  // VFP (coprocessors 10 and 11)
  {
    name: 'VFP data processing',
    continues: true,
    pattern: '1110 1110 oooo nnnn dddd 101s nop0 mmmm',
    exec: vfp.vfpDataProcessing,
  },
  {
    name: 'VMOV(core, single)',
    continues: true,
    pattern: '1110 1110 000l nnnn tttt 1010 n001 0000',
    exec: vfp.vmovCoreSingle,
  },
  VDUP_CORE_T32_ROW,
  {
    name: 'VMOV(core, scalar)',
    continues: true,
    pattern: '1110 1110 uool nnnn tttt 1011 noo1 0000',
    when: isScalarMove,
    exec: vmovScalar,
  },
  {
    name: 'VMRS/VMSR',
    continues: true,
    pattern: '1110 1110 111l rrrr tttt 1010 0001 0000',
    exec: vfp.vmrsVmsr,
  },
  {
    name: 'VMOV(2 core)',
    continues: true,
    pattern: '1110 1100 010l uuuu tttt 101s 00m1 mmmm',
    exec: vfp.vmovCorePair,
  },
  {
    name: 'VLDR/VSTR',
    continues: true,
    pattern: '1110 1101 ud0l nnnn dddd 101s iiii iiii',
    exec: vfp.vldrVstr,
  },
  {
    name: 'VLDM/VSTM',
    continues: true,
    pattern: '1110 110p udwl nnnn dddd 101s iiii iiii',
    when: vfp.isVldm,
    exec: vfp.vldmVstm,
  },

  {
    name: 'DP(modified imm)',
    continues: true,
    pattern: '1111 0i0o ooos nnnn 0iii dddd iiii iiii',
    when: td.isThumbDp,
    exec: td.dpModImm,
  },
  {
    name: 'DP(plain imm)',
    continues: true,
    pattern: '1111 0i1o oooo nnnn 0iii dddd iiii iiii',
    when: td.isPlainImm,
    exec: td.plainImm,
  },
  {
    name: 'B<c>.W',
    continues: false,
    pattern: '1111 0scc ccii iiii 10j0 jiii iiii iiii',
    when: (w) => (w & 0x03800000) !== 0x03800000,
    exec: tc.bCond,
  },
  { name: 'MSR', continues: false, pattern: '1111 0011 100r nnnn 10-0 mmmm --b- ----', exec: tc.msr },
  {
    name: 'CPS/hints',
    continues: false,
    pattern: '1111 0011 1010 ---- 10-0 -iii iiii iiii',
    exec: tc.cpsHint,
  },
  {
    name: 'CLREX/DSB/DMB/ISB',
    continues: false,
    pattern: '1111 0011 1011 ---- 10-0 ---- oooo ----',
    exec: tc.barriers,
  },
  { name: 'BXJ', continues: false, pattern: '1111 0011 1100 mmmm 10-0 ---- ---- ----', exec: tc.bxj },
  {
    name: 'SUBS PC, LR',
    continues: false,
    pattern: '1111 0011 1101 ---- 10-0 ---- iiii iiii',
    exec: tc.subsPcLr,
  },
  { name: 'MRS', continues: false, pattern: '1111 0011 111r mmmm 10-0 dddd --b- ----', exec: tc.mrs },
  { name: 'HVC', continues: false, pattern: '1111 0111 1110 iiii 1000 iiii iiii iiii', exec: tc.hvc },
  { name: 'SMC', continues: false, pattern: '1111 0111 1111 iiii 1000 ---- ---- ----', exec: tc.smc },
  {
    name: 'UDF',
    continues: false,
    pattern: '1111 0111 1111 iiii 1010 iiii iiii iiii',
    exec: tc.undefinedT32,
  },
  { name: 'B.W', continues: false, pattern: '1111 0sii iiii iiii 10j1 jiii iiii iiii', exec: tc.bWide },
  { name: 'BLX', continues: false, pattern: '1111 0sii iiii iiii 11j0 jiii iiii iiii', exec: tc.blx },
  { name: 'BL', continues: false, pattern: '1111 0sii iiii iiii 11j1 jiii iiii iiii', exec: tc.bl },
  {
    name: 'LDR/STR',
    continues: true,
    pattern: '1111 100s uzzl nnnn tttt ---- ---- ----',
    when: (w) => (w & 0x01100000) !== 0x01000000, // signed stores: that space is Advanced SIMD
    exec: tm.loadStore,
  },
  {
    name: 'LSL/LSR/ASR/ROR(reg)',
    continues: true,
    pattern: '1111 1010 0tts nnnn 1111 dddd 0000 mmmm',
    exec: td.shiftByReg,
  },
  {
    name: 'extend',
    continues: true,
    pattern: '1111 1010 0ooo nnnn 1111 dddd 10rr mmmm',
    when: td.isThumbExtend,
    exec: td.extend,
  },
  {
    name: 'parallel add/sub',
    continues: true,
    pattern: '1111 1010 1ooo nnnn 1111 dddd 0uoo mmmm',
    when: td.isThumbParallel,
    exec: td.parallel,
  },
  {
    name: 'QADD/REV/SEL/CLZ',
    continues: true,
    pattern: '1111 1010 10oo nnnn 1111 dddd 10oo mmmm',
    when: td.isThumbMisc,
    exec: td.misc,
  },
  {
    name: 'multiply',
    continues: true,
    pattern: '1111 1011 0ooo nnnn aaaa dddd 00oo mmmm',
    when: td.isThumbMultiply,
    exec: td.multiply,
  },
  {
    name: 'long multiply/divide',
    continues: true,
    pattern: '1111 1011 1ooo nnnn llll hhhh oooo mmmm',
    when: td.isThumbLongMultiply,
    exec: td.longMultiply,
  },
];
