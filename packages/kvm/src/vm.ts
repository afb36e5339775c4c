/** A VM: memory slots, vCPUs, the in-kernel VGIC and the state its vCPUs share. */
import type { KvmHandle, KvmOptions, KvmTracepoints, KvmVmHandle } from './handles.ts';
import { KvmError, kvmCheck, negatedErrno } from './kvm-error.ts';
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
import { MemorySlots } from './memory-slots.ts';
import { KvmVcpu } from './vcpu.ts';
import { VGIC_NR_PRIVATE_IRQS, VGIC_NR_SGIS, Vgic } from './vgic.ts';
import type { VcpuVmContext, VgicDeviceVmContext } from './vm-context.ts';

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
export class KvmVm implements KvmVmHandle, VcpuVmContext, VgicDeviceVmContext {
  readonly kind = 'vm' as const;
  readonly memorySlots = new MemorySlots();
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

  // ---- the typed calls ---------------------------------------------------------------------------

  /** KVM_CHECK_EXTENSION on the VM. */
  checkExtension(cap: number): number {
    return checkExtension(cap);
  }

  /** KVM_SET_USER_MEMORY_REGION. */
  setUserMemoryRegion(region: KvmUserspaceMemoryRegion): void {
    kvmCheck('KVM_SET_USER_MEMORY_REGION', this.memorySlots.setRegion(region));
  }

  /** KVM_CREATE_VCPU: `id` makes the MPIDR; no new vCPU once a VGIC VM has run. */
  createVcpu(id: number): KvmVcpu {
    const fail = (errno: number): never => {
      throw new KvmError('KVM_CREATE_VCPU', errno);
    };
    if (!Number.isInteger(id) || id < 0 || id >= KVM_MAX_VCPUS) fail(Errno.EINVAL);
    if (this.vcpus.length >= KVM_MAX_VCPUS) fail(Errno.EINVAL);
    if (this.vcpus.some((v) => v.id === id)) fail(Errno.EEXIST);
    if (this.vgic && this.started) fail(Errno.EBUSY); // the VGIC is sized at the first run
    const vcpu = new KvmVcpu(this, id, this.vcpus.length);
    this.vcpus.push(vcpu);
    this.vgic?.addCpu();
    return vcpu;
  }

  /** KVM_CREATE_IRQCHIP: the VGICv2, before the first run. */
  createIrqchip(): void {
    if (this.vgic) throw new KvmError('KVM_CREATE_IRQCHIP', Errno.EEXIST);
    if (this.started) throw new KvmError('KVM_CREATE_IRQCHIP', Errno.EBUSY);
    const vgic = new Vgic();
    for (let i = 0; i < this.vcpus.length; i++) vgic.addCpu();
    vgic.onIrqLevel = (cpu, level) => this.vcpus[cpu]?.cpu.setIrq(level);
    this.vgic = vgic;
  }

  /** KVM_CREATE_DEVICE: only the VGICv2; the device also goes into `device.fd`; null for a TEST. */
  createDevice(device: KvmCreateDevice): KvmVgicDevice | null {
    if (typeof device !== 'object' || device === null) throw new KvmError('KVM_CREATE_DEVICE', Errno.EFAULT);
    if (device.type !== KvmDevType.ARM_VGIC_V2) throw new KvmError('KVM_CREATE_DEVICE', Errno.ENODEV);
    if (device.flags & KVM_CREATE_DEVICE_TEST) return null;
    this.createIrqchip();
    const handle = new KvmVgicDevice(this);
    device.fd = handle;
    return handle;
  }

  /** KVM_ARM_SET_DEVICE_ADDR: a VGIC window's base. */
  armSetDeviceAddr(addr: KvmArmDeviceAddr): void {
    kvmCheck('KVM_ARM_SET_DEVICE_ADDR', this.setDeviceAddr(addr));
  }

  /** KVM_IRQ_LINE: `irq` in the kernel's encoding (type, vCPU index, number). */
  irqLine(irq: number, level: boolean): void {
    kvmCheck('KVM_IRQ_LINE', this.setIrqLine(irq, level));
  }

  /** KVM_ARM_PREFERRED_TARGET: the host's core, no features. */
  armPreferredTarget(): KvmVcpuInit {
    return { target: this.hostTarget, features: [0, 0, 0, 0, 0, 0, 0] };
  }

  // ---- the raw layer ----------------------------------------------------------------------------

  /** The seed's ioctl over the typed calls; a KvmError becomes -errno. */
  ioctl(request: number, arg?: unknown): number | KvmHandle {
    try {
      switch (request) {
        case KVM_CHECK_EXTENSION:
          return this.checkExtension(Number(arg ?? -1));
        case KVM_SET_USER_MEMORY_REGION:
          this.setUserMemoryRegion(arg as KvmUserspaceMemoryRegion);
          return 0;
        case KVM_CREATE_VCPU:
          return this.createVcpu(Number(arg));
        case KVM_CREATE_IRQCHIP:
          this.createIrqchip();
          return 0;
        case KVM_CREATE_DEVICE:
          this.createDevice(arg as KvmCreateDevice);
          return 0;
        case KVM_ARM_SET_DEVICE_ADDR:
          this.armSetDeviceAddr(arg as KvmArmDeviceAddr);
          return 0;
        case KVM_IRQ_LINE: {
          const a = arg as KvmIrqLevel;
          if (typeof a !== 'object' || a === null) return -Errno.EFAULT;
          this.irqLine(a.irq, a.level !== 0);
          return 0;
        }
        case KVM_ARM_PREFERRED_TARGET: {
          const a = arg as KvmVcpuInit;
          if (typeof a !== 'object' || a === null) return -Errno.EFAULT;
          Object.assign(a, this.armPreferredTarget());
          return 0;
        }
        default:
          return -Errno.ENOTTY;
      }
    } catch (e) {
      return negatedErrno(e);
    }
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

  private setIrqLine(line: number, level: boolean): number {
    const irq = line >>> 0;
    const type = (irq >>> KVM_ARM_IRQ_TYPE_SHIFT) & KVM_ARM_IRQ_TYPE_MASK;
    const vcpuIndex = (irq >>> KVM_ARM_IRQ_VCPU_SHIFT) & KVM_ARM_IRQ_VCPU_MASK;
    const num = irq & KVM_ARM_IRQ_NUM_MASK;
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
