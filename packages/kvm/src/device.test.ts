import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KvmVgicDevice } from './device.ts';
import { openKvm } from './open.ts';
import {
  armIrq,
  Errno,
  KVM_ARM_VCPU_INIT,
  KVM_CREATE_DEVICE,
  KVM_CREATE_DEVICE_TEST,
  KVM_CREATE_IRQCHIP,
  KVM_CREATE_VCPU,
  KVM_CREATE_VM,
  KVM_DEV_ARM_VGIC_CTRL_INIT,
  KVM_GET_DEVICE_ATTR,
  KVM_HAS_DEVICE_ATTR,
  KVM_IRQ_LINE,
  KVM_RUN,
  KVM_SET_DEVICE_ATTR,
  KVM_SET_GUEST_DEBUG,
  KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST,
  KvmArmIrqType,
  KvmDevType,
  KvmVgicGroup,
} from './uapi.ts';
import type { KvmVcpu } from './vcpu.ts';
import type { KvmVm } from './vm.ts';

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}
function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}
const read64 = (b: Uint8Array): bigint => new DataView(b.buffer).getBigUint64(0, true);
const read32 = (b: Uint8Array): number => new DataView(b.buffer).getUint32(0, true);

function withDevice(): { vm: KvmVm; dev: KvmVgicDevice; vcpu: KvmVcpu } {
  const vm = openKvm().ioctl(KVM_CREATE_VM, 0) as KvmVm;
  const vcpu = vm.ioctl(KVM_CREATE_VCPU, 0) as KvmVcpu;
  const create = { type: KvmDevType.ARM_VGIC_V2, flags: 0, fd: undefined as unknown };
  assert.equal(vm.ioctl(KVM_CREATE_DEVICE, create), 0);
  return { vm, dev: create.fd as KvmVgicDevice, vcpu };
}

describe('KVM_CREATE_DEVICE (VGICv2)', () => {
  test('creates the VGIC once; other types are -ENODEV; TEST creates nothing', () => {
    const vm = openKvm().ioctl(KVM_CREATE_VM, 0) as KvmVm;
    assert.equal(vm.ioctl(KVM_CREATE_DEVICE, { type: KvmDevType.ARM_VGIC_V3, flags: 0 }), -Errno.ENODEV);
    assert.equal(
      vm.ioctl(KVM_CREATE_DEVICE, { type: KvmDevType.ARM_VGIC_V2, flags: KVM_CREATE_DEVICE_TEST }),
      0,
    );
    assert.equal(vm.vgic, null);
    const create = { type: KvmDevType.ARM_VGIC_V2, flags: 0, fd: undefined as unknown };
    assert.equal(vm.ioctl(KVM_CREATE_DEVICE, create), 0);
    assert.equal((create.fd as KvmVgicDevice).kind, 'device');
    assert.equal(vm.ioctl(KVM_CREATE_DEVICE, { type: KvmDevType.ARM_VGIC_V2, flags: 0 }), -Errno.EEXIST);
    assert.equal(vm.ioctl(KVM_CREATE_IRQCHIP), -Errno.EEXIST);
  });

  test('GRP_ADDR sets and reads the windows with the legacy checks', () => {
    const { vm, dev } = withDevice();
    const buf = u64(0n);
    assert.equal(dev.ioctl(KVM_GET_DEVICE_ATTR, { flags: 0, group: 0, attr: 0n, addr: buf }), 0);
    assert.equal(read64(buf), 0xffffffffffffffffn, 'undefined until set');
    const set = (attr: number, v: bigint) =>
      dev.ioctl(KVM_SET_DEVICE_ATTR, {
        flags: 0,
        group: KvmVgicGroup.ADDR,
        attr: BigInt(attr),
        addr: u64(v),
      });
    assert.equal(set(KVM_VGIC_V2_ADDR_TYPE_DIST, 0x08000000n), 0);
    assert.equal(set(KVM_VGIC_V2_ADDR_TYPE_DIST, 0x09000000n), -Errno.EEXIST);
    assert.equal(set(KVM_VGIC_V2_ADDR_TYPE_CPU, 0x08000800n), -Errno.EINVAL);
    assert.equal(set(KVM_VGIC_V2_ADDR_TYPE_CPU, 0x07fff000n), -Errno.EBUSY);
    assert.equal(set(2, 0x08010000n), -Errno.ENODEV);
    assert.equal(set(KVM_VGIC_V2_ADDR_TYPE_CPU, 0x08010000n), 0);
    assert.equal(dev.ioctl(KVM_GET_DEVICE_ATTR, { flags: 0, group: 0, attr: 1n, addr: buf }), 0);
    assert.equal(read64(buf), 0x08010000n);
    assert.equal(vm.cpuBase, 0x08010000);
  });

  test('GRP_NR_IRQS is checked and fixed by CTRL_INIT; SPIs above it are refused', () => {
    const { vm, dev } = withDevice();
    const set = (n: number) =>
      dev.ioctl(KVM_SET_DEVICE_ATTR, { flags: 0, group: KvmVgicGroup.NR_IRQS, attr: 0n, addr: u32(n) });
    assert.equal(set(48), -Errno.EINVAL);
    assert.equal(set(100), -Errno.EINVAL);
    assert.equal(set(2048), -Errno.EINVAL);
    assert.equal(set(64), 0);
    const buf = u32(0);
    assert.equal(
      dev.ioctl(KVM_GET_DEVICE_ATTR, { flags: 0, group: KvmVgicGroup.NR_IRQS, attr: 0n, addr: buf }),
      0,
    );
    assert.equal(read32(buf), 64);
    assert.equal(vm.vgic!.readDist(0, 4, 4) & 0x1f, 1, 'TYPER.ITLinesNumber follows');
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.SPI, 0, 64), level: 1 }), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.SPI, 0, 63), level: 1 }), 0);
    const init = {
      flags: 0,
      group: KvmVgicGroup.CTRL,
      attr: BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT),
      addr: u32(0),
    };
    assert.equal(dev.ioctl(KVM_SET_DEVICE_ATTR, init), 0);
    assert.equal(set(96), -Errno.EBUSY);
  });

  test('GRP_DIST_REGS and GRP_CPU_REGS reach the registers of a given CPU', () => {
    const { dev, vm } = withDevice();
    const attr = (cpu: number, off: number) => (BigInt(cpu) << 32n) | BigInt(off);
    const setReg = (group: number, cpu: number, off: number, v: number) =>
      dev.ioctl(KVM_SET_DEVICE_ATTR, { flags: 0, group, attr: attr(cpu, off), addr: u32(v) });
    assert.equal(setReg(KvmVgicGroup.DIST_REGS, 0, 0x100, 1 << 27), 0);
    assert.equal(vm.vgic!.readDist(0, 0x100, 4), 0xffff | (1 << 27));
    assert.equal(setReg(KvmVgicGroup.CPU_REGS, 0, 0x04, 0xf0), 0);
    const buf = u32(0);
    assert.equal(
      dev.ioctl(KVM_GET_DEVICE_ATTR, { flags: 0, group: KvmVgicGroup.CPU_REGS, attr: attr(0, 4), addr: buf }),
      0,
    );
    assert.equal(read32(buf), 0xf0);
    assert.equal(setReg(KvmVgicGroup.CPU_REGS, 0, 0x0c, 0), -Errno.ENXIO, 'IAR is not state');
    assert.equal(setReg(KvmVgicGroup.DIST_REGS, 1, 0x100, 0), -Errno.EINVAL, 'no CPU 1');
    assert.equal(setReg(KvmVgicGroup.DIST_REGS, 0, 0x1000, 0), -Errno.ENXIO);
    assert.equal(dev.ioctl(KVM_HAS_DEVICE_ATTR, { flags: 0, group: 1, attr: 0x100n, addr: buf }), 0);
    assert.equal(dev.ioctl(KVM_HAS_DEVICE_ATTR, { flags: 0, group: 9, attr: 0n, addr: buf }), -Errno.ENXIO);
    assert.equal(dev.ioctl(0xae00), -Errno.ENOTTY);
  });

  test('KVM_RUN needs the addresses set through the device too', () => {
    const { vcpu } = withDevice();
    assert.equal(vcpu.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [] }), 0);
    assert.equal(vcpu.ioctl(KVM_RUN), -Errno.ENXIO);
    assert.equal(vcpu.ioctl(KVM_SET_GUEST_DEBUG, {}), -Errno.EFAULT);
  });
});
