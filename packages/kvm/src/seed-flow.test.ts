/**
 * The VMM's own sequence, step by step as its kvm_arch_init_vcpu, write_kvmstate_to_list,
 * write_list_to_kvmstate, kvm_arch_put_registers and kvm_arch_get_registers issue it, checking the
 * answers that code depends on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openKvm } from './open.ts';
import {
  coreRegId,
  Errno,
  KVM_ARM_VCPU_INIT,
  KVM_CREATE_VCPU,
  KVM_CREATE_VM,
  KVM_GET_ONE_REG,
  KVM_GET_REG_LIST,
  KVM_REG_ARM_COPROC_MASK,
  KVM_REG_ARM_CORE,
  KVM_REG_ARM_VFP,
  KVM_REG_SIZE_MASK,
  KVM_REG_SIZE_U32,
  KVM_REG_SIZE_U64,
  KVM_SET_ONE_REG,
  KvmArmTarget,
  KvmArmVcpuFeature,
  KvmRegId,
  KvmRegsIndex,
  vfpControlId,
  vfpDRegId,
  KVM_REG_ARM_VFP_FPSID,
  KVM_REG_ARM_VFP_MVFR0,
  KVM_REG_ARM_VFP_MVFR1,
  KVM_REG_ARM_VFP_FPEXC,
  KVM_REG_ARM_VFP_FPINST,
  KVM_REG_ARM_VFP_FPINST2,
} from './uapi.ts';
import type { KvmVcpu } from './vcpu.ts';
import type { KvmVm } from './vm.ts';

/** The reference VMM's cortex-a15 VFP identification, which it writes back with every register put. */
const VMM_FPSID = 0x410430f0;
const VMM_MVFR0 = 0x10110222;
const VMM_MVFR1 = 0x11111111;

function oneReg(vcpu: KvmVcpu, request: number, id: bigint, value?: bigint): { ret: number; value: bigint } {
  const size = (id & KVM_REG_SIZE_MASK) === KVM_REG_SIZE_U64 ? 8 : 4;
  const addr = new Uint8Array(size);
  const view = new DataView(addr.buffer);
  if (value !== undefined) {
    if (size === 8) view.setBigUint64(0, value, true);
    else view.setUint32(0, Number(value & 0xffffffffn), true);
  }
  const ret = vcpu.ioctl(request, { id, addr }) as number;
  return { ret, value: size === 8 ? view.getBigUint64(0, true) : BigInt(view.getUint32(0, true)) };
}

test('the reference VMM initialises, resets and syncs a vCPU without an error', () => {
  const vm = openKvm({ clock: () => 0n }).ioctl(KVM_CREATE_VM, 0) as KvmVm;
  const cpus = [0, 1].map((i) => vm.ioctl(KVM_CREATE_VCPU, i) as KvmVcpu);
  for (const [i, vcpu] of cpus.entries()) {
    // kvm_arch_init_vcpu: secondaries start powered off
    const features = [i > 0 ? 1 << KvmArmVcpuFeature.POWER_OFF : 0, 0, 0, 0, 0, 0, 0];
    assert.equal(vcpu.ioctl(KVM_ARM_VCPU_INIT, { target: KvmArmTarget.CORTEX_A15, features }), 0);
    // the d31 probe: -ENOENT would mean a VFP-D16 host
    assert.equal(oneReg(vcpu, KVM_GET_ONE_REG, vfpDRegId(31)).ret, 0);
    const rl = { n: 0n, reg: new BigUint64Array(0) };
    assert.equal(vcpu.ioctl(KVM_GET_REG_LIST, rl), -Errno.E2BIG);
    const rlp = { n: rl.n, reg: new BigUint64Array(Number(rl.n)) };
    assert.equal(vcpu.ioctl(KVM_GET_REG_LIST, rlp), 0);
    const sorted = [...rlp.reg].sort((a, b) => (a > b ? 1 : a < b ? -1 : 0));
    const cpreg = sorted.filter((id) => {
      const group = id & KVM_REG_ARM_COPROC_MASK;
      return group !== KVM_REG_ARM_CORE && group !== KVM_REG_ARM_VFP;
    });
    for (const id of cpreg) {
      const size = id & KVM_REG_SIZE_MASK;
      assert.ok(size === KVM_REG_SIZE_U32 || size === KVM_REG_SIZE_U64, "Can't handle size of register");
    }
    // write_kvmstate_to_list, then the reset values fed back (kvm_arch_reset_vcpu)
    const values = cpreg.map((id) => {
      const r = oneReg(vcpu, KVM_GET_ONE_REG, id);
      assert.equal(r.ret, 0, `read ${id.toString(16)}`);
      return r.value;
    });
    cpreg.forEach((id, k) => assert.equal(oneReg(vcpu, KVM_SET_ONE_REG, id, values[k]).ret, 0));

    // kvm_arch_put_registers: the core table, CPSR, D0-D31, FPSCR, the VFP system registers
    const core = [
      ...Array.from({ length: 15 }, (_, r) => coreRegId(r)),
      ...Array.from({ length: 12 }, (_, k) => coreRegId(KvmRegsIndex.SVC_SP + k)),
      ...Array.from({ length: 8 }, (_, k) => coreRegId(KvmRegsIndex.FIQ_R8 + k)),
      KvmRegId.PC,
    ];
    for (const id of core) assert.equal(oneReg(vcpu, KVM_SET_ONE_REG, id, 0x1000n + (id & 0xffn)).ret, 0);
    assert.equal(oneReg(vcpu, KVM_SET_ONE_REG, KvmRegId.CPSR, 0x1d3n).ret, 0);
    for (let d = 0; d < 32; d++)
      assert.equal(oneReg(vcpu, KVM_SET_ONE_REG, vfpDRegId(d), BigInt(d) << 40n).ret, 0);
    assert.equal(oneReg(vcpu, KVM_SET_ONE_REG, KvmRegId.FPSCR, 0n).ret, 0);
    for (const [reg, value] of [
      [KVM_REG_ARM_VFP_FPSID, VMM_FPSID],
      [KVM_REG_ARM_VFP_MVFR1, VMM_MVFR1],
      [KVM_REG_ARM_VFP_MVFR0, VMM_MVFR0],
      [KVM_REG_ARM_VFP_FPEXC, 0x40000000],
      [KVM_REG_ARM_VFP_FPINST, 0],
      [KVM_REG_ARM_VFP_FPINST2, 0],
    ] as [bigint, number][]) {
      assert.equal(oneReg(vcpu, KVM_SET_ONE_REG, vfpControlId(reg), BigInt(value)).ret, 0, `VFP ${reg}`);
    }
    cpreg.forEach((id, k) => assert.equal(oneReg(vcpu, KVM_SET_ONE_REG, id, values[k]).ret, 0));

    // kvm_arch_get_registers reads the same back
    for (const id of core) assert.equal(oneReg(vcpu, KVM_GET_ONE_REG, id).value, 0x1000n + (id & 0xffn));
    assert.equal(oneReg(vcpu, KVM_GET_ONE_REG, vfpDRegId(7)).value, 7n << 40n);
    assert.equal(vcpu.powerOff, i > 0);
  }
});
