import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { expandImmediate } from './neon-misc.ts';
import { shiftSize } from './neon-shift.ts';

/** The L:imm6 fields of a right shift by `n` (1..esize) of `size` elements, as an assembler encodes them. */
function rightShift(size: number, n: number): number {
  const bits = 8 << size;
  const full = 2 * bits - n;
  return size === 3 ? ((full - 64) << 16) | 0x80 : full << 16;
}
/** The same for a left shift by `n` (0..esize-1). */
function leftShift(size: number, n: number): number {
  const bits = 8 << size;
  const full = bits + n;
  return size === 3 ? ((full - 64) << 16) | 0x80 : full << 16;
}

describe('Advanced SIMD immediates', () => {
  test('shift amounts round-trip through L:imm6 for every element size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 63 }), (size, raw) => {
        const bits = 8 << size;
        const right = 1 + (raw % bits);
        const r = shiftSize(rightShift(size, right));
        assert.equal(r.size, size);
        assert.equal(2 * bits - r.full, right);
        const left = raw % bits;
        const l = shiftSize(leftShift(size, left));
        assert.equal(l.size, size);
        assert.equal(l.full - bits, left);
      }),
    );
  });

  test('modified immediates expand as AdvSIMDExpandImm says', () => {
    assert.equal(expandImmediate(0, 4, 0xab), 0x00ab000000ab0000n);
    assert.equal(expandImmediate(1, 2, 0xab), 0x0000ab000000ab00n); // VMVN inverts this later
    assert.equal(expandImmediate(0, 13, 0x01), 0x0001ffff0001ffffn);
    assert.equal(expandImmediate(0, 12, 0xc4), 0x0000c4ff0000c4ffn);
    assert.equal(expandImmediate(0, 10, 0xf1), 0xf100f100f100f100n);
    assert.equal(expandImmediate(0, 14, 0x81), 0x8181818181818181n);
    assert.equal(expandImmediate(1, 14, 0b10100101), 0xff00ff0000ff00ffn);
    assert.equal(expandImmediate(0, 15, 0xff), 0xbff80000bff80000n); // -1.9375
    assert.throws(() => expandImmediate(1, 15, 0));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 13 }), (imm8, cmode) => {
        const x = expandImmediate(0, cmode, imm8);
        assert.equal(x >> 32n, x & 0xffffffffn); // every 32-bit form repeats in both words
        const width = cmode < 8 ? 32 : cmode < 12 ? 16 : 32;
        const lane = x & ((1n << BigInt(width)) - 1n);
        assert.ok((lane >> BigInt(8 * ((cmode >> 1) & 3))) % 256n === BigInt(imm8) || cmode >= 12);
      }),
    );
  });
});
