/**
 * QEMU's KVMState: the open KVM system handle, the VM, and the facts the generic code and the ARM
 * hooks share about it (whether the irqchip is in the kernel, whether interrupts may be delivered
 * asynchronously).
 */
import { Errno, type KvmHandle, type KvmSystemHandle, type KvmVmHandle } from '@armvm/kvm';
import { Trace } from './trace.ts';

/** An ioctl answered with a handle where a number was expected, or the reverse. */
export class KvmIoctlError extends Error {
  readonly code = 'ARMVM_KVM_IOCTL';
  constructor(message: string) {
    super(message);
  }
}

const errnoNames = new Map<number, string>(Object.entries(Errno).map(([name, value]) => [value, name]));

/** The name of a negative errno result, e.g. "EEXIST" for -17. */
export function errnoName(ret: number): string {
  return errnoNames.get(-ret) ?? `errno ${-ret}`;
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
export class KvmState {
  readonly system: KvmSystemHandle;
  readonly vm: KvmVmHandle;
  readonly trace: Trace;
  /** Set by KVM_CREATE_IRQCHIP succeeding: the GIC is the kernel's. */
  irqchipInKernel = false;
  /** Set by kvm_arch_init: interrupts may be raised from outside the vCPU thread. */
  asyncInterruptsAllowed = false;

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
