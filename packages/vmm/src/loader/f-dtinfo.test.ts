/**
 * The parts together with the real CPU: the flat conformance image booted through our Linux boot
 * protocol and device tree, printing through our PL011 behind our address space, must print what
 * QEMU printed for the same image and options.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Bus, Cpu } from '@armvm/arm';
import { RecordingIrqLine } from '../hw/irq-line.ts';
import { Pl011 } from '../hw/pl011.ts';
import { VIRT_MEMMAP } from '../hw/virt-memmap.ts';
import { AddressSpace } from '../memory/address-space.ts';
import { MemoryRegion } from '../memory/memory-region.ts';
import { bootKernel } from './kernel-boot.ts';

const CONFORMANCE = new URL('../../../../conformance/', import.meta.url);
const PSCI_SYSTEM_OFF = 0x84000008;

describe('f-dtinfo through the loader, the device tree and the PL011', () => {
  it('prints what QEMU prints with -m 256 -smp 2 -append "console=ttyAMA0 hello"', () => {
    const ramSize = 256 << 20;
    const ramBytes = new Uint8Array(ramSize);
    const system = MemoryRegion.container('system', 2 ** 32);
    system.addSubregion(VIRT_MEMMAP.mem.base, MemoryRegion.ram('ram', ramSize, ramBytes));
    const out: number[] = [];
    const uart = new Pl011(new RecordingIrqLine(), (b) => out.push(b));
    system.addSubregion(VIRT_MEMMAP.uart.base, MemoryRegion.mmio('pl011', VIRT_MEMMAP.uart.size, uart.ops));
    const space = new AddressSpace(system);

    const boot = bootKernel(
      { base: VIRT_MEMMAP.mem.base, bytes: ramBytes },
      {
        kernel: new Uint8Array(readFileSync(new URL('build/f-dtinfo.bin', CONFORMANCE))),
        kernelName: 'f-dtinfo.bin',
        bootargs: 'console=ttyAMA0 hello',
        cpus: 2,
      },
    );
    const cpu = new Cpu(new Bus(VIRT_MEMMAP.mem.base, ramBytes));
    cpu.cpsr = boot.cpsr;
    cpu.t = boot.entry.thumb ? 1 : 0;
    cpu.pc = boot.entry.pc;
    cpu.r[0] = boot.entry.r0;
    cpu.r[1] = boot.entry.r1;
    cpu.r[2] = boot.entry.r2;

    let poweredOff = false;
    for (let rounds = 0; rounds < 1000 && !poweredOff; rounds++) {
      const exit = cpu.run(1 << 20);
      if (exit.kind === 'mmio') space.dispatchBytes(exit.address, exit.data, exit.isWrite);
      else if (exit.kind === 'hvc') poweredOff = exit.args[0] === PSCI_SYSTEM_OFF;
      else assert.ok(exit.kind === 'budget', `unexpected exit ${exit.kind}`);
    }
    assert.ok(poweredOff, 'the guest powered off through PSCI');
    const expected = readFileSync(new URL('expected/f-dtinfo.txt', CONFORMANCE), 'utf8');
    assert.equal(Buffer.from(out).toString(), expected);
    assert.equal(space.unassigned.reads + space.unassigned.writes, 0);
  });
});
