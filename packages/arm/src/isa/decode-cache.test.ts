import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bus } from '../bus.ts';
import { Cpu } from '../cpu.ts';
import { jitTranslator } from '../jit/jit.ts';
import { DecodeCache } from './decode-cache.ts';

describe('DecodeCache', () => {
  test('a slot answers only for the bits it was decoded from', () => {
    const c = new DecodeCache<string>(1 << 16, 4);
    assert.equal(c.get(0x104, 0), undefined, 'empty slots miss, even for a zero word');
    c.set(0x104, 0xe1a00000, 'mov');
    assert.equal(c.get(0x104, 0xe1a00000), 'mov');
    assert.equal(c.get(0x104, 0xe3a00001), undefined);
    assert.equal(c.get(0x108, 0xe1a00000), undefined);
    c.invalidatePage(0x100);
    assert.equal(c.get(0x104, 0xe1a00000), undefined);
  });

  test('self-modifying code runs the new instruction', () => {
    const bus = new Bus(0x40000000, new Uint8Array(1 << 16));
    const cpu = new Cpu(bus, { translator: jitTranslator() });
    bus.write32(0x40000000, 0xe3a00001); // mov r0, #1
    bus.write32(0x40000004, 0xe5812000); // str r2, [r1]  (rewrites the first instruction)
    bus.write32(0x40000008, 0xeafffffc); // b 0x40000000
    cpu.r[1] = 0x40000000;
    cpu.r[2] = 0xe3a00002 | 0; // mov r0, #2
    cpu.pc = 0x40000000;
    cpu.run(3);
    assert.equal(cpu.r[0], 1);
    cpu.run(1);
    assert.equal(cpu.r[0], 2);
  });
});
