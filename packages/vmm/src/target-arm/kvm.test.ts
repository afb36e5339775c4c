import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ccsidrId,
  coreRegId,
  cp15Reg32Id,
  Errno,
  KVM_GUESTDBG_ENABLE,
  KVM_GUESTDBG_USE_HW,
  type KvmGuestDebug,
  KVM_REG_ARM,
  KVM_REG_ARM_CP15,
  KVM_REG_SIZE_U16,
  KvmArmTarget,
  KvmArmVcpuFeature,
  KvmRegId,
  vfpDRegId,
} from '@armvm/kvm';
import { KvmState } from '../accel/kvm-state.ts';
import { Trace } from '../accel/trace.ts';
import { FakeVcpu, RecordingVm, unusedSystem } from '../test-support/fake-kvm.ts';
import { ARMCPU, CORTEX_A15, QEMU_KVM_ARM_TARGET_NONE } from './arm-cpu.ts';
import { isStrictlyAscending } from './cpreg-order.ts';
import {
  kvmArchInit,
  kvmArchInitVcpu,
  kvmArchInsertHwBreakpoint,
  kvmArchInsertSwBreakpoint,
  kvmArchRemoveAllHwBreakpoints,
  kvmArchRemoveHwBreakpoint,
  kvmArchRemoveSwBreakpoint,
  kvmArchResetVcpu,
  kvmArchUpdateGuestDebug,
  GdbBreakpointType,
  regSyncsViaTupleList,
  writeKvmstateToList,
} from './kvm.ts';

/** A register file like a kernel's: core, VFP, cp15 of both sizes and a CCSIDR, listed unsorted. */
function kernelRegs(): Map<bigint, bigint> {
  const regs = new Map<bigint, bigint>();
  for (let i = 0; i < 38; i++) regs.set(coreRegId(i), 0n);
  for (let i = 0; i < 32; i++) regs.set(vfpDRegId(i), 0n);
  regs.set(KvmRegId.FPSCR, 0n);
  regs.set(KvmRegId.FPSID, 0x410430f0n);
  regs.set(KvmRegId.MIDR, 0x412fc0f1n);
  regs.set(KvmRegId.SCTLR, 0x00c50078n);
  regs.set(KvmRegId.TTBR0, 0xdecafbadn);
  regs.set(KvmRegId.TTBR1, 0xd0c0ffeen);
  regs.set(KvmRegId.DACR, 0xdecafbadn);
  regs.set(cp15Reg32Id(13, 0, 0, 1), 0n);
  regs.set(KvmRegId.PAR, 0n);
  regs.set(ccsidrId(0), 0x701fe00an);
  return regs;
}

function setup(cpuIndex = 0, list?: (regs: Map<bigint, bigint>) => bigint[]) {
  const regs = kernelRegs();
  const vcpu = new FakeVcpu(cpuIndex, regs, [KvmRegId.MIDR, KvmRegId.FPSID], list?.(regs));
  const lines: string[] = [];
  const errors: string[] = [];
  const s = new KvmState(unusedSystem, new RecordingVm(), new Trace(['unimp'], (l) => lines.push(l)), (m) =>
    errors.push(m),
  );
  const cpu = new ARMCPU(cpuIndex);
  cpu.kvmFd = vcpu;
  return { s, cpu, vcpu, lines, errors };
}

describe('kvm_arch_init and kvm_arch_init_vcpu', () => {
  test('kvm_arch_init allows asynchronous interrupts', () => {
    const { s } = setup();
    assert.equal(kvmArchInit(s), 0);
    assert.equal(s.asyncInterruptsAllowed, true);
  });

  test('the boot CPU is initialised as a Cortex-A15 with no features, a secondary with POWER_OFF', () => {
    const boot = setup(0);
    assert.equal(kvmArchInitVcpu(boot.s, boot.cpu), 0);
    assert.deepEqual(boot.vcpu.init, { target: KvmArmTarget.CORTEX_A15, features: [0, 0, 0, 0, 0, 0, 0] });
    const second = setup(1);
    second.cpu.psci02 = true;
    assert.equal(kvmArchInitVcpu(second.s, second.cpu), 0);
    assert.equal(
      second.vcpu.init!.features[0],
      (1 << KvmArmVcpuFeature.POWER_OFF) | (1 << KvmArmVcpuFeature.PSCI_0_2),
    );
  });

  test('a CPU model KVM has no target for is refused with a clear message', () => {
    const { s, vcpu, errors } = setup();
    const cpu = new ARMCPU(0, { ...CORTEX_A15, name: 'cortex-m3', kvmTarget: QEMU_KVM_ARM_TARGET_NONE });
    cpu.kvmFd = vcpu;
    assert.equal(kvmArchInitVcpu(s, cpu), -Errno.EINVAL);
    assert.match(errors[0]!, /KVM is not supported for this guest CPU type/);
    assert.equal(vcpu.calls.length, 0);
  });

  test('a kernel without d31 is refused (cortex-a15 is VFP-D32)', () => {
    const { s, cpu, vcpu, errors } = setup();
    vcpu.regs.delete(vfpDRegId(31));
    assert.equal(kvmArchInitVcpu(s, cpu), -Errno.EINVAL);
    assert.match(errors[0]!, /d31/);
  });

  test('the cpreg list is the kernel list without core and VFP registers, strictly ascending', () => {
    const { s, cpu, vcpu } = setup(0, (regs) => [...regs.keys()].reverse());
    assert.equal(kvmArchInitVcpu(s, cpu), 0);
    const expected = [...vcpu.regs.keys()].filter(regSyncsViaTupleList).sort((a, b) => (a < b ? -1 : 1));
    assert.deepEqual(Array.from(cpu.cpregIndexes), expected);
    assert.ok(isStrictlyAscending(cpu.cpregIndexes));
    assert.ok(cpu.cpregIndexes.some((id) => (id >> 52n) % 16n === 3n)); // 64-bit ids are there
    assert.ok(cpu.cpregIndexes.some((id) => (id >> 52n) % 16n === 2n)); // and 32-bit ones
    assert.equal(cpu.cpregArrayLen, expected.length);
    assert.equal(cpu.cpregValues[expected.indexOf(KvmRegId.SCTLR)], 0x00c50078n);
    assert.deepEqual(cpu.cpregResetValues, cpu.cpregValues);
  });

  test('the register list is asked for twice: first with n = 0, then with the size E2BIG reported', () => {
    const { s, cpu, vcpu } = setup();
    assert.equal(kvmArchInitVcpu(s, cpu), 0);
    const lists = vcpu.calls.filter((c) => 'reg' in (c.arg as object));
    assert.equal(lists.length, 2);
    assert.equal((lists[1]!.arg as { reg: BigUint64Array }).reg.length, vcpu.regs.size);
  });

  test('a register of a size other than 32 or 64 bits is refused', () => {
    const odd = KVM_REG_ARM | KVM_REG_SIZE_U16 | KVM_REG_ARM_CP15 | 0x800n;
    const { s, cpu, errors } = setup(0, (regs) => [...regs.keys(), odd]);
    assert.equal(kvmArchInitVcpu(s, cpu), -Errno.EINVAL);
    assert.match(errors[0]!, /Can't handle size of register in kernel list/);
  });

  test('a listed register the kernel then refuses to read fails the initial read', () => {
    const ghost = cp15Reg32Id(15, 0, 0, 0);
    const { s, cpu, errors } = setup(0, (regs) => [...regs.keys(), ghost]);
    assert.equal(kvmArchInitVcpu(s, cpu), -Errno.EINVAL);
    assert.match(errors[0]!, /Initial read of kernel register state failed/);
  });
});

describe('kvm_arch_reset_vcpu', () => {
  test('writes back the values saved at init, whatever the guest did since', () => {
    const { s, cpu, vcpu } = setup();
    assert.equal(kvmArchInitVcpu(s, cpu), 0);
    const saved = new Map(Array.from(cpu.cpregIndexes, (id) => [id, vcpu.regs.get(id)!] as const));
    vcpu.regs.set(KvmRegId.SCTLR, 0x00c5187dn); // the guest turned the MMU and caches on
    vcpu.regs.set(KvmRegId.TTBR0, 0x40004000n);
    vcpu.regs.set(KvmRegId.DACR, 0x55555555n);
    assert.ok(writeKvmstateToList(cpu));
    kvmArchResetVcpu(cpu);
    for (const [id, value] of saved) assert.equal(vcpu.regs.get(id), value, `0x${id.toString(16)}`);
  });

  test('a kernel that refuses the reset values is a hard error', () => {
    const { s, cpu, vcpu } = setup();
    assert.equal(kvmArchInitVcpu(s, cpu), 0);
    vcpu.regs.set(KvmRegId.MIDR, 0x410fc0f0n); // a constant that changed under us
    assert.throws(() => kvmArchResetVcpu(cpu), /refused the reset values/);
  });
});

describe('guest debug hooks', () => {
  test('software breakpoints swap a BKPT in and out; hardware ones fill the debug registers', () => {
    const { s, cpu } = setup();
    const ram = new Uint8Array(16).fill(0x11);
    const mem = (va: number, length: number, data?: Uint8Array) => {
      if (data) {
        ram.set(data, va);
        return true as const;
      }
      return ram.slice(va, va + length);
    };
    const bp = { pc: 4, size: 4, savedInsn: new Uint8Array(0), useCount: 1 };
    assert.equal(kvmArchInsertSwBreakpoint(s, cpu, bp, mem), 0);
    assert.deepEqual([...ram.subarray(4, 8)], [0x70, 0x00, 0x20, 0xe1]); // BKPT #0
    assert.equal(kvmArchRemoveSwBreakpoint(s, cpu, bp, mem), 0);
    assert.deepEqual([...ram.subarray(4, 8)], [0x11, 0x11, 0x11, 0x11]);
    assert.equal(kvmArchRemoveSwBreakpoint(s, cpu, bp, mem), -Errno.EINVAL, 'our BKPT is gone');
    s.maxHwBreakpoints = 1;
    s.maxHwWatchpoints = 1;
    assert.equal(kvmArchInsertHwBreakpoint(s, 0x40000002, 2, GdbBreakpointType.HW), 0);
    assert.equal(kvmArchInsertHwBreakpoint(s, 0x40000008, 4, GdbBreakpointType.HW), -Errno.ENOBUFS);
    assert.equal(kvmArchInsertHwBreakpoint(s, 0x40001004, 4, GdbBreakpointType.WATCH_WRITE), 0);
    const dbg: KvmGuestDebug = { control: 0 };
    kvmArchUpdateGuestDebug(s, cpu, dbg);
    assert.equal(dbg.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW);
    assert.deepEqual(dbg.arch!.dbg_bvr, [0x40000000]);
    assert.deepEqual(dbg.arch!.dbg_bcr, [(0b1100 << 5) | (0b11 << 1) | 1]); // the upper halfword
    assert.deepEqual(dbg.arch!.dbg_wvr, [0x40001000]);
    assert.deepEqual(dbg.arch!.dbg_wcr, [(0b11110000 << 5) | (2 << 3) | (0b11 << 1) | 1]);
    assert.equal(kvmArchRemoveHwBreakpoint(s, 0x40000002, 2, GdbBreakpointType.HW), 0);
    assert.equal(kvmArchRemoveHwBreakpoint(s, 0x40000002, 2, GdbBreakpointType.HW), -Errno.ENOENT);
    kvmArchRemoveAllHwBreakpoints(s);
    const none: KvmGuestDebug = { control: 0 };
    kvmArchUpdateGuestDebug(s, cpu, none);
    assert.equal(none.control, 0);
  });
});
