import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@armvm/fscache';
import { RecordingIrqLine } from '../devices/irq-line.ts';
import { createVirtBoard } from './virt-board.ts';
import { VirtioConsole } from '../devices/virtio/virtio-console.ts';
import { VIRTIO_MMIO } from '../devices/virtio/virtio-mmio.ts';

function board(devices = 0) {
  const lines = new Map<number, RecordingIrqLine>();
  const out: number[] = [];
  const b = createVirtBoard({
    ramSize: 64 << 20,
    irq: (spi) => {
      assert.ok(!lines.has(spi), `SPI ${spi} wired twice`);
      const line = new RecordingIrqLine();
      lines.set(spi, line);
      return line;
    },
    uartOutput: (byte) => out.push(byte),
    clock: new ManualClock(Date.UTC(2026, 0, 1)),
    virtioDevices: Array.from({ length: devices }, () => new VirtioConsole(() => {})),
  });
  return { b, lines, out };
}

describe('virt board wiring', () => {
  it('maps RAM, the GIC frames, the UART, the RTC, 32 virtio slots and the PCIe host at QEMU addresses', () => {
    const { b } = board();
    const map = b.space.flatView.sections.map((s) => [s.region.name, s.offsetWithinAddressSpace, s.size]);
    assert.deepEqual(map.slice(0, 4), [
      ['kvm-gic_dist', 0x08000000, 0x10000],
      ['kvm-gic_cpu', 0x08010000, 0x10000],
      ['pl011', 0x09000000, 0x1000],
      ['pl031', 0x09010000, 0x1000],
    ]);
    assert.deepEqual(map[4], ['virtio-mmio@0', 0x0a000000, 0x200]);
    assert.deepEqual(map[35], ['virtio-mmio@31', 0x0a003e00, 0x200]);
    assert.deepEqual(map.slice(36), [
      ['pcie-mmio', 0x10000000, 0x2eff0000],
      ['pcie-pio', 0x3eff0000, 0x10000],
      ['pcie-ecam', 0x3f000000, 0x1000000],
      ['virt.ram', 0x40000000, 64 << 20],
    ]);
  });

  it('wires each device to its SPI: UART 1, RTC 2, virtio 16 + slot', () => {
    const { lines } = board();
    assert.deepEqual(
      [...lines.keys()].sort((a, b) => a - b),
      [1, 2, ...Array.from({ length: 32 }, (_, i) => 16 + i)],
    );
  });

  it('routes guest accesses to the devices and RAM', () => {
    const { b, out, lines } = board();
    b.space.dispatchWrite(0x09000000, 4, 0x41);
    assert.deepEqual(out, [0x41]);
    b.space.dispatchWrite(0x09000038, 4, 0x20); // IMSC: TX
    assert.equal(lines.get(1)!.level, true);
    assert.equal(b.space.dispatchRead(0x09010fe0, 4), 0x31);
    assert.equal(b.space.dispatchRead(0x0a000000, 4), 0x74726976);
    b.space.dispatchWrite(0x40000100, 4, 0xcafef00d);
    assert.equal(b.memory.readU32(0x40000100), 0xcafef00d);
    assert.equal(b.space.dispatchRead(0x08000000, 4), 0, 'the VGIC is in the kernel: nothing answers here');
    assert.equal(b.space.unassigned.reads, 1);
  });

  it('fills virtio slots from the top, as QEMU does', () => {
    const { b } = board(2);
    assert.equal(b.space.dispatchRead(0x0a003e00 + VIRTIO_MMIO.DEVICE_ID, 4), 3);
    assert.equal(b.space.dispatchRead(0x0a003c00 + VIRTIO_MMIO.DEVICE_ID, 4), 3);
    assert.equal(b.space.dispatchRead(0x0a003a00 + VIRTIO_MMIO.DEVICE_ID, 4), 0);
    assert.equal(b.virtio[31]!.device !== undefined, true);
  });

  it('shares RAM with a given backing and refuses impossible sizes', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(1 << 20));
    const b = createVirtBoard({
      ramSize: 1 << 20,
      ram: shared,
      irq: () => new RecordingIrqLine(),
      uartOutput: () => {},
    });
    b.memory.writeU32(0x40000000, 7);
    assert.equal(shared[0], 7);
    const bad = (ramSize: number) =>
      assert.throws(
        () => createVirtBoard({ ramSize, irq: () => new RecordingIrqLine(), uartOutput: () => {} }),
        {
          code: 'MEMORY_BAD_SIZE',
        },
      );
    bad(0);
    bad(3 * 2 ** 30 + 4096);
    bad(1000);
  });
});
