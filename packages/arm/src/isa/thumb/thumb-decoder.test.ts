import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Bus } from '../../bus.ts';
import { Cpu } from '../../cpu.ts';
import { jitTranslator } from '../../jit/jit.ts';
import { T16_TABLE } from './t16.ts';
import { T32_TABLE } from './t32-table.ts';
import { decodeT16Entry, decodeT32Entry, parseThumbPattern, THUMB_UNDEFINED } from './thumb-decoder.ts';

/** Words matching a Thumb pattern and its constraint, random in every field. */
function samples(pattern: string, when: ((w: number) => boolean) | undefined, seed: number): number[] {
  const { mask, match, bits } = parseThumbPattern(pattern);
  const top = bits === 16 ? 0xffff : 0xffffffff;
  const out: number[] = [];
  for (const r of fc.sample(fc.integer({ min: 0, max: top }), { numRuns: 2000, seed })) {
    const w = ((r & ~mask) | match) & top;
    if (when === undefined || when(w | 0)) out.push(w | 0);
    if (out.length === 100) break;
  }
  return out;
}

describe('Thumb decoder, generated from the tables', () => {
  for (const [i, entry] of T16_TABLE.entries()) {
    test(`16-bit ${entry.name} (${entry.pattern}) decodes to itself`, () => {
      const words = samples(entry.pattern, entry.when, 2000 + i);
      assert.ok(words.length > 0);
      for (const w of words) assert.equal(decodeT16Entry(w).name, entry.name, `0x${w.toString(16)}`);
    });
  }
  for (const [i, entry] of T32_TABLE.entries()) {
    test(`32-bit ${entry.name} (${entry.pattern}) decodes to itself`, () => {
      const words = samples(entry.pattern, entry.when, 3000 + i);
      assert.ok(words.length > 0);
      for (const w of words) assert.equal(decodeT32Entry(w).name, entry.name, `0x${(w >>> 0).toString(16)}`);
    });
  }

  test('UDF and unallocated 32-bit space decode to UNDEFINED', () => {
    assert.equal(decodeT16Entry(0xde00).name, 'UDF');
    assert.equal(decodeT32Entry(0xed900500 | 0).name, 'UNDEFINED'); // LDC to a coprocessor that does not exist
    assert.equal(decodeT32Entry(0xfe000000 | 0), THUMB_UNDEFINED);
  });

  test('random Thumb code never raises a host exception', () => {
    const bus = new Bus(0x40000000, new Uint8Array(1 << 16));
    const cpu = new Cpu(bus, { translator: jitTranslator() });
    // RANDOM_WORDS=1000000 runs a million locally; the suite keeps the count small
    const count = Number(process.env.RANDOM_WORDS ?? 20000);
    const words = fc.sample(fc.integer({ min: 0, max: 0xffffffff }), { numRuns: count, seed: 7 });
    for (const w of words) {
      bus.write32(0x40008000, w);
      cpu.cpsr = 0x1f3; // SVC, Thumb
      cpu.pc = 0x40008000;
      for (let r = 0; r < 15; r++) cpu.r[r] = 0x40004000 + r * 4;
      cpu.run(1);
    }
    assert.ok(cpu.retired >= words.length);
  });
});
