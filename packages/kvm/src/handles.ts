/** The handle types of the software KVM, as the kernel's file descriptors are: system, VM, vCPU, device. */
import type { BlockReport, ExceptionReport } from '@armvm/arm';
import type {
  KvmArmDeviceAddr,
  KvmCreateDevice,
  KvmDeviceAttr,
  KvmGuestDebug,
  KvmRun,
  KvmUserspaceMemoryRegion,
  KvmVcpuInit,
} from './uapi.ts';
import type { VcpuExit } from './vcpu-exit.ts';

/**
 * Anything with an ioctl: the raw layer, a thin switch over the typed methods. `ioctl` returns what
 * the kernel returns: 0, a positive value, or a negative errno. The creating ioctls (KVM_CREATE_VM,
 * KVM_CREATE_VCPU, KVM_CREATE_DEVICE) return the new handle object instead of a descriptor number.
 * The typed methods of each handle are named after the ioctls and throw `KvmError` with the errno.
 */
export interface KvmHandle {
  /** Which kernel object this is. */
  readonly kind: 'system' | 'vm' | 'vcpu' | 'device';
  ioctl(request: number, arg?: unknown): number | KvmHandle;
}

/** The /dev/kvm handle. KVM_CREATE_VM returns a `KvmVmHandle`. */
export interface KvmSystemHandle extends KvmHandle {
  readonly kind: 'system';
  /** KVM_GET_API_VERSION (12). */
  getApiVersion(): number;
  /** KVM_CHECK_EXTENSION: 0 when absent, else 1 or the capability's value. */
  checkExtension(cap: number): number;
  /** KVM_CREATE_VM; ARM accepts machine type 0 only. */
  createVm(type?: number): KvmVmHandle;
  /** KVM_GET_VCPU_MMAP_SIZE. */
  getVcpuMmapSize(): number;
}

/** A VM. KVM_CREATE_VCPU returns a `KvmVcpuHandle`; KVM_CREATE_DEVICE a `KvmDeviceHandle`. */
export interface KvmVmHandle extends KvmHandle {
  readonly kind: 'vm';
  /** KVM_CHECK_EXTENSION on the VM. */
  checkExtension(cap: number): number;
  /** KVM_SET_USER_MEMORY_REGION (a size of 0 deletes the slot). */
  setUserMemoryRegion(region: KvmUserspaceMemoryRegion): void;
  /** KVM_CREATE_VCPU. */
  createVcpu(id: number): KvmVcpuHandle;
  /** KVM_CREATE_IRQCHIP. */
  createIrqchip(): void;
  /** KVM_CREATE_DEVICE: the new device (also put in `device.fd`), or null with KVM_CREATE_DEVICE_TEST. */
  createDevice(device: KvmCreateDevice): KvmDeviceHandle | null;
  /** KVM_ARM_SET_DEVICE_ADDR. */
  armSetDeviceAddr(addr: KvmArmDeviceAddr): void;
  /** KVM_IRQ_LINE with the kernel's irq encoding (type, vCPU, number). */
  irqLine(irq: number, level: boolean): void;
  /** KVM_ARM_PREFERRED_TARGET. */
  armPreferredTarget(): KvmVcpuInit;
}

/** A vCPU. Its `kvm_run` record is `run` (also `mmapRun()`), shared with the VMM like the C mapping. */
export interface KvmVcpuHandle extends KvmHandle {
  readonly kind: 'vcpu';
  /** The vCPU index given to KVM_CREATE_VCPU. */
  readonly id: number;
  /** The `kvm_run` record (the raw layer's view of exits). */
  readonly kvmRun: KvmRun;
  mmapRun(): KvmRun;
  /** What a signal to the vCPU thread does: a running or the next KVM_RUN returns -EINTR. */
  kick(): void;
  /** KVM_RUN: runs until something needs the VMM; a load's bytes from the last MMIO exit complete first. */
  run(): VcpuExit;
  /** KVM_ARM_VCPU_INIT (reset too). */
  armVcpuInit(init: KvmVcpuInit): void;
  /** KVM_GET_ONE_REG: the register's little-endian bytes into `bytes` (its exact size). */
  getOneReg(id: bigint, bytes: Uint8Array): void;
  /** KVM_SET_ONE_REG from `bytes` (the register's exact size). */
  setOneReg(id: bigint, bytes: Uint8Array): void;
  /** KVM_GET_REG_LIST: every id, in the kernel's order. */
  getRegList(): BigUint64Array;
  /** KVM_GET_MP_STATE (`KvmMpState`). */
  getMpState(): number;
  /** KVM_SET_MP_STATE: RUNNABLE or STOPPED. */
  setMpState(state: number): void;
  /** KVM_SET_GUEST_DEBUG (arm64's struct). */
  setGuestDebug(debug: KvmGuestDebug): void;
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
  /** KVM_SET_DEVICE_ATTR: the value from `attr.addr`. */
  setDeviceAttr(attr: KvmDeviceAttr): void;
  /** KVM_GET_DEVICE_ATTR: the value into `attr.addr`. */
  getDeviceAttr(attr: KvmDeviceAttr): void;
  /** KVM_HAS_DEVICE_ATTR: false where the kernel answers -ENXIO. */
  hasDeviceAttr(attr: KvmDeviceAttr): boolean;
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
  /**
   * Consumers of the vCPUs' trace events, as a kernel's tracepoints have (each given the vCPU's
   * index). `blocks` makes the CPUs step instructions one by one, so leave it unset unless wanted.
   */
  tracepoints?: KvmTracepoints;
}

/** Trace events of the vCPUs: exceptions the guest takes, blocks of code as they run. */
export interface KvmTracepoints {
  exception?: (vcpu: number, report: ExceptionReport) => void;
  blocks?: (vcpu: number, report: BlockReport) => void;
  /** A vCPU was reset (VCPU_INIT or PSCI CPU_ON). */
  reset?: (vcpu: number) => void;
}
