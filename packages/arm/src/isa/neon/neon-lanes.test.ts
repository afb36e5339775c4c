import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Bus } from '../../bus.ts';
import { Cpu } from '../../cpu.ts';
import { getD, getLane, laneArray, neonRegs, readVector, setLane, writeVector } from './neon-lanes.ts';

const cpu = new Cpu(new Bus(0x40000000, new Uint8Array(4096)));

describe('Advanced SIMD lanes', () => {
  test('a lane written reads back, truncated to its size and extended as asked', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 7 }),
        fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }),
        (reg, size, index, value) => {
          const bits = 8 << size;
          const i = index & ((8 >> size) - 1);
          setLane(cpu, reg, i, size, value);
          assert.equal(getLane(cpu, reg, i, size, false), BigInt.asUintN(bits, value));
          assert.equal(getLane(cpu, reg, i, size, true), BigInt.asIntN(bits, value));
        },
      ),
    );
  });

  test('lanes are little-endian within D registers, and a Q register is its two D registers in order', () => {
    writeVector(cpu, 4, 1, [0x0100n, 0x0302n, 0x0504n, 0x0706n, 0x0908n, 0x0b0an, 0x0d0cn, 0x0f0en]);
    assert.equal(getD(cpu, 4), 0x0706050403020100n);
    assert.equal(getD(cpu, 5), 0x0f0e0d0c0b0a0908n);
    assert.deepEqual(readVector(cpu, 4, 2, 2, false), [0x03020100n, 0x07060504n, 0x0b0a0908n, 0x0f0e0d0cn]);
    assert.equal(cpu.vfp.words[8], 0x03020100); // the VFP view of D4 agrees
  });

  test('the typed lane views cover D0-D31 and agree with the bigint lanes', () => {
    for (const size of [0, 1, 2] as const) {
      const view = laneArray(cpu, size);
      assert.equal(view.length, 256 >> size);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: (256 >> size) - 1 }), fc.integer(), (i, value) => {
          view[i] = value;
          const reg = (i << size) >> 3;
          assert.equal(getLane(cpu, reg, i - ((reg * 8) >> size), size, size === 2), BigInt(view[i]!));
        }),
      );
    }
  });

  test('register fields join their top bits', () => {
    assert.deepEqual(neonRegs(0xf2401017 | 0x80 | 0x20), { d: 17, n: 16, m: 23 });
  });
});
