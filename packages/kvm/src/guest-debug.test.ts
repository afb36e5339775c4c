/**
 * KVM_SET_GUEST_DEBUG: the kernel's errnos for bad input, and the KVM_EXIT_DEBUG each debug facility
 * gives: single step, BKPT routed to userspace, hardware breakpoints and watchpoints.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as a from './test-support/asm.ts';
import { makeVm, RAM_BASE, setReg32 } from './test-support/guest.ts';
import {
  coreRegId,
  ESR_ELX_EC_SHIFT,
  ESR_ELX_WNR,
  Errno,
  KVM_CHECK_EXTENSION,
  KVM_GET_ONE_REG,
  KVM_GUESTDBG_ENABLE,
  KVM_GUESTDBG_SINGLESTEP,
  KVM_GUESTDBG_USE_HW,
  KVM_GUESTDBG_USE_SW_BP,
  KVM_RUN,
  KVM_SET_GUEST_DEBUG,
  KvmCap,
  KvmDebugExceptionClass,
  KvmExit,
  PsciFn,
  KvmRegId,
} from './uapi.ts';
import { openKvm } from './open.ts';
import type { KvmVcpu } from './vcpu.ts';

const BKPT = 0xe1200070;

function pc(v: KvmVcpu): number {
  const addr = new Uint8Array(4);
  assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: coreRegId(15), addr }), 0);
  return new DataView(addr.buffer).getUint32(0, true);
}

function r(v: KvmVcpu, n: number): number {
  const addr = new Uint8Array(4);
  assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: coreRegId(n), addr }), 0);
  return new DataView(addr.buffer).getUint32(0, true);
}

/** A guest counting in r1, storing it at RAM + 0x1000 and loading it back, then SYSTEM_OFF. */
function counting(): { v: KvmVcpu; ram: Uint8Array } {
  const { vcpus, ram } = makeVm({ features: 1 << 1 }); // PSCI 0.2 for SYSTEM_OFF
  const v = vcpus[0]!;
  a.place(ram, 0, [
    ...a.mov32(3, RAM_BASE + 0x1000), // 0x00, 0x04
    a.addi(1, 1, 1), // 0x08
    a.addi(1, 1, 1), // 0x0c
    a.str(1, 3), // 0x10
    a.ldr(2, 3), // 0x14
    ...a.mov32(0, PsciFn.SYSTEM_OFF), // 0x18, 0x1c
    a.hvc(), // 0x20
  ]);
  assert.equal(setReg32(v, KvmRegId.PC, RAM_BASE), 0);
  return { v, ram };
}

function ec(v: KvmVcpu): number {
  return v.kvmRun.debug.arch.hsr >>> ESR_ELX_EC_SHIFT;
}

function run(v: KvmVcpu): void {
  assert.equal(v.ioctl(KVM_RUN), 0);
}

describe('KVM_SET_GUEST_DEBUG', { timeout: 20_000 }, () => {
  test('the capabilities say guest debug is there, with 6 breakpoints and 4 watchpoints', () => {
    const kvm = openKvm();
    assert.equal(kvm.ioctl(KVM_CHECK_EXTENSION, KvmCap.SET_GUEST_DEBUG), 1);
    assert.equal(kvm.ioctl(KVM_CHECK_EXTENSION, KvmCap.GUEST_DEBUG_HW_BPS), 6);
    assert.equal(kvm.ioctl(KVM_CHECK_EXTENSION, KvmCap.GUEST_DEBUG_HW_WPS), 4);
  });

  test("the kernel's errnos: -EFAULT without a struct, -EINVAL for unknown control bits", () => {
    const { v } = counting();
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG), -Errno.EFAULT);
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control: 'on' }), -Errno.EFAULT);
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control: KVM_GUESTDBG_ENABLE | 0x4 }), -Errno.EINVAL);
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control: 0x80000000 }), -Errno.EINVAL);
    assert.equal(
      v.ioctl(KVM_SET_GUEST_DEBUG, { control: KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW }),
      -Errno.EFAULT,
    );
    // flags without ENABLE are accepted and mean "off", as in the kernel
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control: KVM_GUESTDBG_SINGLESTEP }), 0);
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control: 0 }), 0);
    // the old 32-bit number (empty arch struct) is not this ioctl
    assert.equal(v.ioctl(0x4008ae9b, { control: 0 }), -Errno.ENOTTY);
  });

  test('single step: one instruction per KVM_RUN, a step exit each time; off again runs freely', () => {
    const { v } = counting();
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control: KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP }), 0);
    for (const at of [4, 8, 0xc, 0x10]) {
      run(v);
      assert.equal(v.kvmRun.exit_reason, KvmExit.DEBUG);
      assert.equal(ec(v), KvmDebugExceptionClass.SOFTSTP_LOW);
      assert.equal(pc(v), RAM_BASE + at);
    }
    assert.equal(r(v, 1), 2);
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control: 0 }), 0);
    run(v);
    assert.equal(v.kvmRun.exit_reason, KvmExit.SYSTEM_EVENT);
  });

  test('USE_SW_BP: a BKPT stops with KVM_EXIT_DEBUG before it runs', () => {
    const { v, ram } = counting();
    a.place(ram, 0x0c, [BKPT]);
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control: KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP }), 0);
    run(v);
    assert.equal(v.kvmRun.exit_reason, KvmExit.DEBUG);
    assert.equal(ec(v), KvmDebugExceptionClass.BKPT32);
    assert.equal(pc(v), RAM_BASE + 0x0c);
    assert.equal(r(v, 1), 1);
  });

  test('USE_HW breakpoints (DBGBCR/DBGBVR) stop before the instruction', () => {
    const { v } = counting();
    const bcr = [0, (0b1111 << 5) | (0b11 << 1) | 1];
    const bvr = [0, RAM_BASE + 0x10];
    const control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW;
    assert.equal(
      v.ioctl(KVM_SET_GUEST_DEBUG, {
        control,
        arch: { dbg_bcr: bcr, dbg_bvr: bvr, dbg_wcr: [], dbg_wvr: [] },
      }),
      0,
    );
    run(v);
    assert.equal(v.kvmRun.exit_reason, KvmExit.DEBUG);
    assert.equal(ec(v), KvmDebugExceptionClass.BREAKPT_LOW);
    assert.equal(pc(v), RAM_BASE + 0x10);
    assert.equal(r(v, 1), 2);
  });

  test('USE_HW watchpoints (DBGWCR/DBGWVR) stop before the access, with WnR and the address in far', () => {
    const { v, ram } = counting();
    const control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW;
    // a store watchpoint on the 4 bytes at RAM + 0x1000, then a load watchpoint
    const wcr = (lsc: number) => [(0b1111 << 5) | (lsc << 3) | (0b11 << 1) | 1];
    const wvr = [BigInt(RAM_BASE + 0x1000)];
    const arch = (lsc: number) => ({ dbg_bcr: [], dbg_bvr: [], dbg_wcr: wcr(lsc), dbg_wvr: wvr });
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control, arch: arch(2) }), 0);
    run(v);
    assert.equal(v.kvmRun.exit_reason, KvmExit.DEBUG);
    assert.equal(ec(v), KvmDebugExceptionClass.WATCHPT_LOW);
    assert.equal(v.kvmRun.debug.arch.hsr & ESR_ELX_WNR, ESR_ELX_WNR);
    assert.equal(v.kvmRun.debug.arch.far, BigInt(RAM_BASE + 0x1000));
    assert.equal(pc(v), RAM_BASE + 0x10);
    assert.equal(new DataView(ram.buffer).getUint32(0x1000, true), 0, 'the store has not happened');
    assert.equal(v.ioctl(KVM_SET_GUEST_DEBUG, { control, arch: arch(1) }), 0);
    run(v);
    assert.equal(v.kvmRun.exit_reason, KvmExit.DEBUG);
    assert.equal(v.kvmRun.debug.arch.hsr & ESR_ELX_WNR, 0);
    assert.equal(pc(v), RAM_BASE + 0x14);
    assert.equal(new DataView(ram.buffer).getUint32(0x1000, true), 2);
  });
});
