/**
 * QEMU's KVMState: the open KVM system handle, the VM, and the facts the generic code and the ARM
 * hooks share about it (whether the irqchip is in the kernel, whether interrupts may be delivered
 * asynchronously).
 */
import { errnoName, type KvmHandle, type KvmSystemHandle, type KvmVmHandle } from '@armvm/kvm';
import { Trace } from './trace.ts';
import { CodedError } from '@armvm/fscache';

/** An ioctl answered with a handle where a number was expected, or the reverse. */
export class KvmIoctlError extends CodedError<'ARMVM_KVM_IOCTL'> {
  constructor(message: string) {
    super('ARMVM_KVM_IOCTL', message);
  }
}

/** The name of an ioctl's negative errno result, e.g. "EEXIST" for -17. */
export function failedIoctlName(ret: number): string {
  return errnoName(-ret);
}

/** The result of an ioctl that returns a number: 0, a positive value, or a negative errno. */
export function ioctlNumber(handle: KvmHandle, request: number, arg?: unknown): number {
  const ret = handle.ioctl(request, arg);
  if (typeof ret !== 'number') {
    throw new KvmIoctlError(`ioctl 0x${request.toString(16)} returned a handle, not a number`);
  }
  return ret;
}

/** One VM's accelerator state. */
/** A software breakpoint: where, the instruction it replaced, and how many inserted it. */
export interface KvmSwBreakpoint {
  readonly pc: number;
  /** 2 for a Thumb BKPT, 4 for an ARM one (gdb's Z0 kind: 2, 3 or 4; 3 also writes 2 bytes). */
  readonly size: number;
  savedInsn: Uint8Array;
  useCount: number;
}

/** A hardware watchpoint: a range and which accesses (GDB_WATCHPOINT_*). */
export interface HwWatchpoint {
  readonly address: number;
  readonly length: number;
  readonly type: number;
}

export class KvmState {
  readonly system: KvmSystemHandle;
  readonly vm: KvmVmHandle;
  readonly trace: Trace;
  /** Set by KVM_CREATE_IRQCHIP succeeding: the GIC is the kernel's. */
  irqchipInKernel = false;
  /** Set by kvm_arch_init: interrupts may be raised from outside the vCPU thread. */
  asyncInterruptsAllowed = false;
  /** Software breakpoints inserted for a debugger (kvm_sw_breakpoints), by guest virtual address. */
  readonly swBreakpoints = new Map<number, KvmSwBreakpoint>();
  /** Hardware breakpoints and watchpoints (the ARM hooks' own lists, as QEMU's kvm64.c keeps them). */
  readonly hwBreakpoints: number[] = [];
  readonly hwWatchpoints: HwWatchpoint[] = [];
  /** Debug registers the host core has (KVM_CAP_GUEST_DEBUG_HW_BPS/WPS), read at init. */
  maxHwBreakpoints = 0;
  maxHwWatchpoints = 0;
  /** The watchpoint the last debug exit hit (QEMU's cs->watchpoint_hit). */
  watchpointHit: { readonly address: number; readonly hit: HwWatchpoint } | undefined;

  /** QEMU's error_report: a message for the user, whatever the trace switches. */
  readonly errorReport: (message: string) => void;

  constructor(
    system: KvmSystemHandle,
    vm: KvmVmHandle,
    trace: Trace = new Trace(),
    errorReport: (message: string) => void = (message) => process.stderr.write(`armvm: ${message}\n`),
  ) {
    this.system = system;
    this.vm = vm;
    this.trace = trace;
    this.errorReport = errorReport;
  }

  /** kvm_vm_ioctl. */
  vmIoctl(request: number, arg?: unknown): number {
    return ioctlNumber(this.vm, request, arg);
  }
}
