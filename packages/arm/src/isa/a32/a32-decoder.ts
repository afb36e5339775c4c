/**
 * The A32 decoder, built from the instruction table: each word is routed by bits 27:20 and 7:4 (the
 * bits that separate the encoding groups) to the few table rows that can match it.
 */
import {
  A32_TABLE,
  A32_UNCONDITIONAL_TABLE,
  type A32Entry,
  type A32Exec,
  parsePattern,
} from './a32-table.ts';
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';

interface Row {
  readonly mask: number;
  readonly match: number;
  readonly when: ((w: number) => boolean) | undefined;
  readonly entry: A32Entry;
}

/** Raises the undefined-instruction exception: what every unallocated encoding executes. */
export function undefinedInstruction(_cpu: ExecContext, _w: number): void {
  throw UNDEFINED;
}

/** The row every unallocated encoding decodes to. */
export const UNDEFINED_ENTRY: A32Entry = {
  name: 'UNDEFINED',
  cls: 'system',
  pattern: '---- ---- ---- ---- ---- ---- ---- ----',
  exec: undefinedInstruction,
};

const slotOf = (w: number) => ((w >>> 16) & 0xff0) | ((w >>> 4) & 0xf);
const SLOT_BITS = 0x0ff000f0;

/** Builds the 4096 slot lists of a table; a row goes to every slot its pattern allows. */
function build(table: readonly A32Entry[]): Row[][] {
  const slots: Row[][] = Array.from({ length: 4096 }, () => []);
  for (const entry of table) {
    const { mask, match } = parsePattern(entry.pattern);
    const row: Row = { mask, match, when: entry.when, entry };
    for (let s = 0; s < 4096; s++) {
      const bits = ((s & 0xff0) << 16) | ((s & 0xf) << 4);
      if (((bits ^ match) & mask & SLOT_BITS) === 0) slots[s]!.push(row);
    }
  }
  return slots;
}

const conditional = build(A32_TABLE);
const unconditional = build(A32_UNCONDITIONAL_TABLE);

function find(slots: Row[][], w: number): A32Entry {
  const rows = slots[slotOf(w)]!;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if ((w & row.mask) === row.match && (row.when === undefined || row.when(w))) return row.entry;
  }
  return UNDEFINED_ENTRY;
}

/** The table row of an A32 word (UNDEFINED_ENTRY when nothing matches). */
export function decodeA32Entry(w: number): A32Entry {
  return w >>> 28 === 15 ? find(unconditional, w) : find(conditional, w & 0x0fffffff);
}

/** The executor of a conditional-space word (the condition bits are ignored). */
export function decodeA32(w: number): A32Exec {
  return find(conditional, w & 0x0fffffff).exec;
}

/** The executor of an unconditional-space word (cond = 1111). */
export function decodeA32Unconditional(w: number): A32Exec {
  return find(unconditional, w).exec;
}
