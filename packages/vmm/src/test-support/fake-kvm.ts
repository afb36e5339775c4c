/**
 * Recording fakes of KVM handles for hook tests: a vCPU with a register file and the kernel's
 * ONE_REG / REG_LIST rules, and a VM that records what it is asked. Tests that need a CPU to run
 * use the real software KVM instead.
 */
import {
  Errno,
  KVM_ARM_SET_DEVICE_ADDR,
  KVM_CREATE_IRQCHIP,
  KVM_IRQ_LINE,
  KVM_SET_USER_MEMORY_REGION,
  type KvmDeviceHandle,
  KvmError,
  type KvmUserspaceMemoryRegion,
  negatedErrno,
  type VcpuExit,
  KVM_ARM_VCPU_INIT,
  KVM_GET_ONE_REG,
  KVM_GET_REG_LIST,
  KVM_SET_ONE_REG,
  type KvmArmDeviceAddr,
  type KvmHandle,
  type KvmOneReg,
  type KvmRegList,
  type KvmRun,
  type KvmSystemHandle,
  type KvmVcpuHandle,
  type KvmVcpuInit,
  type KvmVmHandle,
  kvmRegSize,
  newKvmRun,
} from '@armvm/kvm';

/** One ioctl as a fake saw it. */
export interface RecordedIoctl {
  request: number;
  arg: unknown;
}

/** A vCPU whose registers are a map; `constant` ids refuse a different value, as ID registers do. */
export class FakeVcpu implements KvmVcpuHandle {
  readonly kind = 'vcpu' as const;
  readonly id: number;
  readonly kvmRun: KvmRun = newKvmRun();
  readonly regs: Map<bigint, bigint>;
  readonly constant: Set<bigint>;
  /** The order GET_REG_LIST reports (unsorted, like the kernel). */
  readonly listOrder: bigint[];
  /** Raw ioctls, and the typed calls the VMM makes itself (by their request numbers). */
  readonly calls: RecordedIoctl[] = [];
  init: { target: number; features: number[] } | undefined;

  constructor(id: number, regs: Map<bigint, bigint>, constant: Iterable<bigint> = [], listOrder?: bigint[]) {
    this.id = id;
    this.regs = regs;
    this.constant = new Set(constant);
    this.listOrder = listOrder ?? [...regs.keys()];
  }

  mmapRun(): KvmRun {
    return this.kvmRun;
  }

  kick(): void {}

  run(): VcpuExit {
    throw new KvmError('KVM_RUN', Errno.ENOTTY);
  }

  armVcpuInit(init: KvmVcpuInit): void {
    this.init = { target: init.target, features: Array.from(init.features) };
  }

  getOneReg(id: bigint, bytes: Uint8Array): void {
    const value = this.regs.get(id);
    if (value === undefined || bytes.length !== kvmRegSize(id))
      throw new KvmError('KVM_GET_ONE_REG', Errno.ENOENT);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    if (bytes.length === 8) view.setBigUint64(0, value, true);
    else view.setUint32(0, Number(value), true);
  }

  setOneReg(id: bigint, bytes: Uint8Array): void {
    const old = this.regs.get(id);
    if (old === undefined || bytes.length !== kvmRegSize(id))
      throw new KvmError('KVM_SET_ONE_REG', Errno.ENOENT);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const value = bytes.length === 8 ? view.getBigUint64(0, true) : BigInt(view.getUint32(0, true));
    if (this.constant.has(id) && value !== old) throw new KvmError('KVM_SET_ONE_REG', Errno.EINVAL);
    this.regs.set(id, value);
  }

  getRegList(): BigUint64Array {
    return BigUint64Array.from(this.listOrder);
  }

  getMpState(): number {
    throw new KvmError('KVM_GET_MP_STATE', Errno.ENOTTY);
  }

  setMpState(): void {
    throw new KvmError('KVM_SET_MP_STATE', Errno.ENOTTY);
  }

  setGuestDebug(): void {
    throw new KvmError('KVM_SET_GUEST_DEBUG', Errno.ENOTTY);
  }

  /** The raw layer over the typed calls, as the software KVM's is. */
  ioctl(request: number, arg?: unknown): number | KvmHandle {
    this.calls.push({ request, arg });
    try {
      switch (request) {
        case KVM_ARM_VCPU_INIT:
          this.armVcpuInit(arg as KvmVcpuInit);
          return 0;
        case KVM_GET_ONE_REG:
          this.getOneReg((arg as KvmOneReg).id, (arg as KvmOneReg).addr);
          return 0;
        case KVM_SET_ONE_REG:
          this.setOneReg((arg as KvmOneReg).id, (arg as KvmOneReg).addr);
          return 0;
        case KVM_GET_REG_LIST: {
          const rl = arg as KvmRegList;
          const ids = this.getRegList();
          const n = BigInt(ids.length);
          const room = rl.n;
          rl.n = n;
          if (room < n) return -Errno.E2BIG;
          rl.reg.set(ids);
          return 0;
        }
        default:
          return -Errno.ENOTTY;
      }
    } catch (e) {
      return negatedErrno(e);
    }
  }
}

/** A VM that records every call and answers KVM_ARM_SET_DEVICE_ADDR with `deviceAddrResult`. */
export class RecordingVm implements KvmVmHandle {
  readonly kind = 'vm' as const;
  readonly calls: RecordedIoctl[] = [];
  deviceAddrResult = 0;

  ioctl(request: number, arg?: unknown): number | KvmHandle {
    this.calls.push({
      request,
      arg: request === KVM_ARM_SET_DEVICE_ADDR ? { ...(arg as KvmArmDeviceAddr) } : arg,
    });
    return request === KVM_ARM_SET_DEVICE_ADDR ? this.deviceAddrResult : 0;
  }

  /** A typed call, recorded as its ioctl; -errno results throw as the real handle's do. */
  #typed(call: string, request: number, arg?: unknown): void {
    const ret = this.ioctl(request, arg);
    if (typeof ret === 'number' && ret < 0) throw new KvmError(call, -ret);
  }

  checkExtension(): number {
    return 0;
  }

  setUserMemoryRegion(region: KvmUserspaceMemoryRegion): void {
    this.#typed('KVM_SET_USER_MEMORY_REGION', KVM_SET_USER_MEMORY_REGION, region);
  }

  createVcpu(): KvmVcpuHandle {
    throw new KvmError('KVM_CREATE_VCPU', Errno.ENOTTY);
  }

  createIrqchip(): void {
    this.#typed('KVM_CREATE_IRQCHIP', KVM_CREATE_IRQCHIP);
  }

  createDevice(): KvmDeviceHandle | null {
    throw new KvmError('KVM_CREATE_DEVICE', Errno.ENOTTY);
  }

  armSetDeviceAddr(addr: KvmArmDeviceAddr): void {
    this.#typed('KVM_ARM_SET_DEVICE_ADDR', KVM_ARM_SET_DEVICE_ADDR, addr);
  }

  irqLine(irq: number, level: boolean): void {
    this.#typed('KVM_IRQ_LINE', KVM_IRQ_LINE, { irq, level: level ? 1 : 0 });
  }

  armPreferredTarget(): KvmVcpuInit {
    throw new KvmError('KVM_ARM_PREFERRED_TARGET', Errno.ENOTTY);
  }

  /** The device addresses sent so far. */
  get deviceAddrs(): KvmArmDeviceAddr[] {
    return this.calls
      .filter((c) => c.request === KVM_ARM_SET_DEVICE_ADDR)
      .map((c) => c.arg as KvmArmDeviceAddr);
  }
}

const unused = (call: string) => (): never => {
  throw new KvmError(call, Errno.ENOTTY);
};

/** A system handle that is never asked anything in hook tests. */
export const unusedSystem: KvmSystemHandle = {
  kind: 'system',
  ioctl: () => -Errno.ENOTTY,
  getApiVersion: unused('KVM_GET_API_VERSION'),
  checkExtension: unused('KVM_CHECK_EXTENSION'),
  createVm: unused('KVM_CREATE_VM'),
  getVcpuMmapSize: unused('KVM_GET_VCPU_MMAP_SIZE'),
};
