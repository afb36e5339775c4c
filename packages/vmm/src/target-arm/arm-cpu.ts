/**
 * QEMU's ARMCPU for a KVM guest: the register file (CPUARMState), the KVM target and whether the
 * CPU starts powered off, and the cpreg tuple list — the system registers KVM reports, kept as
 * parallel index/value arrays in strictly ascending index order, with copies for migration and the
 * values to restore on reset.
 */
import { VfpId } from '@armvm/arm';
import { KvmArmTarget, type KvmVcpuHandle } from '@armvm/kvm';
import { ioctlNumber } from '../accel/kvm-state.ts';
import { ARM_VFP, CPUARMState } from './cpu-arm-state.ts';

/** No KVM target fits this CPU model (QEMU_KVM_ARM_TARGET_NONE). */
export const QEMU_KVM_ARM_TARGET_NONE = -1;

/** What identifies a CPU model to KVM. */
export interface ArmCpuModel {
  /** Name as on QEMU's command line. */
  readonly name: string;
  /** KVM_ARM_VCPU_INIT target, or QEMU_KVM_ARM_TARGET_NONE. */
  readonly kvmTarget: number;
  /** FPSID, MVFR0 and MVFR1 this model resets to. */
  readonly fpsid: number;
  readonly mvfr0: number;
  readonly mvfr1: number;
}

/** QEMU's "cortex-a15", the model the virt board runs under KVM. */
export const CORTEX_A15: ArmCpuModel = {
  name: 'cortex-a15',
  kvmTarget: KvmArmTarget.CORTEX_A15,
  fpsid: VfpId.fpsid,
  mvfr0: VfpId.mvfr0,
  mvfr1: VfpId.mvfr1,
};

/** One vCPU as the VMM models it. */
export class ARMCPU {
  /** Position in the machine (CPUState.cpu_index), also the KVM vCPU id. */
  readonly cpuIndex: number;
  readonly model: ArmCpuModel;
  readonly env = new CPUARMState();
  /** KVM_ARM_VCPU_INIT target. */
  readonly kvmTarget: number;
  /** Secondary CPUs wait for PSCI CPU_ON. */
  startPoweredOff: boolean;
  /** PSCI's view of the vCPU (QEMU's power_state), as kvm_arm_sync_mpstate_to_qemu last read it. */
  powerState: 'on' | 'off' = 'on';
  /** Ask for PSCI 0.2 at VCPU_INIT (set when the kernel has KVM_CAP_ARM_PSCI_0_2). */
  psci02 = false;
  /** The vCPU handle, once created. */
  kvmFd: KvmVcpuHandle | undefined;
  /** True when `env` holds changes KVM has not seen (CPUState.vcpu_dirty). */
  vcpuDirty = false;

  /** gdb asked this vCPU to single-step (QEMU's cs->singlestep_enabled). */
  singlestepEnabled = false;
  /** KVM ids of the registers synced through the tuple list, strictly ascending. */
  cpregIndexes = new BigUint64Array(0);
  /** Their values, widened to 64 bits. */
  cpregValues = new BigUint64Array(0);
  cpregArrayLen = 0;
  /** The values read right after VCPU_INIT; reset writes them back. */
  cpregResetValues = new BigUint64Array(0);

  constructor(cpuIndex: number, model: ArmCpuModel = CORTEX_A15, startPoweredOff = cpuIndex > 0) {
    this.cpuIndex = cpuIndex;
    this.model = model;
    this.kvmTarget = model.kvmTarget;
    this.startPoweredOff = startPoweredOff;
    this.reset();
  }

  /** arm_cpu_reset: the architectural reset state (SVC, A/I/F masked, VFP ids of the model). */
  reset(): void {
    const env = this.env;
    env.regs.fill(0);
    env.bankedR13.fill(0);
    env.bankedR14.fill(0);
    env.bankedSpsr.fill(0);
    env.usrRegs.fill(0);
    env.fiqRegs.fill(0);
    env.spsr = 0;
    env.nzcv = 0;
    env.qf = 0;
    env.ge = 0;
    env.thumb = 0;
    env.condexecBits = 0;
    env.uncachedCpsr = 0x1d3;
    env.vfp.regs.fill(0n);
    env.vfp.xregs.fill(0);
    env.vfp.vecLen = 0;
    env.vfp.vecStride = 0;
    env.vfp.exceptionFlags = 0;
    env.vfp.xregs[ARM_VFP.FPSID] = this.model.fpsid;
    env.vfp.xregs[ARM_VFP.MVFR0] = this.model.mvfr0;
    env.vfp.xregs[ARM_VFP.MVFR1] = this.model.mvfr1;
    this.vcpuDirty = true;
  }

  /** A register's value in the tuple list (as last read from KVM, or about to be written); undefined if unlisted. */
  cpregValue(id: bigint): bigint | undefined {
    for (let i = 0; i < this.cpregArrayLen; i++) if (this.cpregIndexes[i] === id) return this.cpregValues[i];
    return undefined;
  }

  /** kvm_vcpu_ioctl: an ioctl on this CPU's vCPU handle. */
  vcpuIoctl(request: number, arg?: unknown): number {
    if (this.kvmFd === undefined) throw new Error(`cpu ${this.cpuIndex}: no KVM vCPU yet`);
    return ioctlNumber(this.kvmFd, request, arg);
  }
}
