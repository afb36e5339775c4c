/**
 * Where a block ends, shared by both tiers: after at most MAX_BLOCK_INSNS instructions, at the page
 * end, or after an instruction outside the lists below (branches, system, coprocessor, hint and
 * exception-generating instructions), which may change how the code after it must run.
 */
import type { A32Class } from '../isa/a32/a32-table.ts';

/** Most guest instructions in one block (an IT block in progress may add up to four). */
export const MAX_BLOCK_INSNS = 48;

/** Instruction classes after which the A32 block may go on (they only touch registers, flags, memory). */
export const A32_CONTINUE = new Set<A32Class>([
  'dataproc',
  'multiply',
  'media',
  'loadstore',
  'multiple',
  'exclusive',
  'vfp',
]);

/** The same for Thumb table rows, by name. */
export const THUMB_CONTINUE = new Set<string>([
  'LSL/LSR/ASR(imm)',
  'ADD/SUB(reg/imm3)',
  'MOV/CMP/ADD/SUB(imm8)',
  'DP(reg)',
  'ADD/CMP/MOV(hi)',
  'LDR(literal)',
  'LDR/STR(reg)',
  'LDR/STR(imm)',
  'LDRH/STRH(imm)',
  'LDR/STR(SP)',
  'ADR/ADD(SP)',
  'ADD/SUB SP',
  'SXTH/SXTB/UXTH/UXTB',
  'PUSH',
  'POP',
  'REV/REV16/REVSH',
  'LDM/STM',
  'LDM/STM/SRS/RFE',
  'LDRD/STRD',
  'LDREX*/STREX*/TBB/TBH',
  'PKHBT/PKHTB',
  'DP(shifted reg)',
  'VFP data processing',
  'VMOV(core, single)',
  'VMOV(core, scalar)',
  'VMRS/VMSR',
  'VMOV(2 core)',
  'VLDR/VSTR',
  'VLDM/VSTM',
  'DP(modified imm)',
  'DP(plain imm)',
  'LDR/STR',
  'LSL/LSR/ASR/ROR(reg)',
  'extend',
  'parallel add/sub',
  'QADD/REV/SEL/CLZ',
  'multiply',
  'long multiply/divide',
]);
