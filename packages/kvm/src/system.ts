/** The system handle (/dev/kvm): API version, capabilities, VM creation. */
import type { KvmHandle, KvmOptions, KvmSystemHandle, KvmVmHandle } from './handles.ts';
import { KvmError, negatedErrno } from './kvm-error.ts';
import {
  Errno,
  KVM_API_VERSION,
  KVM_CHECK_EXTENSION,
  KVM_CREATE_VM,
  KVM_GET_API_VERSION,
  KVM_GET_VCPU_MMAP_SIZE,
  KVM_MAX_VCPUS,
  KVM_RUN_MMAP_SIZE,
  KVM_USER_MEM_SLOTS,
  KvmCap,
  KVM_ARM_HW_BREAKPOINTS,
  KVM_ARM_HW_WATCHPOINTS,
} from './uapi.ts';

/** The answer of KVM_CHECK_EXTENSION for a capability: 0 when absent. */
export function checkExtension(cap: number): number {
  switch (cap) {
    case KvmCap.IRQCHIP:
    case KvmCap.USER_MEMORY:
    case KvmCap.MP_STATE:
    case KvmCap.ONE_REG:
    case KvmCap.ARM_PSCI:
    case KvmCap.ARM_PSCI_0_2:
    case KvmCap.ARM_SET_DEVICE_ADDR:
    case KvmCap.DEVICE_CTRL:
    case KvmCap.SYNC_MMU:
    case KvmCap.CHECK_EXTENSION_VM:
    case KvmCap.IMMEDIATE_EXIT:
    case KvmCap.SET_GUEST_DEBUG:
      return 1;
    case KvmCap.GUEST_DEBUG_HW_BPS:
      return KVM_ARM_HW_BREAKPOINTS;
    case KvmCap.GUEST_DEBUG_HW_WPS:
      return KVM_ARM_HW_WATCHPOINTS;
    case KvmCap.NR_VCPUS:
    case KvmCap.MAX_VCPUS:
      return KVM_MAX_VCPUS;
    case KvmCap.NR_MEMSLOTS:
      return KVM_USER_MEM_SLOTS;
    default:
      return 0;
  }
}

/** Creates a VM; supplied by the VM module so this file stays free of the VM's dependencies. */
export type VmFactory = (options: KvmOptions) => KvmVmHandle;

/** /dev/kvm. */
export class KvmSystem implements KvmSystemHandle {
  readonly kind = 'system' as const;
  readonly options: KvmOptions;
  private readonly newVm: VmFactory;

  constructor(options: KvmOptions, createVm: VmFactory) {
    this.options = options;
    this.newVm = createVm;
  }

  /** KVM_GET_API_VERSION. */
  getApiVersion(): number {
    return KVM_API_VERSION;
  }

  /** KVM_CHECK_EXTENSION. */
  checkExtension(cap: number): number {
    return checkExtension(cap);
  }

  /** KVM_CREATE_VM: ARM32 KVM accepts machine type 0 only. */
  createVm(type = 0): KvmVmHandle {
    if (type !== 0) throw new KvmError('KVM_CREATE_VM', Errno.EINVAL);
    return this.newVm(this.options);
  }

  /** KVM_GET_VCPU_MMAP_SIZE. */
  getVcpuMmapSize(): number {
    return KVM_RUN_MMAP_SIZE;
  }

  /** The seed's ioctl over the typed calls; a KvmError becomes -errno. */
  ioctl(request: number, arg?: unknown): number | KvmHandle {
    try {
      switch (request) {
        case KVM_GET_API_VERSION:
          return this.getApiVersion();
        case KVM_CHECK_EXTENSION:
          return this.checkExtension(Number(arg ?? -1));
        case KVM_GET_VCPU_MMAP_SIZE:
          return this.getVcpuMmapSize();
        case KVM_CREATE_VM:
          return this.createVm(arg === undefined ? 0 : Number(arg));
        default:
          return -Errno.ENOTTY;
      }
    } catch (e) {
      return negatedErrno(e);
    }
  }
}
