import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addWithCarry, conditionPassed, expandImm, shifterCarry, shiftImm, shiftReg } from './alu.ts';
import { CpuState } from '../cpu-state.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** Reference shifter on unsigned BigInts, written from the ARM ARM's pseudocode, not from alu.ts. */
function refShift(value: number, type: number, amount: number, carryIn: number): [number, number] {
  const v = BigInt(value >>> 0);
  if (amount === 0) return [value >>> 0, carryIn];
  const mask = 0xffffffffn;
  const n = BigInt(amount);
  switch (type) {
    case 0: {
      const wide = v << n;
      return [Number(wide & mask), Number((wide >> 32n) & 1n)];
    }
    case 1: {
      const ext = v << 1n; // one guard bit below
      const wide = ext >> n;
      return [Number(wide >> 1n), Number(wide & 1n)];
    }
    case 2: {
      const signed = BigInt.asIntN(32, v) << 1n;
      const wide = signed >> n;
      return [Number((wide >> 1n) & mask), Number(wide & 1n)];
    }
    default: {
      const r = amount % 32;
      const res = r === 0 ? v : ((v >> BigInt(r)) | (v << BigInt(32 - r))) & mask;
      return [Number(res), Number(res >> 31n)];
    }
  }
}

describe('alu', () => {
  test('addWithCarry sets N Z C V as the 33-bit and signed sums say', () => {
    fc.assert(
      fc.property(u32, u32, fc.integer({ min: 0, max: 1 }), (a, b, cin) => {
        const s = new CpuState();
        const r = addWithCarry(s, a | 0, b | 0, cin);
        const unsigned = a + b + cin;
        const signed = (a | 0) + (b | 0) + cin;
        assert.equal(r >>> 0, unsigned % 2 ** 32);
        assert.equal(s.c, unsigned >= 2 ** 32 ? 1 : 0);
        assert.equal(s.v, signed !== (signed | 0) ? 1 : 0);
        assert.equal(s.z, unsigned % 2 ** 32 === 0 ? 1 : 0);
        assert.equal(s.n, unsigned % 2 ** 32 >= 2 ** 31 ? 1 : 0);
      }),
    );
  });

  test('register-controlled shifts agree with a BigInt model for amounts 0-255', () => {
    fc.assert(
      fc.property(
        u32,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 1 }),
        (v, t, n, c) => {
          const r = shiftReg(v | 0, t, n, c);
          assert.deepEqual([r >>> 0, shifterCarry], refShift(v, t, n, c));
        },
      ),
    );
  });

  test('immediate shifts: #0 means LSL #0, LSR/ASR #32 and RRX', () => {
    fc.assert(
      fc.property(
        u32,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 0, max: 1 }),
        (v, t, n, c) => {
          const r = shiftImm(v | 0, t, n, c);
          let want: [number, number];
          if (n === 0 && t === 3) want = [((c << 31) | (v >>> 1)) >>> 0, v & 1];
          else want = refShift(v, t, n === 0 && (t === 1 || t === 2) ? 32 : n, c);
          assert.deepEqual([r >>> 0, shifterCarry], want);
        },
      ),
    );
  });

  test('modified immediates rotate by twice the top nibble', () => {
    assert.equal(expandImm(0x4ff, 0) >>> 0, 0xff000000);
    assert.equal(shifterCarry, 1);
    assert.equal(expandImm(0x0ab, 1), 0xab);
    assert.equal(shifterCarry, 1);
  });

  test('conditions pair up as a condition and its inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 6 }), (nzcv, cond) => {
        const s = new CpuState();
        s.setFlags(nzcv << 28);
        assert.notEqual(conditionPassed(s, cond * 2), conditionPassed(s, cond * 2 + 1));
      }),
    );
  });
});
