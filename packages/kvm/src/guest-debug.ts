/**
 * KVM_SET_GUEST_DEBUG for a vCPU, as arm64's KVM does it: the control word (enable, single step,
 * BKPT to userspace, hardware debug registers) and the debug registers in the architecture's
 * DBGBCR/DBGBVR/DBGWCR/DBGWVR format, turned into the CPU's `CpuDebug`; and the KVM_EXIT_DEBUG
 * record a debug event leaves in `kvm_run`.
 */
import type { CpuDebug, DebugExit, Watchpoint } from '@armvm/arm';
import {
  ESR_ELX_EC_SHIFT,
  ESR_ELX_WNR,
  Errno,
  KVM_ARM_HW_BREAKPOINTS,
  KVM_ARM_HW_WATCHPOINTS,
  KVM_GUESTDBG_ENABLE,
  KVM_GUESTDBG_SINGLESTEP,
  KVM_GUESTDBG_USE_HW,
  KVM_GUESTDBG_USE_SW_BP,
  KVM_GUESTDBG_VALID_MASK,
  KvmDebugExceptionClass,
  KvmExit,
  type KvmGuestDebug,
  type KvmRun,
} from './uapi.ts';

/** What KVM_SET_GUEST_DEBUG left in force for a vCPU. */
export interface GuestDebugState {
  /** The control word; 0 when debugging is off. */
  readonly control: number;
  /** Instruction addresses of the enabled hardware breakpoints. */
  readonly breakpoints: readonly number[];
  readonly watchpoints: readonly Watchpoint[];
}

/** No debugging. */
export const GUEST_DEBUG_OFF: GuestDebugState = { control: 0, breakpoints: [], watchpoints: [] };

const BCR_E = 1;
const WCR_E = 1;

function word(list: ArrayLike<bigint | number> | undefined, i: number): number {
  const v = list?.[i];
  return v === undefined ? 0 : Number(BigInt(v) & 0xffffffffn);
}

/**
 * A DBGBCR/DBGBVR pair as an instruction address, or null when disabled or not an unlinked address
 * match (context and mismatch breakpoints are not modelled). BAS picks the halfword of a Thumb
 * instruction within the word DBGBVR names.
 */
function breakpointAddress(bcr: number, bvr: number): number | null {
  if (!(bcr & BCR_E)) return null;
  const bt = (bcr >>> 20) & 0xf;
  if (bt !== 0) return null;
  const bas = (bcr >>> 5) & 0xf;
  return ((bvr & ~3) + (bas === 0b1100 ? 2 : 0)) >>> 0;
}

/** A DBGWCR/DBGWVR pair as a watched range, or null when disabled or matching no access. */
function watchpoint(wcr: number, wvr: number): Watchpoint | null {
  if (!(wcr & WCR_E)) return null;
  const lsc = (wcr >>> 3) & 3;
  if (lsc === 0) return null;
  const mask = (wcr >>> 24) & 0x1f;
  let address: number;
  let length: number;
  if (mask !== 0) {
    length = 2 ** mask; // a power-of-two range, aligned to its size
    address = Number(BigInt(wvr >>> 0) & ~(BigInt(length) - 1n));
  } else {
    const bas = (wcr >>> 5) & 0xff;
    if (bas === 0) return null;
    const base = wvr & 4 ? wvr & ~3 : wvr & ~7;
    const low = 31 - Math.clz32(bas & -bas);
    const high = 31 - Math.clz32(bas);
    address = (base + low) >>> 0;
    length = high - low + 1;
  }
  return { address, length, onRead: (lsc & 1) !== 0, onWrite: (lsc & 2) !== 0 };
}

/**
 * kvm_arch_vcpu_ioctl_set_guest_debug: -EFAULT without a struct, -EINVAL for control bits ARM does
 * not know; without ENABLE every flag is cleared. The debug registers are read only with USE_HW,
 * and only as many as the core has (6 breakpoints, 4 watchpoints), as the kernel copies them all
 * and the hardware uses what it has.
 */
export function setGuestDebug(arg: unknown): GuestDebugState | number {
  if (typeof arg !== 'object' || arg === null) return -Errno.EFAULT;
  const dbg = arg as KvmGuestDebug;
  if (typeof dbg.control !== 'number') return -Errno.EFAULT;
  const control = dbg.control >>> 0;
  if (control & ~KVM_GUESTDBG_VALID_MASK) return -Errno.EINVAL;
  if (!(control & KVM_GUESTDBG_ENABLE)) return GUEST_DEBUG_OFF;
  const breakpoints: number[] = [];
  const watchpoints: Watchpoint[] = [];
  if (control & KVM_GUESTDBG_USE_HW) {
    const a = dbg.arch;
    if (typeof a !== 'object' || a === null) return -Errno.EFAULT;
    for (let i = 0; i < KVM_ARM_HW_BREAKPOINTS; i++) {
      const at = breakpointAddress(word(a.dbg_bcr, i), word(a.dbg_bvr, i));
      if (at !== null) breakpoints.push(at);
    }
    for (let i = 0; i < KVM_ARM_HW_WATCHPOINTS; i++) {
      const w = watchpoint(word(a.dbg_wcr, i), word(a.dbg_wvr, i));
      if (w !== null) watchpoints.push(w);
    }
  }
  return { control, breakpoints, watchpoints };
}

/** Puts the debug state on a CPU's `CpuDebug` (keeping the tracer's hooks it already has). */
export function applyGuestDebug(debug: CpuDebug, state: GuestDebugState): void {
  const on = (state.control & KVM_GUESTDBG_ENABLE) !== 0;
  debug.singleStep = on && (state.control & KVM_GUESTDBG_SINGLESTEP) !== 0;
  debug.trapBkpt = on && (state.control & KVM_GUESTDBG_USE_SW_BP) !== 0;
  debug.breakpoints.clear();
  for (const b of state.breakpoints) debug.breakpoints.add(b);
  debug.watchpoints = state.watchpoints;
}

/** True when the state needs no `CpuDebug` at all. */
export function guestDebugIdle(state: GuestDebugState): boolean {
  return (state.control & KVM_GUESTDBG_ENABLE) === 0;
}

/** Fills `run` for KVM_EXIT_DEBUG from a CPU debug event. */
export function debugExitToRun(run: KvmRun, exit: DebugExit | 'step'): void {
  run.exit_reason = KvmExit.DEBUG;
  const d = run.debug.arch;
  if (exit === 'step') {
    d.hsr = KvmDebugExceptionClass.SOFTSTP_LOW << ESR_ELX_EC_SHIFT;
    d.far = 0n;
    return;
  }
  d.pc = exit.pc;
  d.far = BigInt(exit.address);
  switch (exit.reason) {
    case 'breakpoint':
      d.hsr = KvmDebugExceptionClass.BREAKPT_LOW << ESR_ELX_EC_SHIFT;
      break;
    case 'step':
      d.hsr = KvmDebugExceptionClass.SOFTSTP_LOW << ESR_ELX_EC_SHIFT;
      break;
    case 'watchpoint':
      d.hsr = (KvmDebugExceptionClass.WATCHPT_LOW << ESR_ELX_EC_SHIFT) | (exit.write ? ESR_ELX_WNR : 0);
      break;
    case 'bkpt':
      d.hsr = KvmDebugExceptionClass.BKPT32 << ESR_ELX_EC_SHIFT;
      break;
  }
}
