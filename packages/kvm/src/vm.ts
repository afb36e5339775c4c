/** A VM: memory slots, vCPUs, the in-kernel VGIC and the state its vCPUs share. */
import type { KvmHandle, KvmOptions, KvmTracepoints, KvmVmHandle } from './handles.ts';
import { checkExtension } from './system.ts';
import {
  Errno,
  KVM_ARM_DEVICE_ID_MASK,
  KVM_ARM_DEVICE_ID_SHIFT,
  KVM_ARM_DEVICE_TYPE_MASK,
  KVM_ARM_DEVICE_VGIC_V2,
  KVM_ARM_IRQ_NUM_MASK,
  KVM_ARM_IRQ_TYPE_MASK,
  KVM_ARM_IRQ_TYPE_SHIFT,
  KVM_ARM_IRQ_VCPU_MASK,
  KVM_ARM_IRQ_VCPU_SHIFT,
  KVM_ARM_IRQ_CPU_FIQ,
  KVM_ARM_PREFERRED_TARGET,
  KVM_ARM_SET_DEVICE_ADDR,
  KVM_CHECK_EXTENSION,
  KVM_CREATE_DEVICE,
  KVM_CREATE_DEVICE_TEST,
  KVM_CREATE_IRQCHIP,
  KVM_CREATE_VCPU,
  KVM_IRQ_LINE,
  KVM_MAX_VCPUS,
  KVM_PHYS_MASK,
  KVM_SET_USER_MEMORY_REGION,
  KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST,
  KVM_VGIC_V2_CPU_SIZE,
  KVM_VGIC_V2_DIST_SIZE,
  KvmArmIrqType,
  KvmArmTarget,
  type KvmArmDeviceAddr,
  type KvmCreateDevice,
  KvmDevType,
  type KvmIrqLevel,
  type KvmUserspaceMemoryRegion,
  type KvmVcpuInit,
} from './uapi.ts';
import { KvmVgicDevice } from './device.ts';
import { GuestMemory } from './memory.ts';
import { KvmVcpu } from './vcpu.ts';
import { VGIC_NR_PRIVATE_IRQS, VGIC_NR_SGIS, Vgic } from './vgic.ts';

/** Default CNTFRQ: QEMU's 62.5 MHz. */
export const DEFAULT_TIMER_FREQUENCY = 62_500_000;

/** Host monotonic time in counter ticks at `frequency`. */
export function hostClock(frequency: number): () => bigint {
  const f = BigInt(frequency);
  return () => (process.hrtime.bigint() * f) / 1_000_000_000n;
}

/** A bounded real sleep that blocks the thread (what a vCPU thread does in the kernel). */
function realSleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ms, 1000));
}

/** A VM handle. KVM_CREATE_VCPU returns a `KvmVcpu`. */
export class KvmVm implements KvmVmHandle {
  readonly kind = 'vm' as const;
  readonly memory = new GuestMemory();
  readonly vcpus: KvmVcpu[] = [];
  vgic: Vgic | null = null;
  /** VGIC window bases set by KVM_ARM_SET_DEVICE_ADDR (null until set). */
  distBase: number | null = null;
  cpuBase: number | null = null;
  /** Set by the first KVM_RUN: the VGIC is initialised and its layout fixed. */
  started = false;
  /** KVM_DEV_ARM_VGIC_CTRL_INIT was written (the number of interrupts is fixed). */
  vgicInitialized = false;
  readonly hostTarget: number;
  readonly clock: () => bigint;
  readonly frequency: number;
  /** CNTVOFF, shared by every vCPU (the virtual count starts at 0 when the VM is created). */
  cntvoff: bigint;
  readonly timeSlice: number;
  readonly maxWfiSleepMs: number;
  readonly maxRunMs: number;
  readonly sleep: (ms: number) => void;
  /** Where the vCPUs' trace events go, if anywhere. */
  readonly tracepoints: KvmTracepoints | undefined;

  constructor(options: KvmOptions) {
    this.hostTarget = options.hostTarget ?? KvmArmTarget.CORTEX_A15;
    this.frequency = options.timerFrequency ?? DEFAULT_TIMER_FREQUENCY;
    this.clock = options.clock ?? hostClock(this.frequency);
    this.cntvoff = this.clock();
    this.timeSlice = options.timeSlice ?? 20_000;
    this.maxWfiSleepMs = options.maxWfiSleepMs ?? 10;
    this.maxRunMs = options.maxRunMs ?? 0;
    this.sleep = options.sleep ?? realSleep;
    this.tracepoints = options.tracepoints;
  }

  ioctl(request: number, arg?: unknown): number | KvmHandle {
    switch (request) {
      case KVM_CHECK_EXTENSION:
        return checkExtension(Number(arg ?? -1));
      case KVM_SET_USER_MEMORY_REGION:
        return this.memory.setRegion(arg as KvmUserspaceMemoryRegion);
      case KVM_CREATE_VCPU:
        return this.createVcpu(Number(arg));
      case KVM_CREATE_IRQCHIP:
        return this.createIrqchip();
      case KVM_CREATE_DEVICE:
        return this.createDevice(arg as KvmCreateDevice);
      case KVM_ARM_SET_DEVICE_ADDR:
        return this.setDeviceAddr(arg as KvmArmDeviceAddr);
      case KVM_IRQ_LINE:
        return this.irqLine(arg as KvmIrqLevel);
      case KVM_ARM_PREFERRED_TARGET: {
        const a = arg as KvmVcpuInit;
        if (typeof a !== 'object' || a === null) return -Errno.EFAULT;
        a.target = this.hostTarget;
        a.features = [0, 0, 0, 0, 0, 0, 0]; // the kernel reports no features
        return 0;
      }
      default:
        return -Errno.ENOTTY;
    }
  }

  private createVcpu(id: number): number | KvmVcpu {
    if (!Number.isInteger(id) || id < 0 || id >= KVM_MAX_VCPUS) return -Errno.EINVAL;
    if (this.vcpus.length >= KVM_MAX_VCPUS) return -Errno.EINVAL;
    if (this.vcpus.some((v) => v.id === id)) return -Errno.EEXIST;
    if (this.vgic && this.started) return -Errno.EBUSY; // the VGIC is sized at the first run
    const vcpu = new KvmVcpu(this, id, this.vcpus.length);
    this.vcpus.push(vcpu);
    this.vgic?.addCpu();
    return vcpu;
  }

  private createIrqchip(): number {
    if (this.vgic) return -Errno.EEXIST;
    if (this.started) return -Errno.EBUSY;
    const vgic = new Vgic();
    for (let i = 0; i < this.vcpus.length; i++) vgic.addCpu();
    vgic.onIrqLevel = (cpu, level) => this.vcpus[cpu]?.cpu.setIrq(level);
    this.vgic = vgic;
    return 0;
  }

  /** KVM_CREATE_DEVICE: only the VGICv2; `fd` receives the device handle. */
  private createDevice(arg: KvmCreateDevice): number {
    if (typeof arg !== 'object' || arg === null) return -Errno.EFAULT;
    if (arg.type !== KvmDevType.ARM_VGIC_V2) return -Errno.ENODEV;
    if (arg.flags & KVM_CREATE_DEVICE_TEST) return 0;
    const r = this.createIrqchip();
    if (r < 0) return r;
    arg.fd = new KvmVgicDevice(this);
    return 0;
  }

  private setDeviceAddr(arg: KvmArmDeviceAddr): number {
    if (typeof arg !== 'object' || arg === null || typeof arg.id !== 'bigint' || typeof arg.addr !== 'bigint')
      return -Errno.EFAULT;
    const id = Number(arg.id & 0xffffffffn);
    const device = (id & KVM_ARM_DEVICE_ID_MASK) >>> KVM_ARM_DEVICE_ID_SHIFT;
    const type = id & KVM_ARM_DEVICE_TYPE_MASK;
    if (device !== KVM_ARM_DEVICE_VGIC_V2) return -Errno.ENODEV;
    if (!this.vgic) return -Errno.ENXIO;
    return this.placeVgic(type, arg.addr);
  }

  /** Places a VGIC window with the kernel's checks (vgic_ioaddr_assign). */
  placeVgic(type: number, addr: bigint): number {
    if (this.started) return -Errno.EBUSY;
    if (type !== KVM_VGIC_V2_ADDR_TYPE_DIST && type !== KVM_VGIC_V2_ADDR_TYPE_CPU) return -Errno.ENODEV;
    if (addr & ~KVM_PHYS_MASK) return -Errno.E2BIG;
    if (addr & 0xfffn) return -Errno.EINVAL;
    const isDist = type === KVM_VGIC_V2_ADDR_TYPE_DIST;
    if ((isDist ? this.distBase : this.cpuBase) !== null) return -Errno.EEXIST;
    const base = Number(addr);
    const other = isDist ? this.cpuBase : this.distBase;
    if (other !== null) {
      const [d, c] = isDist ? [base, other] : [other, base];
      if (d < c + KVM_VGIC_V2_CPU_SIZE && c < d + KVM_VGIC_V2_DIST_SIZE) return -Errno.EBUSY;
    }
    if (isDist) this.distBase = base;
    else this.cpuBase = base;
    return 0;
  }

  private irqLine(arg: KvmIrqLevel): number {
    if (typeof arg !== 'object' || arg === null) return -Errno.EFAULT;
    const irq = arg.irq >>> 0;
    const type = (irq >>> KVM_ARM_IRQ_TYPE_SHIFT) & KVM_ARM_IRQ_TYPE_MASK;
    const vcpuIndex = (irq >>> KVM_ARM_IRQ_VCPU_SHIFT) & KVM_ARM_IRQ_VCPU_MASK;
    const num = irq & KVM_ARM_IRQ_NUM_MASK;
    const level = arg.level !== 0;
    switch (type) {
      case KvmArmIrqType.CPU: {
        if (this.vgic) return -Errno.ENXIO;
        const vcpu = this.vcpus[vcpuIndex];
        if (!vcpu || num > KVM_ARM_IRQ_CPU_FIQ) return -Errno.EINVAL;
        if (num === KVM_ARM_IRQ_CPU_FIQ) vcpu.fiqLine = level;
        else vcpu.irqLine = level;
        vcpu.applyLines();
        return 0;
      }
      case KvmArmIrqType.PPI: {
        if (!this.vgic) return -Errno.ENXIO;
        if (!this.vcpus[vcpuIndex]) return -Errno.EINVAL;
        if (num < VGIC_NR_SGIS || num >= VGIC_NR_PRIVATE_IRQS) return -Errno.EINVAL;
        this.vgic.setLine(vcpuIndex, num, level);
        return 0;
      }
      case KvmArmIrqType.SPI: {
        if (!this.vgic) return -Errno.ENXIO;
        if (num < VGIC_NR_PRIVATE_IRQS || num >= this.vgic.nrIrqs) return -Errno.EINVAL;
        this.vgic.setLine(0, num, level);
        return 0;
      }
      default:
        return -Errno.EINVAL;
    }
  }

  /** First-run checks: the VGIC needs both windows placed (-ENXIO otherwise, as kvm_vgic_init). */
  beforeRun(): number {
    if (this.started) return 0;
    if (this.vgic && (this.distBase === null || this.cpuBase === null)) return -Errno.ENXIO;
    this.started = true;
    return 0;
  }

  /** The VGIC window holding `pa`, if any. */
  vgicWindow(pa: number): { dist: boolean; offset: number } | null {
    if (!this.vgic) return null;
    if (this.distBase !== null && pa >= this.distBase && pa < this.distBase + KVM_VGIC_V2_DIST_SIZE)
      return { dist: true, offset: pa - this.distBase };
    if (this.cpuBase !== null && pa >= this.cpuBase && pa < this.cpuBase + KVM_VGIC_V2_CPU_SIZE)
      return { dist: false, offset: pa - this.cpuBase };
    return null;
  }

  /** KVM_REG_ARM_TIMER_CNT: one CNTVOFF for the whole VM. */
  setVirtualCount(count: bigint): void {
    this.cntvoff = BigInt.asUintN(64, this.clock() - count);
    for (const v of this.vcpus) v.cpu.cp15.timer.virtualOffset = this.cntvoff;
  }

  /** True when a vCPU other than `self` could make progress now. */
  othersRunnable(self: KvmVcpu): boolean {
    for (const v of this.vcpus) if (v !== self && v.runnable()) return true;
    return false;
  }
}
