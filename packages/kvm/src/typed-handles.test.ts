import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KvmError } from './kvm-error.ts';
import { openKvm } from './open.ts';
import * as a from './test-support/asm.ts';
import { makeVm, RAM_BASE } from './test-support/guest.ts';
import {
  armDeviceAddrId,
  coreRegId,
  Errno,
  KVM_ARM_DEVICE_VGIC_V2,
  KVM_ARM_SET_DEVICE_ADDR,
  KVM_ARM_VCPU_INIT,
  KVM_CREATE_VCPU,
  KVM_CREATE_VM,
  KVM_GET_API_VERSION,
  KVM_GET_MP_STATE,
  KVM_GET_ONE_REG,
  KVM_GET_REG_LIST,
  KVM_IRQ_LINE,
  KVM_RUN,
  KVM_SET_MP_STATE,
  KVM_SET_ONE_REG,
  KVM_VGIC_V2_ADDR_TYPE_DIST,
  KvmArmTarget,
  KvmCap,
  KvmDevType,
  KvmExit,
  KvmMpState,
  KvmRegId,
  KvmSystemEvent,
  PsciFn,
} from './uapi.ts';
import type { KvmVcpu } from './vcpu.ts';
import type { KvmVm } from './vm.ts';

const DEVICE = 0x0a000000;
const PSCI_0_2 = 1 << 1;

/** Runs `f` and gives the KvmError it throws. */
function kvmError(f: () => unknown): KvmError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof KvmError, `not a KvmError: ${String(e)}`);
    return e;
  }
  assert.fail('no KvmError');
}

const le32 = (value: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
};

describe('typed KVM handles', () => {
  test('a KvmError carries the errno, its name and the call', () => {
    const e = new KvmError('KVM_SET_ONE_REG', Errno.ENOENT);
    assert.equal(e.errno, 2);
    assert.equal(e.code, 'ENOENT');
    assert.equal(e.call, 'KVM_SET_ONE_REG');
    assert.equal(e.message, 'KVM_SET_ONE_REG: ENOENT');
    assert.equal(new KvmError('X', 999).code, 'errno 999');
  });

  test('system and VM calls answer as their ioctls do, and throw the errno the ioctl returns', () => {
    const kvm = openKvm();
    assert.equal(kvm.getApiVersion(), kvm.ioctl(KVM_GET_API_VERSION));
    assert.equal(kvm.checkExtension(KvmCap.ONE_REG), 1);
    assert.equal(kvmError(() => kvm.createVm(1)).errno, Errno.EINVAL);
    assert.equal(kvm.ioctl(KVM_CREATE_VM, 1), -Errno.EINVAL);
    const vm = kvm.createVm();
    const v0 = vm.createVcpu(0);
    assert.equal(v0.kind, 'vcpu');
    assert.equal(kvmError(() => vm.createVcpu(0)).code, 'EEXIST');
    assert.equal(vm.ioctl(KVM_CREATE_VCPU, 0), -Errno.EEXIST);
    assert.deepEqual(vm.armPreferredTarget(), {
      target: KvmArmTarget.CORTEX_A15,
      features: [0, 0, 0, 0, 0, 0, 0],
    });
    assert.equal(kvmError(() => vm.irqLine(1 << 24, true)).code, 'ENXIO'); // an SPI without a VGIC
    assert.equal(vm.ioctl(KVM_IRQ_LINE, { irq: 1 << 24, level: 1 }), -Errno.ENXIO);
    assert.equal(vm.ioctl(KVM_IRQ_LINE, null), -Errno.EFAULT);
    const addr = {
      id: armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_DIST),
      addr: 0x8000000n,
    };
    assert.equal(kvmError(() => vm.armSetDeviceAddr(addr)).code, 'ENXIO');
    assert.equal(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, addr), -Errno.ENXIO);
    assert.equal(vm.createDevice({ type: KvmDevType.ARM_VGIC_V2, flags: 1 }), null, 'a TEST creates nothing');
    const create = { type: KvmDevType.ARM_VGIC_V2, flags: 0 } as {
      type: number;
      flags: number;
      fd?: unknown;
    };
    const gic = vm.createDevice(create);
    assert.equal(gic?.kind, 'device');
    assert.equal(create.fd, gic);
    assert.equal(kvmError(() => vm.createIrqchip()).code, 'EEXIST');
    assert.equal(gic?.hasDeviceAttr({ flags: 0, group: 99, attr: 0n, addr: new Uint8Array(8) }), false);
  });

  test('ONE_REG takes bytes; REG_LIST gives every id; MP_STATE is a number', () => {
    const vm = openKvm().createVm();
    const v = vm.createVcpu(0);
    const bytes = new Uint8Array(4);
    assert.equal(kvmError(() => v.getOneReg(coreRegId(0), bytes)).code, 'ENOEXEC');
    assert.equal(kvmError(() => v.getRegList()).code, 'ENOEXEC');
    v.armVcpuInit({ target: KvmArmTarget.CORTEX_A15, features: [0] });
    v.setOneReg(coreRegId(3), le32(0x12345678));
    v.getOneReg(coreRegId(3), bytes);
    assert.deepEqual([...bytes], [0x78, 0x56, 0x34, 0x12]);
    assert.equal(kvmError(() => v.setOneReg(coreRegId(3), new Uint8Array(2))).code, 'EFAULT');
    assert.equal(v.ioctl(KVM_SET_ONE_REG, { id: coreRegId(3), addr: new Uint8Array(2) }), -Errno.EFAULT);
    const ids = v.getRegList();
    const raw = { n: 0n, reg: new BigUint64Array(0) };
    assert.equal(v.ioctl(KVM_GET_REG_LIST, raw), -Errno.E2BIG);
    assert.equal(raw.n, BigInt(ids.length));
    raw.reg = new BigUint64Array(ids.length);
    assert.equal(v.ioctl(KVM_GET_REG_LIST, raw), 0);
    assert.deepEqual(raw.reg, ids);
    assert.equal(v.getMpState(), KvmMpState.RUNNABLE);
    v.setMpState(KvmMpState.STOPPED);
    const mp = { mp_state: -1 };
    assert.equal(v.ioctl(KVM_GET_MP_STATE, mp), 0);
    assert.equal(mp.mp_state, KvmMpState.STOPPED);
    assert.equal(kvmError(() => v.setMpState(99)).code, 'EINVAL');
    assert.equal(v.ioctl(KVM_SET_MP_STATE, { mp_state: 99 }), -Errno.EINVAL);
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: 1234, features: [0] }), -Errno.EINVAL);
    assert.equal(kvmError(() => v.setGuestDebug({ control: 0x40000000 } as never)).code, 'EINVAL');
  });

  test('run() gives MMIO exits as bytes, completes a load from them, then a system event', () => {
    const { vcpus, ram } = makeVm({ features: PSCI_0_2 });
    const v: KvmVcpu = vcpus[0]!;
    a.place(ram, 0, [
      ...a.mov32(3, DEVICE),
      a.ldr(7, 3),
      a.str(7, 3, 4),
      ...a.mov32(0, PsciFn.SYSTEM_OFF),
      a.hvc(),
    ]);
    v.setOneReg(KvmRegId.PC, le32(RAM_BASE));
    const load = v.run();
    assert.ok(load.reason === 'mmio');
    assert.deepEqual(
      { address: load.address, isWrite: load.isWrite, length: load.data.length },
      {
        address: DEVICE,
        isWrite: false,
        length: 4,
      },
    );
    load.data.set([0x78, 0x56, 0x34, 0x12]);
    const store = v.run();
    assert.ok(store.reason === 'mmio');
    assert.equal(store.address, DEVICE + 4);
    assert.equal(store.isWrite, true);
    assert.deepEqual([...store.data], [0x78, 0x56, 0x34, 0x12]);
    assert.equal(v.kvmRun.exit_reason, KvmExit.MMIO, 'kvm_run says the same for the raw layer');
    assert.equal(v.kvmRun.mmio.phys_addr, BigInt(DEVICE + 4));
    assert.deepEqual(v.run(), { reason: 'systemEvent', type: KvmSystemEvent.SHUTDOWN, flags: 0n });
  });

  test('run() is intr where KVM_RUN is -EINTR, and throws where it fails', () => {
    const vm = openKvm().createVm() as KvmVm;
    const v = vm.createVcpu(0);
    assert.equal(kvmError(() => v.run()).code, 'ENOEXEC');
    assert.equal(v.ioctl(KVM_RUN), -Errno.ENOEXEC);
    v.armVcpuInit({ target: KvmArmTarget.CORTEX_A15, features: [0] });
    v.kvmRun.immediate_exit = 1;
    assert.deepEqual(v.run(), { reason: 'intr' });
    assert.equal(v.ioctl(KVM_RUN), -Errno.EINTR);
    v.kvmRun.immediate_exit = 0;
    v.kick();
    assert.deepEqual(v.run(), { reason: 'intr' });
  });

  test('the raw layer reads ONE_REG through the typed call', () => {
    const { vcpus } = makeVm();
    const v = vcpus[0]!;
    v.setOneReg(coreRegId(5), le32(0xcafe));
    const addr = new Uint8Array(4);
    assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: coreRegId(5), addr }), 0);
    assert.equal(new DataView(addr.buffer).getUint32(0, true), 0xcafe);
    assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: 5, addr }), -Errno.EFAULT);
  });
});
