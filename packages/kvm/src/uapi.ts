/**
 * The kernel's userspace API for KVM on 32-bit ARM: ioctl numbers, capabilities, exit reasons,
 * ONE_REG id encoding, targets and features, device addresses, IRQ-line encoding, PSCI and errno
 * values. Numbers are the kernel's (include/uapi/linux/kvm.h, arch/arm/include/uapi/asm/kvm.h,
 * include/uapi/linux/psci.h); a VMM written against these names works against a real /dev/kvm.
 */

/** Linux errno values (positive); ioctls return them negated. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
  ENOTTY: 25,
  ENOBUFS: 105,
} as const;

// ioctl request numbers: dir<<30 | size<<16 | 0xAE<<8 | nr (asm-generic encoding).
/** System: the API version (always 12). */
export const KVM_GET_API_VERSION = 0x0000ae00;
/** System: create a VM; returns its handle. */
export const KVM_CREATE_VM = 0x0000ae01;
/** System (and VM): is a capability present. */
export const KVM_CHECK_EXTENSION = 0x0000ae03;
/** System: size of the vCPU's kvm_run mapping. */
export const KVM_GET_VCPU_MMAP_SIZE = 0x0000ae04;
/** VM: create vCPU number `arg`; returns its handle. */
export const KVM_CREATE_VCPU = 0x0000ae41;
/** VM: add, move or delete a memory slot. */
export const KVM_SET_USER_MEMORY_REGION = 0x4020ae46;
/** VM: create the in-kernel interrupt controller (a VGICv2 on ARM). */
export const KVM_CREATE_IRQCHIP = 0x0000ae60;
/** VM: raise or lower an interrupt line (ARM encoding of `irq`). */
export const KVM_IRQ_LINE = 0x4008ae61;
/** vCPU: run until an exit. */
export const KVM_RUN = 0x0000ae80;
/** vCPU: read the MP state. */
export const KVM_GET_MP_STATE = 0x8004ae98;
/** vCPU: write the MP state. */
export const KVM_SET_MP_STATE = 0x4004ae99;
/**
 * vCPU: guest debugging, _IOW(KVMIO, 0x9b, struct kvm_guest_debug). 32-bit ARM KVM never had it
 * (its empty `kvm_guest_debug_arch` made the number 0x4008ae9b); the struct taken here is arm64's,
 * whose debug registers carry hardware breakpoints and watchpoints, so the number is arm64's too.
 */
export const KVM_SET_GUEST_DEBUG = 0x4208ae9b;

/** `kvm_guest_debug.control` bits (the generic ones and arm64's). */
export const KVM_GUESTDBG_ENABLE = 0x00000001;
export const KVM_GUESTDBG_SINGLESTEP = 0x00000002;
export const KVM_GUESTDBG_USE_SW_BP = 0x00010000;
export const KVM_GUESTDBG_USE_HW = 0x00020000;
/** Every control bit ARM's KVM accepts; any other bit is -EINVAL. */
export const KVM_GUESTDBG_VALID_MASK =
  KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW;
/** Debug register pairs in `kvm_guest_debug_arch` (KVM_ARM_MAX_DBG_REGS). */
export const KVM_ARM_MAX_DBG_REGS = 16;
/** Hardware breakpoints and watchpoints of the Cortex-A15 (DBGDIDR.BRPs + 1, .WRPs + 1). */
export const KVM_ARM_HW_BREAKPOINTS = 6;
export const KVM_ARM_HW_WATCHPOINTS = 4;

/**
 * `struct kvm_guest_debug`: control bits and, with KVM_GUESTDBG_USE_HW, the debug registers
 * (DBGBCRn/DBGBVRn for breakpoints, DBGWCRn/DBGWVRn for watchpoints, in the architecture's format).
 */
export interface KvmGuestDebug {
  control: number;
  arch?: {
    dbg_bcr: ArrayLike<bigint | number>;
    dbg_bvr: ArrayLike<bigint | number>;
    dbg_wcr: ArrayLike<bigint | number>;
    dbg_wvr: ArrayLike<bigint | number>;
  };
}

/** Exception classes of `kvm_run.debug.arch.hsr` (ESR_ELx.EC, bits 31:26) for a debug exit. */
export const KvmDebugExceptionClass = {
  /** A hardware breakpoint. */
  BREAKPT_LOW: 0x30,
  /** A single step done. */
  SOFTSTP_LOW: 0x32,
  /** A watchpoint. */
  WATCHPT_LOW: 0x34,
  /** A BKPT instruction (AArch32). */
  BKPT32: 0x38,
} as const;
/** Where the exception class sits in `hsr`. */
export const ESR_ELX_EC_SHIFT = 26;
/** Watchpoint syndrome: the access was a write (ISS.WnR). */
export const ESR_ELX_WNR = 1 << 6;
/** VM: place a device (VGIC distributor or CPU interface). Same number as KVM_GET_ONE_REG. */
export const KVM_ARM_SET_DEVICE_ADDR = 0x4010aeab;
/** vCPU: read one register. Same number as KVM_ARM_SET_DEVICE_ADDR (told apart by the handle). */
export const KVM_GET_ONE_REG = 0x4010aeab;
/** vCPU: write one register. */
export const KVM_SET_ONE_REG = 0x4010aeac;
/** vCPU: choose target and features and reset. */
export const KVM_ARM_VCPU_INIT = 0x4020aeae;
/** VM: the target the host prefers. */
export const KVM_ARM_PREFERRED_TARGET = 0x8020aeaf;
/** vCPU: the list of register ids. */
export const KVM_GET_REG_LIST = 0xc008aeb0;
/** VM: create a device (VGICv2); returns its handle. */
export const KVM_CREATE_DEVICE = 0xc00caee0;
/** Device: write an attribute. */
export const KVM_SET_DEVICE_ATTR = 0x4018aee1;
/** Device: read an attribute. */
export const KVM_GET_DEVICE_ATTR = 0x4018aee2;
/** Device: does an attribute exist. */
export const KVM_HAS_DEVICE_ATTR = 0x4018aee3;

/** What KVM_GET_API_VERSION returns. */
export const KVM_API_VERSION = 12;

/** Capability numbers for KVM_CHECK_EXTENSION. */
export const KvmCap = {
  IRQCHIP: 0,
  HLT: 1,
  USER_MEMORY: 3,
  SET_TSS_ADDR: 4,
  NR_VCPUS: 9,
  NR_MEMSLOTS: 10,
  MP_STATE: 14,
  COALESCED_MMIO: 15,
  SYNC_MMU: 16,
  IOEVENTFD: 36,
  SET_GUEST_DEBUG: 23,
  IRQFD: 32,
  MAX_VCPUS: 66,
  ONE_REG: 70,
  READONLY_MEM: 81,
  IRQFD_RESAMPLE: 82,
  ARM_PSCI: 87,
  ARM_SET_DEVICE_ADDR: 88,
  DEVICE_CTRL: 89,
  IRQ_MPIC: 90,
  ARM_EL1_32BIT: 93,
  ARM_PSCI_0_2: 102,
  CHECK_EXTENSION_VM: 105,
  GUEST_DEBUG_HW_BPS: 119,
  GUEST_DEBUG_HW_WPS: 120,
  ARM_PMU_V3: 126,
  IMMEDIATE_EXIT: 136,
  ARM_USER_IRQ: 133,
} as const;

/** `kvm_run.exit_reason` values. */
export const KvmExit = {
  UNKNOWN: 0,
  EXCEPTION: 1,
  IO: 2,
  HYPERCALL: 3,
  DEBUG: 4,
  HLT: 5,
  MMIO: 6,
  IRQ_WINDOW_OPEN: 7,
  SHUTDOWN: 8,
  FAIL_ENTRY: 9,
  INTR: 10,
  SET_TPR: 11,
  TPR_ACCESS: 12,
  NMI: 16,
  INTERNAL_ERROR: 17,
  SYSTEM_EVENT: 24,
} as const;

/** `kvm_run.internal.suberror` values. */
export const KvmInternalError = {
  EMULATION: 1,
  SIMUL_EX: 2,
  DELIVERY_EV: 3,
  UNEXPECTED_EXIT_REASON: 4,
} as const;

/** `kvm_run.system_event.type` values. */
export const KvmSystemEvent = {
  SHUTDOWN: 1,
  RESET: 2,
  CRASH: 3,
} as const;

/** MP states; ARM accepts RUNNABLE and STOPPED only. */
export const KvmMpState = {
  RUNNABLE: 0,
  UNINITIALIZED: 1,
  INIT_RECEIVED: 2,
  HALTED: 3,
  SIPI_RECEIVED: 4,
  STOPPED: 5,
} as const;

/** Size of the vCPU's kvm_run mapping (one page), as KVM_GET_VCPU_MMAP_SIZE reports. */
export const KVM_RUN_MMAP_SIZE = 4096;

// ---- ONE_REG id encoding --------------------------------------------------------------------

/** Architecture field of a register id. */
export const KVM_REG_ARCH_MASK = 0xff00000000000000n;
/** 32-bit ARM. */
export const KVM_REG_ARM = 0x4000000000000000n;
/** 64-bit ARM (rejected here). */
export const KVM_REG_ARM64 = 0x6000000000000000n;
/** Size field: size in bytes is 1 << field. */
export const KVM_REG_SIZE_SHIFT = 52n;
/** Size field mask. */
export const KVM_REG_SIZE_MASK = 0x00f0000000000000n;
/** Register sizes. */
export const KVM_REG_SIZE_U8 = 0x0000000000000000n;
export const KVM_REG_SIZE_U16 = 0x0010000000000000n;
export const KVM_REG_SIZE_U32 = 0x0020000000000000n;
export const KVM_REG_SIZE_U64 = 0x0030000000000000n;
export const KVM_REG_SIZE_U128 = 0x0040000000000000n;

/** Coprocessor field (15 = cp15; 16..18 are KVM's pseudo-coprocessors). */
export const KVM_REG_ARM_COPROC_MASK = 0x000000000fff0000n;
export const KVM_REG_ARM_COPROC_SHIFT = 16n;
export const KVM_REG_ARM_32_OPC2_MASK = 0x0000000000000007n;
export const KVM_REG_ARM_32_OPC2_SHIFT = 0n;
export const KVM_REG_ARM_OPC1_MASK = 0x0000000000000078n;
export const KVM_REG_ARM_OPC1_SHIFT = 3n;
export const KVM_REG_ARM_CRM_MASK = 0x0000000000000780n;
export const KVM_REG_ARM_CRM_SHIFT = 7n;
export const KVM_REG_ARM_32_CRN_MASK = 0x0000000000007800n;
export const KVM_REG_ARM_32_CRN_SHIFT = 11n;
/** cp15 registers. */
export const KVM_REG_ARM_CP15 = 15n << 16n;
/** Core registers: index into `struct kvm_regs` in words. */
export const KVM_REG_ARM_CORE = 0x0010n << 16n;
/** Demultiplexed registers (CCSIDR by CSSELR). */
export const KVM_REG_ARM_DEMUX = 0x0011n << 16n;
export const KVM_REG_ARM_DEMUX_ID_MASK = 0x000000000000ff00n;
export const KVM_REG_ARM_DEMUX_ID_SHIFT = 8n;
export const KVM_REG_ARM_DEMUX_ID_CCSIDR = 0x00n << 8n;
export const KVM_REG_ARM_DEMUX_VAL_MASK = 0x00000000000000ffn;
export const KVM_REG_ARM_DEMUX_VAL_SHIFT = 0n;
/** VFP registers: D0-D31 by number, control registers from 0x1000. */
export const KVM_REG_ARM_VFP = 0x0012n << 16n;
export const KVM_REG_ARM_VFP_MASK = 0x000000000000ffffn;
export const KVM_REG_ARM_VFP_BASE_REG = 0x0n;
export const KVM_REG_ARM_VFP_FPSID = 0x1000n;
export const KVM_REG_ARM_VFP_FPSCR = 0x1001n;
export const KVM_REG_ARM_VFP_MVFR1 = 0x1006n;
export const KVM_REG_ARM_VFP_MVFR0 = 0x1007n;
export const KVM_REG_ARM_VFP_FPEXC = 0x1008n;
export const KVM_REG_ARM_VFP_FPINST = 0x1009n;
export const KVM_REG_ARM_VFP_FPINST2 = 0x100an;

/** Size in bytes of the register an id names. */
export function kvmRegSize(id: bigint): number {
  return 1 << Number((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
}

/** Id of core register `index` (a word offset into `struct kvm_regs`). */
export function coreRegId(index: number): bigint {
  return KVM_REG_ARM | KVM_REG_SIZE_U32 | KVM_REG_ARM_CORE | BigInt(index);
}

/** Id of a 32-bit cp15 register (`MRC p15, opc1, rt, crn, crm, opc2`). */
export function cp15Reg32Id(crn: number, crm: number, opc1: number, opc2: number): bigint {
  return (
    KVM_REG_ARM |
    KVM_REG_SIZE_U32 |
    KVM_REG_ARM_CP15 |
    (BigInt(crn) << KVM_REG_ARM_32_CRN_SHIFT) |
    (BigInt(crm) << KVM_REG_ARM_CRM_SHIFT) |
    (BigInt(opc1) << KVM_REG_ARM_OPC1_SHIFT) |
    (BigInt(opc2) << KVM_REG_ARM_32_OPC2_SHIFT)
  );
}

/** Id of a 64-bit cp15 register (`MRRC p15, opc1, rt, rt2, crm`). */
export function cp15Reg64Id(crm: number, opc1: number): bigint {
  return (
    KVM_REG_ARM |
    KVM_REG_SIZE_U64 |
    KVM_REG_ARM_CP15 |
    (BigInt(crm) << KVM_REG_ARM_CRM_SHIFT) |
    (BigInt(opc1) << KVM_REG_ARM_OPC1_SHIFT)
  );
}

/** Id of VFP D register `n`. */
export function vfpDRegId(n: number): bigint {
  return KVM_REG_ARM | KVM_REG_SIZE_U64 | KVM_REG_ARM_VFP | BigInt(n);
}

/** Id of a VFP control register (`KVM_REG_ARM_VFP_*`). */
export function vfpControlId(reg: bigint): bigint {
  return KVM_REG_ARM | KVM_REG_SIZE_U32 | KVM_REG_ARM_VFP | reg;
}

/** Id of CCSIDR for CSSELR value `csselr`. */
export function ccsidrId(csselr: number): bigint {
  return KVM_REG_ARM | KVM_REG_SIZE_U32 | KVM_REG_ARM_DEMUX | KVM_REG_ARM_DEMUX_ID_CCSIDR | BigInt(csselr);
}

/** Word offsets into `struct kvm_regs` (usr_regs = pt_regs, then the banked modes). */
export const KvmRegsIndex = {
  /** usr_regs.uregs[0..14]: R0..R14 of USR/SYS (R8..R12 the non-FIQ copies). */
  R0: 0,
  PC: 15,
  CPSR: 16,
  ORIG_R0: 17,
  SVC_SP: 18,
  SVC_LR: 19,
  SVC_SPSR: 20,
  ABT_SP: 21,
  ABT_LR: 22,
  ABT_SPSR: 23,
  UND_SP: 24,
  UND_LR: 25,
  UND_SPSR: 26,
  IRQ_SP: 27,
  IRQ_LR: 28,
  IRQ_SPSR: 29,
  /** fiq_regs[0..4]: R8..R12 of FIQ, then SP, LR, SPSR. */
  FIQ_R8: 30,
  FIQ_SP: 35,
  FIQ_LR: 36,
  FIQ_SPSR: 37,
  /** Words in `struct kvm_regs`. */
  COUNT: 38,
} as const;

/** Named ids the VMM uses. */
export const KvmRegId = {
  CPSR: coreRegId(KvmRegsIndex.CPSR),
  PC: coreRegId(KvmRegsIndex.PC),
  MIDR: cp15Reg32Id(0, 0, 0, 0),
  MPIDR: cp15Reg32Id(0, 0, 0, 5),
  CLIDR: cp15Reg32Id(0, 0, 1, 1),
  CSSELR: cp15Reg32Id(0, 0, 2, 0),
  SCTLR: cp15Reg32Id(1, 0, 0, 0),
  CPACR: cp15Reg32Id(1, 0, 0, 2),
  TTBCR: cp15Reg32Id(2, 0, 0, 2),
  DACR: cp15Reg32Id(3, 0, 0, 0),
  VBAR: cp15Reg32Id(12, 0, 0, 0),
  TTBR0: cp15Reg64Id(2, 0),
  TTBR1: cp15Reg64Id(2, 1),
  PAR: cp15Reg64Id(7, 0),
  TIMER_CTL: cp15Reg32Id(14, 3, 0, 1),
  TIMER_CNT: cp15Reg64Id(14, 1),
  TIMER_CVAL: cp15Reg64Id(14, 3),
  FPSID: vfpControlId(KVM_REG_ARM_VFP_FPSID),
  FPSCR: vfpControlId(KVM_REG_ARM_VFP_FPSCR),
  MVFR1: vfpControlId(KVM_REG_ARM_VFP_MVFR1),
  MVFR0: vfpControlId(KVM_REG_ARM_VFP_MVFR0),
  FPEXC: vfpControlId(KVM_REG_ARM_VFP_FPEXC),
  FPINST: vfpControlId(KVM_REG_ARM_VFP_FPINST),
  FPINST2: vfpControlId(KVM_REG_ARM_VFP_FPINST2),
} as const;

// ---- vCPU init --------------------------------------------------------------------------------

/** `kvm_vcpu_init.target` values. */
export const KvmArmTarget = {
  CORTEX_A15: 0,
  CORTEX_A7: 1,
} as const;
/** Number of targets the kernel knows. */
export const KVM_ARM_NUM_TARGETS = 2;

/** Feature bit numbers in `kvm_vcpu_init.features[0]` (the ARM32 header's numbering). */
export const KvmArmVcpuFeature = {
  POWER_OFF: 0,
  PSCI_0_2: 1,
} as const;

// ---- device addresses and irqchip --------------------------------------------------------------

export const KVM_ARM_DEVICE_TYPE_SHIFT = 0;
export const KVM_ARM_DEVICE_TYPE_MASK = 0xffff;
export const KVM_ARM_DEVICE_ID_SHIFT = 16;
export const KVM_ARM_DEVICE_ID_MASK = 0xffff << 16;
/** Device id of the VGICv2 in KVM_ARM_SET_DEVICE_ADDR. */
export const KVM_ARM_DEVICE_VGIC_V2 = 0;
/** Address types of the VGICv2. */
export const KVM_VGIC_V2_ADDR_TYPE_DIST = 0;
export const KVM_VGIC_V2_ADDR_TYPE_CPU = 1;
/** Sizes of the VGICv2 windows. */
export const KVM_VGIC_V2_DIST_SIZE = 0x1000;
export const KVM_VGIC_V2_CPU_SIZE = 0x2000;
/** The guest physical address space is 40 bits (LPAE). */
export const KVM_PHYS_SHIFT = 40;
export const KVM_PHYS_MASK = (1n << 40n) - 1n;

/** `id` for KVM_ARM_SET_DEVICE_ADDR. */
export function armDeviceAddrId(device: number, type: number): bigint {
  return BigInt(((device << KVM_ARM_DEVICE_ID_SHIFT) | type) >>> 0);
}

/** Device types for KVM_CREATE_DEVICE. */
export const KvmDevType = {
  FSL_MPIC_20: 1,
  FSL_MPIC_42: 2,
  XICS: 3,
  VFIO: 4,
  ARM_VGIC_V2: 5,
  FLIC: 6,
  ARM_VGIC_V3: 7,
  ARM_VGIC_ITS: 8,
} as const;
/** `kvm_create_device.flags`: only test whether the type exists. */
export const KVM_CREATE_DEVICE_TEST = 1;

/** Attribute groups of the VGICv2 device. */
export const KvmVgicGroup = {
  ADDR: 0,
  DIST_REGS: 1,
  CPU_REGS: 2,
  NR_IRQS: 3,
  CTRL: 4,
} as const;
export const KVM_DEV_ARM_VGIC_CTRL_INIT = 0;

/** KVM_IRQ_LINE `irq` encoding: type<<24 | vcpu<<16 | number. */
export const KVM_ARM_IRQ_TYPE_SHIFT = 24;
export const KVM_ARM_IRQ_TYPE_MASK = 0xff;
export const KVM_ARM_IRQ_VCPU_SHIFT = 16;
export const KVM_ARM_IRQ_VCPU_MASK = 0xff;
export const KVM_ARM_IRQ_NUM_SHIFT = 0;
export const KVM_ARM_IRQ_NUM_MASK = 0xffff;
export const KvmArmIrqType = {
  /** A line of the vCPU itself (no in-kernel irqchip): number 0 = IRQ, 1 = FIQ. */
  CPU: 0,
  SPI: 1,
  PPI: 2,
} as const;
export const KVM_ARM_IRQ_CPU_IRQ = 0;
export const KVM_ARM_IRQ_CPU_FIQ = 1;
/** Highest SPI INTID the VGIC of this era accepts (the kernel's KVM_ARM_IRQ_GIC_MAX). */
export const KVM_ARM_IRQ_GIC_MAX = 127;

/** Builds the `irq` field of `kvm_irq_level`. */
export function armIrq(type: number, vcpu: number, num: number): number {
  return ((type << KVM_ARM_IRQ_TYPE_SHIFT) | (vcpu << KVM_ARM_IRQ_VCPU_SHIFT) | num) >>> 0;
}

/** `kvm_userspace_memory_region.flags`. */
export const KVM_MEM_LOG_DIRTY_PAGES = 1;
export const KVM_MEM_READONLY = 2;
/** Memory slots a VM has. */
export const KVM_USER_MEM_SLOTS = 32;
/** vCPUs a VM may have (the VGICv2's limit). */
export const KVM_MAX_VCPUS = 8;

// ---- PSCI -------------------------------------------------------------------------------------

/** KVM's own PSCI 0.1 function ids (used when the vCPU lacks the PSCI_0_2 feature). */
export const KvmPsciFn = {
  BASE: 0x95c1ba5e,
  CPU_SUSPEND: 0x95c1ba5e,
  CPU_OFF: 0x95c1ba5f,
  CPU_ON: 0x95c1ba60,
  MIGRATE: 0x95c1ba61,
} as const;

/** PSCI 0.2+ function ids (SMC32 calling convention). */
export const PsciFn = {
  VERSION: 0x84000000,
  CPU_SUSPEND: 0x84000001,
  CPU_OFF: 0x84000002,
  CPU_ON: 0x84000003,
  AFFINITY_INFO: 0x84000004,
  MIGRATE: 0x84000005,
  MIGRATE_INFO_TYPE: 0x84000006,
  MIGRATE_INFO_UP_CPU: 0x84000007,
  SYSTEM_OFF: 0x84000008,
  SYSTEM_RESET: 0x84000009,
  FEATURES: 0x8400000a,
} as const;

/** PSCI return codes (as signed 32-bit values). */
export const PsciRet = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMS: -2,
  DENIED: -3,
  ALREADY_ON: -4,
  ON_PENDING: -5,
  INTERNAL_FAILURE: -6,
  NOT_PRESENT: -7,
  DISABLED: -8,
  INVALID_ADDRESS: -9,
} as const;

/** AFFINITY_INFO answers. */
export const PsciAffinity = {
  ON: 0,
  OFF: 1,
  ON_PENDING: 2,
} as const;

/** PSCI version word: major<<16 | minor. */
export const PSCI_VERSION_0_2 = 0x00000002;
export const PSCI_VERSION_1_0 = 0x00010000;

// ---- ioctl argument shapes ---------------------------------------------------------------------

/** `struct kvm_vcpu_init`: target and seven feature words. */
export interface KvmVcpuInit {
  target: number;
  features: number[] | Uint32Array;
}

/** `struct kvm_reg_list`: `n` in and out; `reg` receives the ids. */
export interface KvmRegList {
  n: bigint;
  reg: BigUint64Array;
}

/** `struct kvm_one_reg`: the id and the register's little-endian bytes ("user memory"). */
export interface KvmOneReg {
  id: bigint;
  addr: Uint8Array;
}

/** `struct kvm_arm_device_addr`. */
export interface KvmArmDeviceAddr {
  id: bigint;
  addr: bigint;
}

/** `struct kvm_irq_level`. */
export interface KvmIrqLevel {
  irq: number;
  level: number;
}

/** `struct kvm_userspace_memory_region`; the VMM's memory is the buffer itself. */
export interface KvmUserspaceMemoryRegion {
  slot: number;
  flags: number;
  guest_phys_addr: bigint;
  /** 0 deletes the slot. */
  memory_size: bigint;
  /** The memory: the slot covers `memory_size` bytes from `userspace_offset` (default 0). */
  userspace_addr: ArrayBuffer | SharedArrayBuffer | Uint8Array;
  userspace_offset?: number;
}

/** `struct kvm_mp_state`. */
export interface KvmMpStateArg {
  mp_state: number;
}

/** `struct kvm_create_device`: `fd` receives the device handle. */
export interface KvmCreateDevice {
  type: number;
  fd?: unknown;
  flags: number;
}

/** `struct kvm_device_attr`; `addr` is the user memory the value is read from or written to. */
export interface KvmDeviceAttr {
  flags: number;
  group: number;
  attr: bigint;
  addr: Uint8Array;
}

// ---- kvm_run -----------------------------------------------------------------------------------

/** `kvm_run.mmio`. */
export interface KvmRunMmio {
  phys_addr: bigint;
  /** The bytes stored, or the bytes the VMM fills for a load. */
  data: Uint8Array;
  len: number;
  /** 1 for a store. */
  is_write: number;
}

/** `kvm_run.system_event`. */
export interface KvmRunSystemEvent {
  type: number;
  flags: bigint;
}

/** `kvm_run.internal`. */
export interface KvmRunInternal {
  suberror: number;
  /** Extra words; `reason` is this implementation's explanation in words. */
  data: number[];
  reason: string;
}

/** `kvm_run.fail_entry`. */
export interface KvmRunFailEntry {
  hardware_entry_failure_reason: bigint;
}

/** `kvm_run.debug.arch` (arm64's `struct kvm_debug_exit_arch`). */
export interface KvmRunDebug {
  /** The syndrome: `KvmDebugExceptionClass` << 26, with WnR for a watchpoint. */
  hsr: number;
  /** The data address of a watchpoint hit. */
  far: bigint;
  /** Where the vCPU stands (not in the kernel's struct; the PC is also in the core registers). */
  pc: number;
}

/** The shared `struct kvm_run` record of a vCPU (what mmap of the vCPU fd gives in C). */
export interface KvmRun {
  /** In: the VMM asks KVM_RUN to return -EINTR at once. */
  immediate_exit: number;
  /** In: unused on ARM. */
  request_interrupt_window: number;
  /** Out: why KVM_RUN returned (`KvmExit`). */
  exit_reason: number;
  ready_for_interrupt_injection: number;
  if_flag: number;
  flags: number;
  mmio: KvmRunMmio;
  system_event: KvmRunSystemEvent;
  internal: KvmRunInternal;
  fail_entry: KvmRunFailEntry;
  debug: { arch: KvmRunDebug };
}

/** A fresh kvm_run record. */
export function newKvmRun(): KvmRun {
  return {
    immediate_exit: 0,
    request_interrupt_window: 0,
    exit_reason: KvmExit.UNKNOWN,
    ready_for_interrupt_injection: 0,
    if_flag: 0,
    flags: 0,
    mmio: { phys_addr: 0n, data: new Uint8Array(8), len: 0, is_write: 0 },
    system_event: { type: 0, flags: 0n },
    internal: { suberror: 0, data: [], reason: '' },
    fail_entry: { hardware_entry_failure_reason: 0n },
    debug: { arch: { hsr: 0, far: 0n, pc: 0 } },
  };
}
