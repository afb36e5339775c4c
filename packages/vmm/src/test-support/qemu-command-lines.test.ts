import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeFlags, qemuVirtArgs } from './qemu-command-lines.ts';

describe('qemu-system-arm command lines', () => {
  test('the conformance command line is the one conformance/Makefile recorded with', () => {
    assert.deepEqual(qemuVirtArgs({ io: 'serial' }), makeFlags('QEMU_FLAGS'));
  });

  test('a Linux guest with its images, a drive and properties of the machine', () => {
    assert.deepEqual(
      qemuVirtArgs({
        io: 'linux-console',
        machine: ['dumpdtb=out.dtb'],
        accel: 'tcg',
        memoryMiB: 256,
        smp: 2,
        kernel: 'vmlinuz',
        initrd: 'initrd.img',
        append: 'console=ttyAMA0',
        extra: ['-device', 'virtio-blk-device,drive=d0'],
      }),
      [
        ...['-M', 'virt,highmem=off,dumpdtb=out.dtb', '-cpu', 'cortex-a15', '-accel', 'tcg'],
        ...['-m', '256', '-smp', '2', '-nographic', '-nodefaults', '-serial', 'stdio', '-no-reboot'],
        ...['-kernel', 'vmlinuz', '-initrd', 'initrd.img', '-append', 'console=ttyAMA0'],
        ...['-device', 'virtio-blk-device,drive=d0'],
      ],
    );
  });
});
