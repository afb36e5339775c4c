/** The VMM: ARM KVM hooks, memory API, virt board, devices, loaders and the armvm command. */

// machine parts
export * from './memory/index.ts';
export * from './devices/index.ts';
export * from './board/index.ts';
export * from './loader/index.ts';
export * from './fdt/index.ts';

// VMM core
export {
  CPSR,
  CPUARMState,
  CpsrWriteType,
  ARM_VFP,
  bankNumber,
  BadModeError,
  VfpState,
} from './target-arm/cpu-arm-state.ts';
export { ARMCPU, type ArmCpuModel, CORTEX_A15, QEMU_KVM_ARM_TARGET_NONE } from './target-arm/arm-cpu.ts';
export { compareU64, isStrictlyAscending } from './target-arm/cpreg-order.ts';
export { cpuDumpState } from './target-arm/cpu-dump.ts';
export { KVM_CORE_REGS, type Reg } from './target-arm/kvm-core-regs.ts';
export { KvmArmDevices } from './target-arm/kvm-arm-devices.ts';
export * from './target-arm/kvm.ts';
export { KvmAccel, KvmAccelError, type KvmAccelErrorCode, type KvmAccelOptions } from './accel/kvm-accel.ts';
export { GuestError, kvmCpuExec, type VcpuEvent } from './accel/kvm-cpu-exec.ts';
export { failedIoctlName, KvmIoctlError, KvmState } from './accel/kvm-state.ts';
export { Trace, TRACE_CATEGORIES, type TraceCategory, TraceOptionError } from './accel/trace.ts';
export { type RunOutcome, VcpuScheduler } from './accel/vcpu-scheduler.ts';
export { type CliIo, main as armvmMain } from './cli/main.ts';
