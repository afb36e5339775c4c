import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { b2f, f2b } from '../../testing/float-bits.ts';
import {
  add,
  compare,
  maxMin,
  mul,
  recipEstimate,
  recipEstimateF32,
  recipSqrtEstimate,
  recipStep,
  rsqrtEstimateF32,
  standardEnv,
  sub,
  toFixed,
} from './neon-float.ts';
import { F32, FpFlag, fpAdd, fpMul } from '../vfp/softfloat.ts';

const normal = fc.float({ min: 2 ** -100, max: 2 ** 100, noNaN: true });

describe('Advanced SIMD single precision', () => {
  test('the host-arithmetic path of add, sub and mul agrees with the exact one, flags included', () => {
    const bits = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.constantFrom(0, 0x80000000, 0x00800000, 0x00800001, 0x01000000, 0x7f7fffff, 0x3f800001, 0x33800000),
    );
    fc.assert(
      fc.property(bits, bits, (x, y) => {
        const [a, b] = [BigInt(x), BigInt(y)];
        for (const [fast, exact] of [
          [add, (e: ReturnType<typeof standardEnv>) => fpAdd(a, b, F32, e)],
          [sub, (e: ReturnType<typeof standardEnv>) => fpAdd(a, b, F32, e, true)],
          [mul, (e: ReturnType<typeof standardEnv>) => fpMul(a, b, F32, e)],
        ] as const) {
          const e1 = standardEnv();
          const e2 = standardEnv();
          assert.equal(fast(a, b, e1), exact(e2));
          assert.equal(e1.flags, e2.flags);
        }
      }),
      { numRuns: 20000 },
    );
  });

  test('the estimate tables stay in range and decrease', () => {
    let last = Infinity;
    for (let i = 256; i < 512; i++) {
      const r = recipEstimate(i);
      assert.ok(r >= 256 && r < 512 && r <= last);
      last = r;
    }
    last = Infinity;
    for (let i = 128; i < 512; i++) {
      const r = recipSqrtEstimate(i);
      assert.ok(r >= 256 && r < 512);
      if (i !== 256) assert.ok(r <= last, `${i}`); // 128-255 and 256-511 are two ranges
      last = r;
    }
  });

  test('reciprocal estimates are within 1/256 of the truth', () => {
    fc.assert(
      fc.property(normal, fc.boolean(), (x, negative) => {
        const v = negative ? -x : x;
        const env = standardEnv();
        const r = b2f(recipEstimateF32(f2b(v), env));
        assert.ok(Math.abs(r * v - 1) < 1 / 256, `${v} ${r}`);
        const s = b2f(rsqrtEstimateF32(f2b(x), env));
        assert.ok(Math.abs(s * Math.sqrt(x) - 1) < 1 / 256, `${x} ${s}`);
        assert.equal(env.flags, 0);
      }),
    );
    assert.equal(recipEstimateF32(f2b(1), standardEnv()), 0x3f7f8000n);
    const env = standardEnv();
    assert.equal(recipEstimateF32(0x80000000n, env), 0xff800000n); // -0 gives -infinity
    assert.equal(env.flags, FpFlag.DZC);
  });

  test('max and min order -0 below +0 and turn NaNs into the default NaN', () => {
    const env = standardEnv();
    assert.equal(maxMin(0x80000000n, 0n, env, true), 0n);
    assert.equal(maxMin(0x80000000n, 0n, env, false), 0x80000000n);
    assert.equal(maxMin(0x7f800001n, f2b(1), env, true), 0x7fc00000n);
    assert.equal(env.flags, FpFlag.IOC);
    fc.assert(
      fc.property(fc.float({ noNaN: true }), fc.float({ noNaN: true }), (a, b) => {
        const e = standardEnv();
        const hi = b2f(maxMin(f2b(a), f2b(b), e, true));
        const lo = b2f(maxMin(f2b(a), f2b(b), e, false));
        // flush-to-zero: denormals count as zeros
        const flush = (x: number) => (Math.abs(x) < 2 ** -126 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : x);
        assert.equal(hi, Math.max(flush(a), flush(b)));
        assert.equal(lo, Math.min(flush(a), flush(b)));
      }),
    );
  });

  test('compares: equality is quiet, ordering signals on any NaN', () => {
    const env = standardEnv();
    assert.equal(compare(0x7fc00000n, 0n, 'eq', env), 0n);
    assert.equal(env.flags, 0);
    assert.equal(compare(0x7fc00000n, 0n, 'ge', env), 0n);
    assert.equal(env.flags, FpFlag.IOC);
    assert.equal(compare(f2b(2), f2b(1), 'gt', env), 0xffffffffn);
  });

  test('VRECPS gives 2 - a*b, and exactly 2 for infinity times zero', () => {
    const env = standardEnv();
    assert.equal(recipStep(0x7f800000n, 0x80000000n, env), f2b(2));
    assert.equal(b2f(recipStep(f2b(3), f2b(0.25), env)), 1.25);
    assert.equal(env.flags, 0);
  });

  test('conversion to fixed point truncates and saturates', () => {
    const env = standardEnv();
    assert.equal(toFixed(f2b(-1.75), true, 1, env), BigInt(-3));
    assert.equal(env.flags, FpFlag.IXC);
    assert.equal(toFixed(f2b(3e9), true, 0, env), 0x7fffffffn);
    assert.equal(env.flags & FpFlag.IOC, FpFlag.IOC);
  });
});
