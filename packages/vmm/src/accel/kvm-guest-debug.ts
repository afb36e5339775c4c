/**
 * The generic half of guest debugging (QEMU's kvm-all.c): the list of software breakpoints with use
 * counts, insert and remove for every breakpoint type, and kvm_update_guest_debug, which builds
 * `struct kvm_guest_debug` (single step, then the ARM hooks' bits and registers) and hands it to
 * KVM_SET_GUEST_DEBUG on each vCPU.
 */
import {
  Errno,
  KVM_GUESTDBG_ENABLE,
  KVM_GUESTDBG_SINGLESTEP,
  KVM_SET_GUEST_DEBUG,
  type KvmGuestDebug,
} from '@armvm/kvm';
import type { ARMCPU } from '../target-arm/arm-cpu.ts';
import {
  type DebugMemoryAccess,
  GdbBreakpointType,
  kvmArchInsertHwBreakpoint,
  kvmArchInsertSwBreakpoint,
  kvmArchRemoveAllHwBreakpoints,
  kvmArchRemoveHwBreakpoint,
  kvmArchRemoveSwBreakpoint,
  kvmArchUpdateGuestDebug,
} from '../target-arm/kvm.ts';
import type { KvmState } from './kvm-state.ts';

/** kvm_update_guest_debug: the vCPU's debug state from its single-step flag and every breakpoint. */
export function kvmUpdateGuestDebug(s: KvmState, cpu: ARMCPU): number {
  const dbg: KvmGuestDebug = { control: 0 };
  if (cpu.singlestepEnabled) dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
  kvmArchUpdateGuestDebug(s, cpu, dbg);
  return cpu.vcpuIoctl(KVM_SET_GUEST_DEBUG, dbg);
}

function updateAll(s: KvmState, cpus: readonly ARMCPU[]): number {
  for (const cpu of cpus) {
    const ret = kvmUpdateGuestDebug(s, cpu);
    if (ret < 0) return ret;
  }
  return 0;
}

/**
 * Inserting or removing one breakpoint: gdb's `type` (Z0..Z4), its address and `len` (the kind),
 * with `cpu` reading guest memory; all of `cpus` then take the new debug state. 0 or -errno.
 */
export type KvmBreakpointOp = (
  s: KvmState,
  cpus: readonly ARMCPU[],
  cpu: ARMCPU,
  addr: number,
  len: number,
  type: number,
  mem: DebugMemoryAccess,
) => number;

/**
 * kvm_insert_breakpoint: a software breakpoint (`len` is gdb's kind: 2 or 3 Thumb, 4 ARM) is
 * written into guest memory once however often it is inserted; other types take debug registers.
 */
export const kvmInsertBreakpoint: KvmBreakpointOp = (s, cpus, cpu, addr, len, type, mem) => {
  if (type === GdbBreakpointType.SW) {
    const existing = s.swBreakpoints.get(addr);
    if (existing) {
      existing.useCount++;
      return 0;
    }
    const bp = { pc: addr, size: len === 4 ? 4 : 2, savedInsn: new Uint8Array(0), useCount: 1 };
    const ret = kvmArchInsertSwBreakpoint(s, cpu, bp, mem);
    if (ret < 0) return ret;
    s.swBreakpoints.set(addr, bp);
  } else {
    const ret = kvmArchInsertHwBreakpoint(s, addr, len, type);
    if (ret < 0) return ret;
  }
  return updateAll(s, cpus);
};

/** kvm_remove_breakpoint: -ENOENT for a breakpoint that is not there. */
export const kvmRemoveBreakpoint: KvmBreakpointOp = (s, cpus, cpu, addr, len, type, mem) => {
  if (type === GdbBreakpointType.SW) {
    const bp = s.swBreakpoints.get(addr);
    if (!bp) return -Errno.ENOENT;
    if (--bp.useCount > 0) return 0;
    const ret = kvmArchRemoveSwBreakpoint(s, cpu, bp, mem);
    if (ret < 0) return ret;
    s.swBreakpoints.delete(addr);
  } else {
    const ret = kvmArchRemoveHwBreakpoint(s, addr, len, type);
    if (ret < 0) return ret;
  }
  return updateAll(s, cpus);
};

/** kvm_remove_all_breakpoints: every software breakpoint undone, the debug registers cleared. */
export function kvmRemoveAllBreakpoints(s: KvmState, cpus: readonly ARMCPU[], mem: DebugMemoryAccess): void {
  for (const bp of s.swBreakpoints.values()) kvmArchRemoveSwBreakpoint(s, cpus[0]!, bp, mem);
  s.swBreakpoints.clear();
  kvmArchRemoveAllHwBreakpoints(s);
  for (const cpu of cpus) cpu.singlestepEnabled = false;
  updateAll(s, cpus);
}
