import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { mulHigh } from './runtime.ts';

test('mulHigh is the top word of the exact 64-bit product, signed and unsigned', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      (a, b) => {
        const unsigned = BigInt.asIntN(32, (BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n);
        const signed = BigInt.asIntN(32, (BigInt(a) * BigInt(b)) >> 32n);
        assert.equal(mulHigh(a, b, false), Number(unsigned));
        assert.equal(mulHigh(a, b, true), Number(signed));
      },
    ),
    { numRuns: 2000 },
  );
  assert.equal(mulHigh(-1, -1, false), -2, '0xffffffff squared');
  assert.equal(mulHigh(-(2 ** 31), -(2 ** 31), true), 2 ** 30);
});
