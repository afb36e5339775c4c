import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestVirtioDriver } from '../../test-support/virtio-driver.ts';
import { VirtioConsole } from './virtio-console.ts';
import { VIRTIO_F_VERSION_1 } from './virtio-device.ts';
import { VIRTIO_INT, VIRTIO_MMIO as R, VIRTIO_MMIO_MAGIC, VIRTIO_STATUS } from './virtio-mmio.ts';

describe('virtio-mmio transport', () => {
  it('an empty slot answers magic, version 2, device id 0 and QEMU as vendor', () => {
    const d = new TestVirtioDriver(undefined);
    assert.equal(d.reg(R.MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
    assert.equal(d.reg(R.MAGIC_VALUE), 0x74726976);
    assert.equal(d.reg(R.VERSION), 2);
    assert.equal(d.reg(R.DEVICE_ID), 0);
    assert.equal(d.reg(R.VENDOR_ID), 0x554d4551);
    d.set(R.STATUS, 1);
    assert.equal(d.reg(R.STATUS), 0);
  });

  it('offers VERSION_1 in the second feature word and identifies its device', () => {
    const d = new TestVirtioDriver(new VirtioConsole(() => {}));
    assert.equal(d.reg(R.DEVICE_ID), 3);
    assert.equal(d.deviceFeatures(), VIRTIO_F_VERSION_1);
    d.set(R.DEVICE_FEATURES_SEL, 2);
    assert.equal(d.reg(R.DEVICE_FEATURES), 0);
  });

  it('grants FEATURES_OK only to a driver that accepts VERSION_1 and nothing unoffered', () => {
    const d = new TestVirtioDriver(new VirtioConsole(() => {}));
    assert.equal(d.negotiate(0n) & VIRTIO_STATUS.FEATURES_OK, 0, 'legacy driver refused');
    assert.equal(
      d.negotiate(VIRTIO_F_VERSION_1 | 1n) & VIRTIO_STATUS.FEATURES_OK,
      0,
      'unoffered bit refused',
    );
    assert.equal(
      d.negotiate(VIRTIO_F_VERSION_1),
      VIRTIO_STATUS.ACKNOWLEDGE | VIRTIO_STATUS.DRIVER | VIRTIO_STATUS.FEATURES_OK,
    );
  });

  it('keeps queue registers per QueueSel, 64-bit addresses as pairs, and refuses bad sizes', () => {
    const d = new TestVirtioDriver(new VirtioConsole(() => {}));
    d.negotiate();
    d.set(R.QUEUE_SEL, 1);
    assert.equal(d.reg(R.QUEUE_NUM_MAX), 128);
    d.set(R.QUEUE_NUM, 100); // not a power of two
    assert.equal(d.reg(R.QUEUE_NUM), 128);
    d.set(R.QUEUE_NUM, 256); // beyond the maximum
    assert.equal(d.reg(R.QUEUE_NUM), 128);
    d.set(R.QUEUE_NUM, 32);
    d.set(R.QUEUE_DESC_LOW, 0x40001000);
    d.set(R.QUEUE_DESC_HIGH, 0x1);
    assert.equal(d.reg(R.QUEUE_NUM), 32);
    assert.equal(d.reg(R.QUEUE_DESC_LOW), 0x40001000);
    assert.equal(d.reg(R.QUEUE_DESC_HIGH), 1);
    d.set(R.QUEUE_SEL, 0);
    assert.equal(d.reg(R.QUEUE_NUM), 128);
    assert.equal(d.reg(R.QUEUE_DESC_HIGH), 0);
    d.set(R.QUEUE_SEL, 7);
    assert.equal(d.reg(R.QUEUE_NUM_MAX), 0, 'no such queue');
    d.setupQueue(0);
    assert.equal(d.reg(R.QUEUE_READY), 1);
  });

  it('raises and acknowledges the used-buffer interrupt; a reset clears everything', () => {
    const out: string[] = [];
    const d = new TestVirtioDriver(new VirtioConsole((b) => out.push(Buffer.from(b).toString())));
    d.bringUp(2);
    d.post(1, [{ readable: Buffer.from('hi') }]);
    d.notify(1);
    assert.deepEqual(out, ['hi']);
    assert.equal(d.reg(R.INTERRUPT_STATUS), VIRTIO_INT.USED_BUFFER);
    assert.equal(d.irq.level, true);
    d.set(R.INTERRUPT_ACK, VIRTIO_INT.USED_BUFFER);
    assert.equal(d.reg(R.INTERRUPT_STATUS), 0);
    assert.equal(d.irq.level, false);
    d.set(R.STATUS, 0);
    assert.equal(d.reg(R.STATUS), 0);
    assert.equal(d.reg(R.QUEUE_READY), 0);
  });

  it('marks the device as needing a reset when the driver hands over a looping chain', () => {
    const d = new TestVirtioDriver(new VirtioConsole(() => {}));
    d.bringUp(2);
    d.set(R.INTERRUPT_ACK, 3);
    const [addr] = d.post(1, [{ readable: Buffer.from('x') }]);
    // Point the descriptor at itself with NEXT set.
    d.memory.writeU16(0x40004000 + 12, 1);
    d.memory.writeU16(0x40004000 + 14, 0);
    assert.ok(addr !== undefined);
    d.notify(1);
    assert.equal(d.reg(R.STATUS) & VIRTIO_STATUS.DEVICE_NEEDS_RESET, VIRTIO_STATUS.DEVICE_NEEDS_RESET);
    assert.equal(d.reg(R.INTERRUPT_STATUS) & VIRTIO_INT.CONFIG_CHANGE, VIRTIO_INT.CONFIG_CHANGE);
    assert.match(d.transport.lastError?.message ?? '', /loops/);
  });
});
