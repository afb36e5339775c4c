import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeA32Entry, UNDEFINED_ENTRY } from './a32-decoder.ts';
import { A32_TABLE, A32_UNCONDITIONAL_TABLE, parsePattern } from './a32-table.ts';
import { Bus } from '../../bus.ts';
import { Cpu } from '../../cpu.ts';
import { jitTranslator } from '../../jit/jit.ts';

/** Words matching an entry: its fixed bits, random elsewhere, a condition other than 1111. */
function samples(
  pattern: string,
  when: ((w: number) => boolean) | undefined,
  count: number,
  seed: number,
): number[] {
  const { mask, match } = parsePattern(pattern);
  const conditional = pattern.startsWith('cccc');
  const out: number[] = [];
  const rng = fc.sample(fc.integer({ min: 0, max: 0xffffffff }), { numRuns: count * 20, seed });
  for (const r of rng) {
    let w = (r & ~mask) | match | 0;
    if (conditional && w >>> 28 === 15) w &= 0xefffffff;
    if (when === undefined || when(w)) out.push(w);
    if (out.length === count) break;
  }
  return out;
}

describe('A32 decoder, generated from the table', () => {
  for (const [i, entry] of [...A32_TABLE, ...A32_UNCONDITIONAL_TABLE].entries()) {
    test(`${entry.name} (${entry.pattern}) decodes to itself`, () => {
      const words = samples(entry.pattern, entry.when, 100, 1000 + i);
      assert.ok(words.length > 0, 'the pattern and its constraint admit no word');
      for (const w of words) {
        const got = decodeA32Entry(w);
        assert.equal(got.name, entry.name, `0x${(w >>> 0).toString(16)} decoded as ${got.name}`);
      }
    });
  }

  test('unallocated encodings decode to UNDEFINED (UDF, CDP and LDC to coprocessor 5)', () => {
    for (const w of [0xe7f000f0, 0xee000500, 0xed900500, 0xe7f123f4]) {
      assert.equal(decodeA32Entry(w), UNDEFINED_ENTRY, `0x${w.toString(16)}`);
    }
  });

  test('random words never raise a host exception', () => {
    const bus = new Bus(0x40000000, new Uint8Array(1 << 16));
    const cpu = new Cpu(bus, { translator: jitTranslator() });
    // RANDOM_WORDS=1000000 runs a million locally; the suite keeps the count small
    const count = Number(process.env.RANDOM_WORDS ?? 20000);
    const words = fc.sample(fc.integer({ min: 0, max: 0xffffffff }), { numRuns: count, seed: 42 });
    for (const w of words) {
      bus.write32(0x40008000, w);
      cpu.cpsr = 0x1d3;
      cpu.pc = 0x40008000;
      for (let r = 0; r < 15; r++) cpu.r[r] = 0x40004000 + r * 4;
      cpu.run(1);
    }
    assert.ok(cpu.retired >= words.length);
  });
});
