/** The handle types of the software KVM, as the kernel's file descriptors are: system, VM, vCPU, device. */
import type { KvmRun } from './uapi.ts';

/**
 * Anything with an ioctl. `ioctl` returns what the kernel returns: 0, a positive value, or a
 * negative errno. The creating ioctls (KVM_CREATE_VM, KVM_CREATE_VCPU, KVM_CREATE_DEVICE) return the
 * new handle object instead of a descriptor number, or a negative errno.
 */
export interface KvmHandle {
  /** Which kernel object this is. */
  readonly kind: 'system' | 'vm' | 'vcpu' | 'device';
  ioctl(request: number, arg?: unknown): number | KvmHandle;
}

/** The /dev/kvm handle. KVM_CREATE_VM returns a `KvmVmHandle`. */
export interface KvmSystemHandle extends KvmHandle {
  readonly kind: 'system';
}

/** A VM. KVM_CREATE_VCPU returns a `KvmVcpuHandle`; KVM_CREATE_DEVICE a `KvmDeviceHandle`. */
export interface KvmVmHandle extends KvmHandle {
  readonly kind: 'vm';
}

/** A vCPU. Its `kvm_run` record is `run` (also `mmapRun()`), shared with the VMM like the C mapping. */
export interface KvmVcpuHandle extends KvmHandle {
  readonly kind: 'vcpu';
  /** The vCPU index given to KVM_CREATE_VCPU. */
  readonly id: number;
  readonly run: KvmRun;
  mmapRun(): KvmRun;
  /** What a signal to the vCPU thread does: a running or the next KVM_RUN returns -EINTR. */
  kick(): void;
  /**
   * The software KVM's counters for this vCPU (a kernel KVM offers its own through a binary stats
   * file descriptor); absent where a backend has none.
   */
  statistics?(): VcpuStatistics;
}

/** What a vCPU of the software KVM has done so far. */
export interface VcpuStatistics {
  /** Guest instructions retired. */
  readonly instructions: number;
  /** Blocks of guest code decoded for the block interpreter. */
  readonly blocksDecoded: number;
  /** Blocks compiled to JavaScript (hot code). */
  readonly blocksCompiled: number;
  /** Host milliseconds spent compiling them. */
  readonly compileMs: number;
}

/** A device made by KVM_CREATE_DEVICE (the VGICv2). */
export interface KvmDeviceHandle extends KvmHandle {
  readonly kind: 'device';
}

/** Options for `openKvm`. */
export interface KvmOptions {
  /**
   * The counter source of every vCPU's generic timer in ticks of `timerFrequency` (default: host
   * monotonic time at 62.5 MHz). Tests inject a virtual clock.
   */
  clock?: () => bigint;
  /** CNTFRQ (default 62.5 MHz, QEMU's). */
  timerFrequency?: number;
  /** Instructions a vCPU runs before KVM_RUN yields to its siblings with -EINTR (default 100 000). */
  timeSlice?: number;
  /** Longest real sleep of a WFI inside KVM_RUN, in milliseconds, before -EINTR (default 10). */
  maxWfiSleepMs?: number;
  /**
   * Wall-clock cap of one KVM_RUN in milliseconds, after which it returns -EINTR as a timer signal
   * would (0, the default: run until an exit). A VMM that drives its vCPUs and devices from one
   * thread sets it so its event loop keeps turning under a busy guest.
   */
  maxRunMs?: number;
  /** The host core and so the only KVM_ARM_VCPU_INIT target accepted (default Cortex-A15). */
  hostTarget?: number;
  /** How a blocked vCPU sleeps (default: a real, bounded `Atomics.wait`); tests advance a clock. */
  sleep?: (ms: number) => void;
}
