import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bus } from '../bus.ts';
import { Cpu } from '../cpu.ts';
import { ramWritten } from './code-watch.ts';
import { jitTranslator } from './jit.ts';

const RAM = 0x40000000;
const HVC = 0xe1400070 | 0;

/** Two CPUs over one RAM, as the vCPUs of a VM: each translates on its first run. */
function pair(): { ram: Uint8Array; a: Cpu; b: Cpu } {
  const ram = new Uint8Array(1 << 16);
  const a = new Cpu(new Bus(RAM, ram), { translator: jitTranslator(1) });
  const b = new Cpu(new Bus(RAM, ram), { translator: jitTranslator(1) });
  return { ram, a, b };
}

/** Runs `cpu` from RAM until its HVC; returns r0. */
function call(cpu: Cpu): number {
  cpu.pc = RAM;
  cpu.t = 0;
  assert.equal(cpu.run(100).kind, 'hvc');
  return cpu.r[0]!;
}

describe('translations shared RAM', () => {
  test("a store by one CPU into code another CPU translated drops the other's translation", () => {
    const { a, b } = pair();
    a.bus.write32(RAM, 0xe3a00001); // mov r0, #1
    a.bus.write32(RAM + 4, HVC);
    assert.equal(call(a), 1);
    assert.equal(call(b), 1);
    // CPU b stores "mov r0, #2" over the code: str r1, [r2]; hvc
    b.bus.write32(RAM + 0x800, 0xe5821000);
    b.bus.write32(RAM + 0x804, HVC);
    b.r[1] = 0xe3a00002;
    b.r[2] = RAM;
    b.pc = RAM + 0x800;
    assert.equal(b.run(100).kind, 'hvc');
    assert.equal(call(a), 2, 'CPU a runs the new instruction');
  });

  test('a device writing guest RAM behind the CPUs (DMA) drops their translations', () => {
    const { ram, a } = pair();
    a.bus.write32(RAM, 0xe3a00005); // mov r0, #5
    a.bus.write32(RAM + 4, HVC);
    assert.equal(call(a), 5);
    // the device's view: another array over the same bytes, as a VMM's RAM region is
    const dma = new Uint8Array(ram.buffer, ram.byteOffset, ram.length);
    new DataView(dma.buffer).setUint32(dma.byteOffset, 0xe3a00006, true); // mov r0, #6
    ramWritten(dma, 0, 4);
    assert.equal(call(a), 6);
  });
});
