/**
 * Recording fakes of KVM handles for hook tests: a vCPU with a register file and the kernel's
 * ONE_REG / REG_LIST rules, and a VM that records what it is asked. Tests that need a CPU to run
 * use the real software KVM instead.
 */
import {
  Errno,
  KVM_ARM_SET_DEVICE_ADDR,
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

  ioctl(request: number, arg?: unknown): number | KvmHandle {
    this.calls.push({ request, arg });
    switch (request) {
      case KVM_ARM_VCPU_INIT: {
        const init = arg as KvmVcpuInit;
        this.init = { target: init.target, features: Array.from(init.features) };
        return 0;
      }
      case KVM_GET_ONE_REG: {
        const r = arg as KvmOneReg;
        const value = this.regs.get(r.id);
        if (value === undefined || r.addr.length !== kvmRegSize(r.id)) return -Errno.ENOENT;
        if (r.addr.length === 8) new DataView(r.addr.buffer, r.addr.byteOffset).setBigUint64(0, value, true);
        else new DataView(r.addr.buffer, r.addr.byteOffset).setUint32(0, Number(value), true);
        return 0;
      }
      case KVM_SET_ONE_REG: {
        const r = arg as KvmOneReg;
        const old = this.regs.get(r.id);
        if (old === undefined || r.addr.length !== kvmRegSize(r.id)) return -Errno.ENOENT;
        const view = new DataView(r.addr.buffer, r.addr.byteOffset);
        const value = r.addr.length === 8 ? view.getBigUint64(0, true) : BigInt(view.getUint32(0, true));
        if (this.constant.has(r.id) && value !== old) return -Errno.EINVAL;
        this.regs.set(r.id, value);
        return 0;
      }
      case KVM_GET_REG_LIST: {
        const rl = arg as KvmRegList;
        const n = BigInt(this.listOrder.length);
        if (rl.n < n) {
          rl.n = n;
          return -Errno.E2BIG;
        }
        rl.n = n;
        rl.reg.set(this.listOrder);
        return 0;
      }
      default:
        return -Errno.ENOTTY;
    }
  }
}

/** A VM that records every ioctl and answers KVM_ARM_SET_DEVICE_ADDR with `deviceAddrResult`. */
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

  /** The device addresses sent so far. */
  get deviceAddrs(): KvmArmDeviceAddr[] {
    return this.calls
      .filter((c) => c.request === KVM_ARM_SET_DEVICE_ADDR)
      .map((c) => c.arg as KvmArmDeviceAddr);
  }
}

/** A system handle that is never asked anything in hook tests. */
export const unusedSystem: KvmSystemHandle = {
  kind: 'system',
  ioctl: () => -Errno.ENOTTY,
};
