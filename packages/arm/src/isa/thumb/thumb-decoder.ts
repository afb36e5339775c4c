/** The Thumb decoder, built from the 16- and 32-bit tables: a direct map for 16-bit halfwords, slots by hw1 for 32-bit words. */
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { T16_TABLE, type ThumbEntry, type ThumbExec } from './t16.ts';
import { T32_TABLE } from './t32-table.ts';

/** Thumb's undefined instruction. */
export const THUMB_UNDEFINED: ThumbEntry = {
  name: 'UNDEFINED',
  continues: false,
  pattern: '',
  exec: (_cpu: ExecContext, _w: number) => {
    throw UNDEFINED;
  },
};

/** Mask and match of a Thumb pattern (16 or 32 bits). */
export function parseThumbPattern(pattern: string): { mask: number; match: number; bits: number } {
  const bits = pattern.replace(/ /g, '');
  if (bits.length !== 16 && bits.length !== 32)
    throw new Error(`pattern '${pattern}' has ${bits.length} bits`);
  let mask = 0;
  let match = 0;
  for (let i = 0; i < bits.length; i++) {
    const bit = 2 ** (bits.length - 1 - i);
    if (bits[i] === '0' || bits[i] === '1') {
      mask += bit;
      if (bits[i] === '1') match += bit;
    }
  }
  return { mask: mask | 0, match: match | 0, bits: bits.length };
}

/** True when a first halfword starts a 32-bit instruction. */
export function isThumb32(hw1: number): boolean {
  return hw1 >= 0xe800;
}

const t16 = new Array<ThumbEntry>(65536).fill(THUMB_UNDEFINED);
{
  const rows = T16_TABLE.map((e) => ({ ...parseThumbPattern(e.pattern), e }));
  for (let hw = 0; hw < 0xe800; hw++) {
    for (const row of rows) {
      if ((hw & row.mask) === row.match && (row.e.when === undefined || row.e.when(hw))) {
        t16[hw] = row.e;
        break;
      }
    }
  }
}

interface Row {
  readonly mask: number;
  readonly match: number;
  readonly entry: ThumbEntry;
}

/** 32-bit rows by hw1 bits 15:4 (the bits that separate the groups). */
const t32: Row[][] = Array.from({ length: 4096 }, () => []);
for (const entry of T32_TABLE) {
  const { mask, match } = parseThumbPattern(entry.pattern);
  for (let s = 0; s < 4096; s++) {
    if ((((s << 20) ^ match) & mask & 0xfff00000) === 0) t32[s]!.push({ mask, match, entry });
  }
}

/** The table row of a 16-bit Thumb instruction. */
export function decodeT16Entry(hw: number): ThumbEntry {
  return t16[hw & 0xffff]!;
}

/** The table row of a 32-bit Thumb instruction (hw1 << 16 | hw2). */
export function decodeT32Entry(w: number): ThumbEntry {
  const rows = t32[w >>> 20]!;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if ((w & row.mask) === row.match && (row.entry.when === undefined || row.entry.when(w))) return row.entry;
  }
  return THUMB_UNDEFINED;
}

/** The executor of a 16-bit Thumb instruction. */
export function decodeT16(hw: number): ThumbExec {
  return t16[hw]!.exec;
}

/** The executor of a 32-bit Thumb instruction. */
export function decodeT32(w: number): ThumbExec {
  return decodeT32Entry(w).exec;
}
