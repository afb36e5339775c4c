import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openKvm } from './open.ts';
import { GICC_BASE, GICD_BASE, makeVm } from './test-support/guest.ts';
import {
  armDeviceAddrId,
  armIrq,
  Errno,
  KVM_API_VERSION,
  KVM_ARM_DEVICE_VGIC_V2,
  KVM_ARM_PREFERRED_TARGET,
  KVM_ARM_SET_DEVICE_ADDR,
  KVM_ARM_VCPU_INIT,
  KVM_CHECK_EXTENSION,
  KVM_CREATE_IRQCHIP,
  KVM_CREATE_VCPU,
  KVM_CREATE_VM,
  KVM_GET_API_VERSION,
  KVM_GET_VCPU_MMAP_SIZE,
  KVM_IRQ_LINE,
  KVM_MEM_READONLY,
  KVM_RUN,
  KVM_RUN_MMAP_SIZE,
  KVM_SET_USER_MEMORY_REGION,
  KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST,
  KvmArmIrqType,
  KvmArmTarget,
  KvmCap,
} from './uapi.ts';
import type { KvmVcpu } from './vcpu.ts';
import type { KvmVm } from './vm.ts';

const newVm = (): KvmVm => openKvm().ioctl(KVM_CREATE_VM, 0) as KvmVm;
const region = (slot: number, gpa: number, size: number, buf = new ArrayBuffer(size), flags = 0) => ({
  slot,
  flags,
  guest_phys_addr: BigInt(gpa),
  memory_size: BigInt(size),
  userspace_addr: buf,
});
const dist = armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_DIST);
const cpuif = armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_CPU);

describe('system handle', () => {
  test('API version, mmap size and unknown requests', () => {
    const kvm = openKvm();
    assert.equal(kvm.ioctl(KVM_GET_API_VERSION), KVM_API_VERSION);
    assert.equal(kvm.ioctl(KVM_GET_VCPU_MMAP_SIZE), KVM_RUN_MMAP_SIZE);
    assert.equal(kvm.ioctl(0xae99), -Errno.ENOTTY);
  });

  test('KVM_CHECK_EXTENSION answers every capability the VMM asks about', () => {
    const kvm = openKvm();
    for (const cap of [
      KvmCap.IRQCHIP,
      KvmCap.USER_MEMORY,
      KvmCap.ONE_REG,
      KvmCap.ARM_PSCI,
      KvmCap.ARM_PSCI_0_2,
      KvmCap.ARM_SET_DEVICE_ADDR,
      KvmCap.MP_STATE,
      KvmCap.IMMEDIATE_EXIT,
      KvmCap.DEVICE_CTRL,
    ])
      assert.equal(kvm.ioctl(KVM_CHECK_EXTENSION, cap), 1, `cap ${cap}`);
    assert.equal(kvm.ioctl(KVM_CHECK_EXTENSION, KvmCap.NR_MEMSLOTS), 32);
    assert.equal(kvm.ioctl(KVM_CHECK_EXTENSION, KvmCap.MAX_VCPUS), 8);
    for (const cap of [KvmCap.ARM_EL1_32BIT, KvmCap.ARM_PMU_V3, 100_000])
      assert.equal(kvm.ioctl(KVM_CHECK_EXTENSION, cap), 0, `cap ${cap}`);
  });

  test('KVM_CREATE_VM takes machine type 0 only', () => {
    const kvm = openKvm();
    const vm = kvm.ioctl(KVM_CREATE_VM, 0);
    assert.equal(typeof vm, 'object');
    assert.equal((vm as KvmVm).kind, 'vm');
    assert.equal(kvm.ioctl(KVM_CREATE_VM, 1), -Errno.EINVAL);
  });
});

describe('KVM_SET_USER_MEMORY_REGION', () => {
  test('adds, moves and deletes slots', () => {
    const vm = newVm();
    const buf = new ArrayBuffer(0x2000);
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x40000000, 0x2000, buf)), 0);
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x50000000, 0x2000, buf)), 0, 'move');
    assert.equal(vm.memorySlots.list()[0]!.base, 0x50000000);
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x50000000, 0)), 0, 'delete');
    assert.equal(vm.memorySlots.list().length, 0);
  });

  test('rejects what the kernel rejects', () => {
    const vm = newVm();
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x40000800, 0x1000)), -Errno.EINVAL, 'gpa');
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x40000000, 0x1800)), -Errno.EINVAL, 'size');
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(32, 0x40000000, 0x1000)), -Errno.EINVAL, 'slot');
    assert.equal(
      vm.ioctl(KVM_SET_USER_MEMORY_REGION, { ...region(0, 0x40000000, 0x1000), flags: 4 }),
      -Errno.EINVAL,
      'flags',
    );
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x40000000, 0)), -Errno.EINVAL, 'no slot');
    assert.equal(
      vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x40000000, 0x2000, new ArrayBuffer(0x1000))),
      -Errno.EFAULT,
      'short buffer',
    );
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x40000000, 0x2000)), 0);
    assert.equal(
      vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(1, 0x40001000, 0x1000)),
      -Errno.EEXIST,
      'overlap',
    );
    assert.equal(
      vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x40000000, 0x1000)),
      -Errno.EINVAL,
      'resize',
    );
    assert.equal(
      vm.ioctl(KVM_SET_USER_MEMORY_REGION, region(0, 0x40000000, 0x2000, undefined, KVM_MEM_READONLY)),
      -Errno.EINVAL,
      'readonly flip',
    );
  });
});

describe('KVM_CREATE_VCPU and KVM_ARM_PREFERRED_TARGET', () => {
  test('creates vCPUs by id', () => {
    const vm = newVm();
    const v = vm.ioctl(KVM_CREATE_VCPU, 0) as KvmVcpu;
    assert.equal(v.kind, 'vcpu');
    assert.equal(v.mmapRun(), v.kvmRun);
    assert.equal(vm.ioctl(KVM_CREATE_VCPU, 0), -Errno.EEXIST);
    assert.equal(vm.ioctl(KVM_CREATE_VCPU, 8), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_CREATE_VCPU, -1), -Errno.EINVAL);
  });

  test('the preferred target is the host core with no features', () => {
    const init = { target: 99, features: [5, 5, 5, 5, 5, 5, 5] };
    assert.equal(newVm().ioctl(KVM_ARM_PREFERRED_TARGET, init), 0);
    assert.deepEqual(init, { target: KvmArmTarget.CORTEX_A15, features: [0, 0, 0, 0, 0, 0, 0] });
    const a7 = openKvm({ hostTarget: KvmArmTarget.CORTEX_A7 }).ioctl(KVM_CREATE_VM, 0) as KvmVm;
    assert.equal(a7.ioctl(KVM_ARM_PREFERRED_TARGET, init), 0);
    assert.equal(init.target, KvmArmTarget.CORTEX_A7);
    assert.equal(newVm().ioctl(KVM_ARM_PREFERRED_TARGET), -Errno.EFAULT);
  });

  test('vCPUs cannot be added once the VGIC has run', () => {
    const { vm, vcpus } = makeVm();
    vcpus[0]!.kvmRun.immediate_exit = 1;
    assert.equal(vcpus[0]!.ioctl(KVM_RUN), -Errno.EINTR);
    assert.equal(vm.ioctl(KVM_CREATE_VCPU, 1), -Errno.EBUSY);
  });
});

describe('KVM_CREATE_IRQCHIP and KVM_ARM_SET_DEVICE_ADDR', () => {
  test('places the distributor and CPU interface once each', () => {
    const vm = newVm();
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: dist, addr: BigInt(GICD_BASE) }), -Errno.ENXIO);
    assert.equal(vm.ioctl(KVM_CREATE_IRQCHIP), 0);
    assert.equal(vm.ioctl(KVM_CREATE_IRQCHIP), -Errno.EEXIST);
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: dist, addr: BigInt(GICD_BASE) }), 0);
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: dist, addr: 0x9000000n }), -Errno.EEXIST);
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: cpuif, addr: BigInt(GICC_BASE) }), 0);
    assert.equal(vm.distBase, GICD_BASE);
    assert.equal(vm.cpuBase, GICC_BASE);
  });

  test('returns the kernel errors for bad addresses and ids', () => {
    const vm = newVm();
    vm.ioctl(KVM_CREATE_IRQCHIP);
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: dist, addr: 0x8000800n }), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: dist, addr: 1n << 40n }), -Errno.E2BIG);
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: 2n, addr: 0x8000000n }), -Errno.ENODEV);
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: 1n << 16n, addr: 0x8000000n }), -Errno.ENODEV);
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: dist, addr: 0x8000000n }), 0);
    // the CPU interface is 8 KiB: starting 4 KiB below the distributor overlaps it
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: cpuif, addr: 0x7fff000n }), -Errno.EBUSY);
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: cpuif, addr: 0x7ffe000n }), 0);
  });

  test('KVM_RUN refuses to start a VGIC without both addresses', () => {
    const vm = newVm();
    vm.ioctl(KVM_CREATE_IRQCHIP);
    const v = vm.ioctl(KVM_CREATE_VCPU, 0) as KvmVcpu;
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [0] }), 0);
    assert.equal(v.ioctl(KVM_RUN), -Errno.ENXIO);
  });
});

describe('KVM_IRQ_LINE', () => {
  test('without an in-kernel irqchip, TYPE_CPU drives the vCPU lines', () => {
    const { vm, vcpus } = makeVm({ gic: false });
    const cpu = vcpus[0]!;
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.CPU, 0, 0), level: 1 }), 0);
    assert.equal(cpu.cpu.interruptAsserted, true);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.CPU, 0, 0), level: 0 }), 0);
    assert.equal(cpu.cpu.interruptAsserted, false);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.CPU, 0, 1), level: 1 }), 0);
    assert.equal(cpu.fiqLine, true);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.CPU, 0, 2), level: 1 }), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.CPU, 3, 0), level: 1 }), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.SPI, 0, 33), level: 1 }), -Errno.ENXIO);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.PPI, 0, 27), level: 1 }), -Errno.ENXIO);
  });

  test('with the VGIC, SPIs and PPIs are checked and pended', () => {
    const { vm } = makeVm({ vcpus: 2 });
    const vgic = vm.vgic!;
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.CPU, 0, 0), level: 1 }), -Errno.ENXIO);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.SPI, 0, 31), level: 1 }), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.SPI, 0, 128), level: 1 }), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.PPI, 0, 15), level: 1 }), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.PPI, 2, 27), level: 1 }), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(3, 0, 33), level: 1 }), -Errno.EINVAL);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.SPI, 0, 33), level: 1 }), 0);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: armIrq(KvmArmIrqType.PPI, 1, 20), level: 1 }), 0);
    // ISPENDR1 (INTIDs 32-63) shows the SPI; ISPENDR0 of CPU 1 the PPI, of CPU 0 nothing
    assert.equal(vgic.readDist(0, 0x204, 4), 1 << 1);
    assert.equal(vgic.readDist(1, 0x200, 4), 1 << 20);
    assert.equal(vgic.readDist(0, 0x200, 4), 0);
  });
});
