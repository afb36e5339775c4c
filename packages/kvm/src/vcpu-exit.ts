/**
 * VcpuExit: why KVM_RUN returned, as a union (kvm-ioctls' `VcpuExit`), read from the vCPU's
 * `kvm_run` record for the raw layer's callers and built directly where the exit is made.
 */
import { KvmExit, type KvmRun } from './uapi.ts';

/**
 * An access to an address no memslot or in-kernel device covers. `data` is the access's bytes
 * (little-endian, `data.length` is its size) and a view of `kvm_run.mmio.data`: for a load the VMM
 * fills it and the next `run()` completes the load with it. Valid until the next `run()`, as the
 * borrow of kvm_run in kvm-ioctls.
 */
export interface MmioVcpuExit {
  readonly reason: 'mmio';
  readonly address: number;
  readonly data: Uint8Array;
  readonly isWrite: boolean;
}

/** Why `run()` returned. `intr` is KVM_RUN's -EINTR (a kick, a time slice, immediate_exit). */
export type VcpuExit =
  | MmioVcpuExit
  /** PSCI SYSTEM_OFF/RESET (`KvmSystemEvent`); every vCPU is then off. */
  | { readonly reason: 'systemEvent'; readonly type: number; readonly flags: bigint }
  /** KVM_EXIT_DEBUG: the syndrome (`hsr`), the watched address and where the vCPU stands. */
  | { readonly reason: 'debug'; readonly hsr: number; readonly far: bigint; readonly pc: number }
  /** KVM_EXIT_INTERNAL_ERROR; `message` says why in words. */
  | {
      readonly reason: 'internalError';
      readonly suberror: number;
      readonly data: readonly number[];
      readonly message: string;
    }
  | { readonly reason: 'intr' };

/** The `intr` exit (one object: it carries nothing). */
export const INTR_EXIT: VcpuExit = Object.freeze({ reason: 'intr' });

/** The exit a `kvm_run` record describes after KVM_RUN returned 0. */
export function vcpuExitFromRun(run: KvmRun): VcpuExit {
  switch (run.exit_reason) {
    case KvmExit.MMIO:
      return {
        reason: 'mmio',
        address: Number(run.mmio.phys_addr),
        data: run.mmio.data.subarray(0, run.mmio.len),
        isWrite: run.mmio.is_write !== 0,
      };
    case KvmExit.SYSTEM_EVENT:
      return { reason: 'systemEvent', type: run.system_event.type, flags: run.system_event.flags };
    case KvmExit.DEBUG: {
      const d = run.debug.arch;
      return { reason: 'debug', hsr: d.hsr, far: d.far, pc: d.pc };
    }
    case KvmExit.INTERNAL_ERROR: {
      const i = run.internal;
      return { reason: 'internalError', suberror: i.suberror, data: [...i.data], message: i.reason };
    }
    case KvmExit.INTR:
      return INTR_EXIT;
    default:
      throw new Error(`kvm_run holds exit reason ${run.exit_reason}, which this KVM never makes`);
  }
}
