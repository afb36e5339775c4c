import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { b2f, f2b } from '../../testing/float-bits.ts';
import { halfToSingle, singleToHalf } from './half-precision.ts';
import { FpEnv, FpFlag, RoundingMode } from './softfloat.ts';

function convert(x: number, ahp = false, rmode: number = RoundingMode.nearest): { h: bigint; flags: number } {
  const env = new FpEnv();
  env.rmode = rmode;
  const h = singleToHalf(f2b(x), env, ahp);
  return { h, flags: env.flags };
}

/** The value of a half-precision pattern, by its definition. */
function halfValue(h: number, ahp: boolean): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31 && !ahp) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

describe('half precision', () => {
  test('every half-precision number widens exactly, and narrows back to itself', () => {
    for (const ahp of [false, true]) {
      for (let h = 0; h < 0x10000; h++) {
        const v = halfValue(h, ahp);
        if (Number.isNaN(v)) continue;
        const env = new FpEnv();
        const s = halfToSingle(BigInt(h), env, ahp);
        assert.equal(b2f(s), v, `0x${h.toString(16)}`);
        assert.equal(env.flags, 0);
        assert.equal(singleToHalf(s, env, ahp), BigInt(h));
        assert.equal(env.flags, 0);
      }
    }
  });

  test('narrowing rounds to a nearest half-precision number', () => {
    fc.assert(
      fc.property(fc.float({ min: -65504, max: 65504, noNaN: true }), fc.boolean(), (x, ahp) => {
        const { h } = convert(x, ahp);
        const r = halfValue(Number(h), ahp);
        // no half lies strictly between x and r: its neighbours are farther away
        const up = halfValue(Number(h) + 1, ahp);
        const down = halfValue(Number(h) - 1, ahp);
        for (const n of [up, down])
          if (Number.isFinite(n)) assert.ok(Math.abs(n - x) >= Math.abs(r - x), `${x}`);
      }),
    );
  });

  test('edges: overflow, underflow, NaNs, and the alternative format', () => {
    assert.deepEqual(convert(65504), { h: 0x7bffn, flags: 0 });
    assert.deepEqual(convert(65520), { h: 0x7c00n, flags: FpFlag.OFC | FpFlag.IXC });
    assert.deepEqual(convert(65520, false, RoundingMode.zero), { h: 0x7bffn, flags: FpFlag.IXC });
    assert.deepEqual(convert(2 ** -24), { h: 0x0001n, flags: 0 });
    assert.deepEqual(convert(2 ** -25), { h: 0x0000n, flags: FpFlag.UFC | FpFlag.IXC });
    assert.deepEqual(convert(131008, true), { h: 0x7fffn, flags: 0 });
    assert.deepEqual(convert(131072, true), { h: 0x7fffn, flags: FpFlag.IOC });
    assert.deepEqual(convert(-Infinity, true), { h: 0xffffn, flags: FpFlag.IOC });
    assert.deepEqual(convert(NaN, true), { h: 0x0000n, flags: FpFlag.IOC });
    const env = new FpEnv();
    assert.equal(singleToHalf(0x7f812345n, env, false), 0x7e09n); // quietened, top payload bits kept
    assert.equal(env.flags, FpFlag.IOC);
    env.dn = true;
    assert.equal(halfToSingle(0x7d01n, env, false), 0x7fc00000n);
    env.fz = true;
    env.flags = 0;
    assert.equal(singleToHalf(0x807fffffn, env, false), 0x8000n); // a denormal input is flushed
    assert.equal(env.flags, FpFlag.IDC);
  });
});
