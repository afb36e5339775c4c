import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { b2d, b2f, d2b, f2b } from '../../testing/float-bits.ts';
import {
  F32,
  F64,
  FpEnv,
  FpFlag,
  fpAdd,
  fpCompare,
  fpConvert,
  fpDiv,
  fpFromInt,
  fpMul,
  fpMulAdd,
  fpSqrt,
  fpToInt,
  RoundingMode,
} from './softfloat.ts';

/** Doubles of every kind except NaN (whose JS results carry no payload to compare). */
const dbl = fc.double({ noNaN: true });
const flt = fc.float({ noNaN: true }).map((x) => Math.fround(x));

/** The host's IEEE arithmetic rounds to nearest: our results must agree bit for bit. */
describe('softfloat agrees with the host in round-to-nearest', () => {
  test('binary64 add, sub, mul, div, sqrt', () => {
    fc.assert(
      fc.property(dbl, dbl, (a, b) => {
        const env = new FpEnv();
        const same = (got: bigint, want: number) =>
          Object.is(b2d(got), want) || (Number.isNaN(want) && Number.isNaN(b2d(got)));
        assert.ok(same(fpAdd(d2b(a), d2b(b), F64, env), a + b), `${a} + ${b}`);
        assert.ok(same(fpAdd(d2b(a), d2b(b), F64, env, true), a - b), `${a} - ${b}`);
        assert.ok(same(fpMul(d2b(a), d2b(b), F64, env), a * b), `${a} * ${b}`);
        assert.ok(same(fpDiv(d2b(a), d2b(b), F64, env), a / b), `${a} / ${b}`);
        assert.ok(same(fpSqrt(d2b(a), F64, env), Math.sqrt(a)), `sqrt ${a}`);
      }),
      { numRuns: 500 },
    );
  });

  test('binary32 operations round once, like fround of the exact result', () => {
    fc.assert(
      fc.property(flt, flt, (a, b) => {
        const env = new FpEnv();
        const same = (got: bigint, want: number) =>
          Object.is(b2f(got), want) || (Number.isNaN(want) && Number.isNaN(b2f(got)));
        assert.ok(same(fpAdd(f2b(a), f2b(b), F32, env), Math.fround(a + b)));
        assert.ok(same(fpMul(f2b(a), f2b(b), F32, env), Math.fround(a * b)));
        assert.ok(same(fpDiv(f2b(a), f2b(b), F32, env), Math.fround(a / b)));
        assert.ok(same(fpConvert(d2b(a * 3.3), F64, F32, env), Math.fround(a * 3.3)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('softfloat flags and modes', () => {
  test('inexact, overflow, underflow, invalid and divide-by-zero', () => {
    const env = new FpEnv();
    fpAdd(d2b(1), d2b(2 ** -60), F64, env);
    assert.equal(env.flags, FpFlag.IXC);
    env.flags = 0;
    fpMul(d2b(1e300), d2b(1e300), F64, env);
    assert.equal(env.flags, FpFlag.OFC | FpFlag.IXC);
    env.flags = 0;
    fpMul(d2b(1e-300), d2b(1e-300), F64, env);
    assert.equal(env.flags, FpFlag.UFC | FpFlag.IXC);
    env.flags = 0;
    assert.equal(fpAdd(d2b(Infinity), d2b(-Infinity), F64, env), 0x7ff8000000000000n, 'default NaN');
    assert.equal(env.flags, FpFlag.IOC);
    env.flags = 0;
    assert.equal(b2d(fpDiv(d2b(-1), d2b(0), F64, env)), -Infinity);
    assert.equal(env.flags, FpFlag.DZC);
  });

  test('NaN propagation keeps the first signalling NaN, quieted', () => {
    const env = new FpEnv();
    assert.equal(fpAdd(0x7fc00001n, 0x7f800002n, F32, env), 0x7fc00002n);
    assert.equal(env.flags, FpFlag.IOC);
  });

  test('directed rounding and conversions to integer', () => {
    const env = new FpEnv();
    env.rmode = RoundingMode.plusInf;
    assert.equal(b2d(fpAdd(d2b(1), d2b(2 ** -60), F64, env)), 1 + 2 ** -52);
    env.rmode = RoundingMode.nearest;
    assert.equal(fpToInt(d2b(2.5), F64, env, true, false), 2);
    assert.equal(fpToInt(d2b(-2.7), F64, env, true, true), -2);
    assert.equal(fpToInt(d2b(1e20), F64, env, true, true), 0x7fffffff);
    assert.equal(fpToInt(d2b(-1), F64, env, false, true), 0);
    assert.equal(b2d(fpFromInt(-7, F64, env, true)), -7);
    assert.equal(b2f(fpFromInt(0xffffffff, F32, env, false)), 4294967296);
  });

  test('fused multiply-add rounds once', () => {
    const env = new FpEnv();
    const a = 1 + 2 ** -30;
    // (1+2^-30)^2 - 1 = 2^-29 + 2^-60 exactly; a separate multiply would lose the 2^-60
    assert.equal(b2d(fpMulAdd(d2b(a), d2b(a), d2b(-1), F64, env)), 2 ** -29 + 2 ** -60);
  });

  test('compare gives the VCMP flags', () => {
    const env = new FpEnv();
    assert.equal(fpCompare(d2b(1), d2b(2), F64, env, false), 0x8);
    assert.equal(fpCompare(d2b(2), d2b(2), F64, env, false), 0x6);
    assert.equal(fpCompare(d2b(-0), d2b(0), F64, env, false), 0x6);
    assert.equal(fpCompare(d2b(3), d2b(-Infinity), F64, env, false), 0x2);
    assert.equal(fpCompare(d2b(Number.NaN), d2b(0), F64, env, false), 0x3);
    assert.equal(env.flags, 0, 'VCMP is quiet on quiet NaNs');
  });
});
