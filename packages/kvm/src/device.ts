/**
 * The VGICv2 as a KVM device (KVM_CREATE_DEVICE with KVM_DEV_TYPE_ARM_VGIC_V2), the interface later
 * VMMs use instead of KVM_CREATE_IRQCHIP + KVM_ARM_SET_DEVICE_ADDR: attribute groups for the window
 * addresses, the number of interrupts, initialisation, and the registers for save and restore.
 */
import type { KvmDeviceHandle, KvmHandle } from './handles.ts';
import { KvmError, kvmCheck, negatedErrno } from './kvm-error.ts';
import {
  Errno,
  KVM_DEV_ARM_VGIC_CTRL_INIT,
  KVM_GET_DEVICE_ATTR,
  KVM_HAS_DEVICE_ATTR,
  KVM_SET_DEVICE_ATTR,
  KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST,
  type KvmDeviceAttr,
  KvmVgicGroup,
} from './uapi.ts';
import { Gicc, VGIC_MAX_IRQS } from './vgic.ts';
import type { VgicDeviceVmContext } from './vm-context.ts';

/** VGIC_ADDR_UNDEF: what GRP_ADDR reads before an address is set. */
const ADDR_UNDEF = 0xffffffffffffffffn;
/** CPU interface registers the save/restore group reaches. */
const CPU_REGS = new Set<number>([Gicc.CTLR, Gicc.PMR, Gicc.BPR, Gicc.ABPR, Gicc.APR0]);

/** A `struct kvm_device_attr` as far as every call needs it. */
function validAttr(a: KvmDeviceAttr): boolean {
  return typeof a === 'object' && a !== null && typeof a.attr === 'bigint';
}

/** A VGICv2 device handle. */
export class KvmVgicDevice implements KvmDeviceHandle {
  readonly kind = 'device' as const;
  private readonly vm: VgicDeviceVmContext;

  constructor(vm: VgicDeviceVmContext) {
    this.vm = vm;
  }

  /** KVM_SET_DEVICE_ATTR: the value from `attr.addr`. */
  setDeviceAttr(attr: KvmDeviceAttr): void {
    kvmCheck('KVM_SET_DEVICE_ATTR', this.access(attr, true));
  }

  /** KVM_GET_DEVICE_ATTR: the value into `attr.addr`. */
  getDeviceAttr(attr: KvmDeviceAttr): void {
    kvmCheck('KVM_GET_DEVICE_ATTR', this.access(attr, false));
  }

  /** KVM_HAS_DEVICE_ATTR (the kernel's -ENXIO is false). */
  hasDeviceAttr(attr: KvmDeviceAttr): boolean {
    if (!validAttr(attr)) throw new KvmError('KVM_HAS_DEVICE_ATTR', Errno.EFAULT);
    return this.has(attr);
  }

  /** The seed's ioctl over the typed calls; a KvmError becomes -errno. */
  ioctl(request: number, arg?: unknown): number | KvmHandle {
    const a = arg as KvmDeviceAttr;
    try {
      switch (request) {
        case KVM_SET_DEVICE_ATTR:
          this.setDeviceAttr(a);
          return 0;
        case KVM_GET_DEVICE_ATTR:
          this.getDeviceAttr(a);
          return 0;
        case KVM_HAS_DEVICE_ATTR:
          return this.hasDeviceAttr(a) ? 0 : -Errno.ENXIO;
        default:
          return -Errno.ENOTTY;
      }
    } catch (e) {
      return negatedErrno(e);
    }
  }

  private access(a: KvmDeviceAttr, write: boolean): number {
    if (!validAttr(a)) return -Errno.EFAULT;
    switch (a.group) {
      case KvmVgicGroup.ADDR:
        return this.addr(a, write);
      case KvmVgicGroup.NR_IRQS:
        return this.nrIrqs(a, write);
      case KvmVgicGroup.CTRL:
        if (a.attr !== BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT)) return -Errno.ENXIO;
        if (!write) return -Errno.ENXIO;
        this.vm.vgicInitialized = true;
        return 0;
      case KvmVgicGroup.DIST_REGS:
      case KvmVgicGroup.CPU_REGS:
        return this.register(a, write);
      default:
        return -Errno.ENXIO;
    }
  }

  private has(a: KvmDeviceAttr): boolean {
    switch (a.group) {
      case KvmVgicGroup.ADDR:
        return a.attr === BigInt(KVM_VGIC_V2_ADDR_TYPE_DIST) || a.attr === BigInt(KVM_VGIC_V2_ADDR_TYPE_CPU);
      case KvmVgicGroup.NR_IRQS:
        return true;
      case KvmVgicGroup.CTRL:
        return a.attr === BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT);
      case KvmVgicGroup.DIST_REGS:
        return Number(a.attr & 0xffffffffn) < 0x1000;
      case KvmVgicGroup.CPU_REGS:
        return CPU_REGS.has(Number(a.attr & 0xffffffffn));
      default:
        return false;
    }
  }

  private addr(a: KvmDeviceAttr, write: boolean): number {
    const type = Number(a.attr);
    if (type !== KVM_VGIC_V2_ADDR_TYPE_DIST && type !== KVM_VGIC_V2_ADDR_TYPE_CPU) return -Errno.ENODEV;
    if (!(a.addr instanceof Uint8Array) || a.addr.length < 8) return -Errno.EFAULT;
    const view = new DataView(a.addr.buffer, a.addr.byteOffset, 8);
    if (write) return this.vm.placeVgic(type, view.getBigUint64(0, true));
    const base = type === KVM_VGIC_V2_ADDR_TYPE_DIST ? this.vm.distBase : this.vm.cpuBase;
    view.setBigUint64(0, base === null ? ADDR_UNDEF : BigInt(base), true);
    return 0;
  }

  private nrIrqs(a: KvmDeviceAttr, write: boolean): number {
    if (!(a.addr instanceof Uint8Array) || a.addr.length < 4) return -Errno.EFAULT;
    const view = new DataView(a.addr.buffer, a.addr.byteOffset, 4);
    const vgic = this.vm.vgic!;
    if (!write) {
      view.setUint32(0, vgic.nrIrqs, true);
      return 0;
    }
    const n = view.getUint32(0, true);
    if (n < 64 || n > VGIC_MAX_IRQS || n % 32 !== 0) return -Errno.EINVAL;
    if (this.vm.vgicInitialized || this.vm.started) return -Errno.EBUSY;
    vgic.nrIrqs = n;
    return 0;
  }

  /** GRP_DIST_REGS / GRP_CPU_REGS: attr = cpu << 32 | offset, the value a 32-bit word. */
  private register(a: KvmDeviceAttr, write: boolean): number {
    if (!(a.addr instanceof Uint8Array) || a.addr.length < 4) return -Errno.EFAULT;
    const cpu = Number((a.attr >> 32n) & 0xffn);
    const offset = Number(a.attr & 0xffffffffn);
    const vgic = this.vm.vgic!;
    if (cpu >= vgic.cpuCount) return -Errno.EINVAL;
    const dist = a.group === KvmVgicGroup.DIST_REGS;
    if (dist ? offset >= 0x1000 || offset & 3 : !CPU_REGS.has(offset)) return -Errno.ENXIO;
    const view = new DataView(a.addr.buffer, a.addr.byteOffset, 4);
    if (write) {
      const v = view.getUint32(0, true);
      if (dist) vgic.writeDist(cpu, offset, 4, v);
      else vgic.writeCpu(cpu, offset, 4, v);
    } else view.setUint32(0, dist ? vgic.readDist(cpu, offset, 4) : vgic.readCpu(cpu, offset, 4), true);
    return 0;
  }
}
