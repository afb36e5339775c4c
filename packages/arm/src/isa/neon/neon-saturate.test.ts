import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  countLeadingSignBits,
  countLeadingZeros,
  doublingMultiplyHigh,
  extend,
  limits,
  polyMultiply,
  popcount,
  roundingShiftRight,
  saturate,
  shiftByRegister,
} from './neon-saturate.ts';

const width = fc.constantFrom(8, 16, 32, 64);
const big = fc.bigInt({ min: -(1n << 70n), max: 1n << 70n });

describe('Advanced SIMD integer helpers', () => {
  test('saturate clamps into the element and says when it did', () => {
    fc.assert(
      fc.property(big, width, fc.boolean(), (x, bits, signed) => {
        const { min, max } = limits(bits, signed);
        const r = saturate(x, bits, signed);
        assert.ok(r.value >= min && r.value <= max);
        assert.equal(r.saturated, x < min || x > max);
        if (!r.saturated) assert.equal(r.value, x);
      }),
    );
  });

  test('extend keeps the low bits and reads them as signed or unsigned', () => {
    fc.assert(
      fc.property(big, width, (x, bits) => {
        const s = extend(x, bits, true);
        const u = extend(x, bits, false);
        assert.equal(BigInt.asUintN(bits, s), u);
        assert.ok(u >= 0n && u < 1n << BigInt(bits));
      }),
    );
  });

  test('shifts by a register amount: left multiplies, right floors, rounding adds half first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: -40, max: 40 }),
        (x, n) => {
          const by = BigInt(n & 0xff); // only the bottom byte counts, as a signed amount
          const plain = shiftByRegister(BigInt(x), by, false);
          const rounded = shiftByRegister(BigInt(x), by, true);
          if (n >= 0) {
            assert.equal(plain, BigInt(x) * 2n ** BigInt(n));
            assert.equal(rounded, plain);
          } else {
            assert.equal(plain, BigInt(Math.floor(x / 2 ** -n)));
            assert.equal(rounded, BigInt(Math.floor((x + 2 ** (-n - 1)) / 2 ** -n)));
            assert.equal(rounded, roundingShiftRight(BigInt(x), -n));
          }
        },
      ),
    );
  });

  test('the doubling multiply-high saturates only for the most negative value squared', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -32768, max: 32767 }),
        fc.integer({ min: -32768, max: 32767 }),
        fc.boolean(),
        (a, b, round) => {
          const r = doublingMultiplyHigh(BigInt(a), BigInt(b), 16, round);
          const exact = Math.floor((2 * a * b + (round ? 0x8000 : 0)) / 65536);
          assert.equal(r.saturated, a === -32768 && b === -32768);
          assert.equal(r.value, BigInt(Math.min(exact, 32767)));
        },
      ),
    );
    assert.deepEqual(doublingMultiplyHigh(-(1n << 31n), -(1n << 31n), 32, false), {
      value: 0x7fffffffn,
      saturated: true,
    });
  });

  test('bit counts agree with the binary string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.constantFrom(8, 16, 32), (raw, bits) => {
        const x = BigInt.asUintN(bits, raw);
        const s = x.toString(2).padStart(bits, '0');
        assert.equal(countLeadingZeros(x, bits), s.indexOf('1') < 0 ? bits : s.indexOf('1'));
        assert.equal(popcount(x), [...s].filter((c) => c === '1').length);
        const run = s.slice(1).search(s[0] === '1' ? /0/ : /1/);
        assert.equal(countLeadingSignBits(x, bits), run < 0 ? bits - 1 : run);
      }),
    );
  });

  test('polynomial multiplication is carry-less', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        (a, b, c) => {
          const [x, y, z] = [BigInt(a), BigInt(b), BigInt(c)];
          assert.equal(polyMultiply(x, y, 8), polyMultiply(y, x, 8));
          assert.equal(polyMultiply(x, y ^ z, 8), polyMultiply(x, y, 8) ^ polyMultiply(x, z, 8));
          assert.equal(polyMultiply(x, 1n, 8), x);
        },
      ),
    );
    assert.equal(polyMultiply(0xffn, 0xffn, 8), 0x5555n);
  });
});
