/**
 * The Advanced SIMD rows of the A32 and Thumb tables. Executors take the A32 form of a word; the
 * Thumb rows move the U bit (bit 28 there, bit 24 in A32) and the load/store prefix, then call them.
 */
import type { ExecContext } from '../../exec-context.ts';
import { neonLoadStore } from './neon-loadstore.ts';
import { oneRegImmediate, twoRegMisc } from './neon-misc.ts';
import { vdupCore, vdupScalar, vext, vtbl } from './neon-permute.ts';
import { shiftImmediate } from './neon-shift.ts';
import { byScalar, threeDiff, threeSame } from './neon-three.ts';
import { A32_CLASS_CONTINUES, type A32Entry, type ThumbEntry } from '../table-row.ts';

const notSize3 = (w: number) => ((w >>> 20) & 3) !== 3;
/** The shift group needs L = 1 or imm6 >= 8; below that the same bits are a modified immediate. */
const isShift = (w: number) => (w & 0x00380080) !== 0;

/** The data-processing groups (A7.4) and the element/structure transfers (A7.7), in A32 form. */
export const NEON_A32_ROWS: readonly A32Entry[] = [
  { name: 'NEON 3 same', cls: 'neon', pattern: '1111 001u 0dss nnnn dddd oooo nqmb mmmm', exec: threeSame },
  {
    name: 'NEON 1 reg imm',
    cls: 'neon',
    pattern: '1111 001i 1d00 0iii dddd cccc 0qo1 iiii',
    exec: oneRegImmediate,
  },
  {
    name: 'NEON shift imm',
    cls: 'neon',
    pattern: '1111 001u 1dii iiii dddd oooo lqm1 mmmm',
    when: isShift,
    exec: shiftImmediate,
  },
  {
    name: 'NEON 3 diff',
    cls: 'neon',
    pattern: '1111 001u 1dss nnnn dddd oooo n0m0 mmmm',
    when: notSize3,
    exec: threeDiff,
  },
  {
    name: 'NEON 2 reg scalar',
    cls: 'neon',
    pattern: '1111 001q 1dss nnnn dddd oooo n1m0 mmmm',
    when: notSize3,
    exec: byScalar,
  },
  { name: 'VEXT', cls: 'neon', pattern: '1111 0010 1d11 nnnn dddd iiii nqm0 mmmm', exec: vext },
  {
    name: 'NEON 2 reg misc',
    cls: 'neon',
    pattern: '1111 0011 1d11 ssaa dddd 0bbb bbm0 mmmm',
    exec: twoRegMisc,
  },
  { name: 'VTBL/VTBX', cls: 'neon', pattern: '1111 0011 1d11 nnnn dddd 10ll nom0 mmmm', exec: vtbl },
  { name: 'VDUP(scalar)', cls: 'neon', pattern: '1111 0011 1d11 iiii dddd 1100 0qm0 mmmm', exec: vdupScalar },
  {
    name: 'VLDn/VSTn',
    cls: 'neon',
    pattern: '1111 0100 a-l0 nnnn dddd tttt ssaa mmmm',
    exec: neonLoadStore,
  },
];

/** VDUP from a core register (conditional space, coprocessor 11 encoding). */
export const VDUP_CORE_ROW: A32Entry = {
  name: 'VDUP(core)',
  cls: 'neon',
  pattern: 'cccc 1110 1bq0 dddd tttt 1011 d0e1 0000',
  exec: vdupCore,
};

/** True for a core/scalar VMOV word (not VDUP, which shares the space with bit 23 set and bit 20 clear). */
export const isScalarMove = (w: number) => (w & 0x00900000) !== 0x00800000;

/** The A32 form of a Thumb Advanced SIMD data-processing word (111u 1111 -> 1111 001u). */
export function thumbDataToA32(w: number): number {
  return (w & 0x00ffffff) | 0xf2000000 | (((w >>> 28) & 1) << 24) | 0;
}

/** The A32 form of a Thumb element/structure transfer (1111 1001 -> 1111 0100). */
export function thumbTransferToA32(w: number): number {
  return (w & 0x00ffffff) | 0xf4000000 | 0;
}

const viaData =
  (exec: (cpu: ExecContext, w: number) => void) =>
  (cpu: ExecContext, w: number): void =>
    exec(cpu, thumbDataToA32(w));

/** The Thumb-2 rows: the A32 patterns with the prefix rewritten. */
export const NEON_T32_ROWS: readonly ThumbEntry[] = NEON_A32_ROWS.map((row) => {
  const bits = row.pattern.replace(/ /g, '');
  const transfer = bits.startsWith('11110100');
  const pattern = transfer ? `11111001${bits.slice(8)}` : `111${bits[7]}1111${bits.slice(8)}`;
  const when = row.when;
  return {
    name: row.name,
    continues: A32_CLASS_CONTINUES[row.cls],
    pattern,
    ...(when === undefined
      ? {}
      : { when: (w: number) => when(transfer ? thumbTransferToA32(w) : thumbDataToA32(w)) }),
    exec: transfer
      ? (cpu: ExecContext, w: number) => row.exec(cpu, thumbTransferToA32(w))
      : viaData(row.exec),
  };
});

/** VDUP (core) in Thumb: the same 28 bits under 1110. */
export const VDUP_CORE_T32_ROW: ThumbEntry = {
  name: 'VDUP(core)',
  continues: A32_CLASS_CONTINUES[VDUP_CORE_ROW.cls],
  pattern: '1110 1110 1bq0 dddd tttt 1011 d0e1 0000',
  exec: vdupCore,
};
