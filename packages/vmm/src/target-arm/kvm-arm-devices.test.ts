import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  armDeviceAddrId,
  Errno,
  KVM_ARM_DEVICE_VGIC_V2,
  KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST,
} from '@armvm/kvm';
import { KvmState } from '../accel/kvm-state.ts';
import { Trace } from '../accel/trace.ts';
import { AddressSpace, MachineInit, MemoryRegion } from '../memory/index.ts';
import { RecordingVm, unusedSystem } from '../test-support/fake-kvm.ts';
import { KvmArmDevices } from './kvm-arm-devices.ts';

const DIST = armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_DIST);
const CPU = armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_CPU);

function machine(irqchipInKernel = true) {
  const vm = new RecordingVm();
  const errors: string[] = [];
  const s = new KvmState(unusedSystem, vm, new Trace(), (m) => errors.push(m));
  s.irqchipInKernel = irqchipInKernel;
  const sysmem = MemoryRegion.container('system', 2 ** 32);
  const space = new AddressSpace(sysmem);
  const init = new MachineInit();
  const devices = new KvmArmDevices(s, space, init);
  const dist = MemoryRegion.reservation('kvm-gic_dist', 0x1000);
  const cpu = MemoryRegion.reservation('kvm-gic_cpu', 0x1000);
  return { vm, s, sysmem, space, init, devices, dist, cpu, errors };
}

/** A machine whose two GIC frames are registered, then mapped at virt's addresses; init not yet done. */
function gicMapped(): ReturnType<typeof machine> {
  const m = machine();
  m.devices.kvmArmRegisterDevice(m.dist, DIST);
  m.devices.kvmArmRegisterDevice(m.cpu, CPU);
  m.sysmem.addSubregion(0x08000000, m.dist);
  m.sysmem.addSubregion(0x08010000, m.cpu);
  return m;
}

describe('kvm_arm_register_device', () => {
  test('each device address is sent once, after machine init, from where its region is mapped', () => {
    const m = gicMapped();
    assert.equal(m.vm.deviceAddrs.length, 0, 'nothing reaches KVM before init is done');
    m.init.machineInitDone();
    const sent = m.vm.deviceAddrs.sort((a, b) => Number(a.id - b.id));
    assert.deepEqual(sent, [
      { id: DIST, addr: 0x08000000n },
      { id: CPU, addr: 0x08010000n },
    ]);
  });

  test('a region moved before init is sent from its final address, and only that one', () => {
    const m = machine();
    m.sysmem.addSubregion(0x2c001000, m.dist); // mapped before registering: the listener replays it
    m.devices.kvmArmRegisterDevice(m.dist, DIST);
    assert.deepEqual(m.devices.pending, [{ id: DIST, addr: 0x2c001000n }]);
    m.dist.setAddress(0x08000000);
    m.init.machineInitDone();
    assert.deepEqual(m.vm.deviceAddrs, [{ id: DIST, addr: 0x08000000n }]);
  });

  test('moves after init reach KVM no more, and a second init-done sends nothing again', () => {
    const m = machine();
    m.devices.kvmArmRegisterDevice(m.dist, DIST);
    m.sysmem.addSubregion(0x08000000, m.dist);
    m.init.machineInitDone();
    m.dist.setAddress(0x09000000);
    m.init.machineInitDone();
    assert.equal(m.vm.deviceAddrs.length, 1);
  });

  test('a device unmapped again before init is not sent', () => {
    const m = gicMapped();
    m.sysmem.removeSubregion(m.cpu);
    m.init.machineInitDone();
    assert.deepEqual(m.vm.deviceAddrs, [{ id: DIST, addr: 0x08000000n }]);
  });

  test('without an in-kernel irqchip nothing is registered or sent', () => {
    const m = machine(false);
    m.devices.kvmArmRegisterDevice(m.dist, DIST);
    m.sysmem.addSubregion(0x08000000, m.dist);
    m.init.machineInitDone();
    assert.deepEqual(m.devices.pending, []);
    assert.deepEqual(m.vm.calls, []);
  });

  test('KVM refusing an address is a hard error naming the errno', () => {
    const m = machine();
    m.vm.deviceAddrResult = -Errno.EBUSY;
    m.devices.kvmArmRegisterDevice(m.dist, DIST);
    m.sysmem.addSubregion(0x08000000, m.dist);
    assert.throws(() => m.init.machineInitDone(), /KVM_ARM_SET_DEVICE_ADDRESS failed: EBUSY/);
    assert.match(m.errors[0]!, /EBUSY/);
  });
});
