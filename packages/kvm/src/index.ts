/** Software KVM: the Linux KVM ARM API on the @armvm/arm CPU. */
export * from './uapi.ts';
export type {
  KvmDeviceHandle,
  KvmHandle,
  KvmOptions,
  KvmTracepoints,
  KvmSystemHandle,
  KvmVcpuHandle,
  VcpuStatistics,
  KvmVmHandle,
} from './handles.ts';
export { checkExtension, KvmSystem } from './system.ts';
export { type ErrnoName, errnoName, KvmError, kvmCheck, negatedErrno } from './kvm-error.ts';
export { type MmioVcpuExit, type VcpuExit, vcpuExitFromRun } from './vcpu-exit.ts';
export { openKvm } from './open.ts';
export { KvmVm, DEFAULT_TIMER_FREQUENCY, hostClock } from './vm.ts';
export { KvmVcpu, PTIMER_PPI, VTIMER_PPI } from './vcpu.ts';
export { type GuestDebugState, setGuestDebug } from './guest-debug.ts';
export { KvmVgicDevice } from './device.ts';
export { MemorySlots, type MemorySlot } from './memory-slots.ts';
export { REGISTERS, type RegisterEntry, lookupRegister, validCsselrs } from './registers.ts';
export { Gicc, Gicd, PRIORITY_MASK, SPURIOUS_INTID, Vgic, VGIC_NR_IRQS } from './vgic.ts';
export { psciCall, type PsciOutcome } from './psci.ts';
export { SMCCC_VERSION_1_1, SmcccFn, SmcccRet, smcccCall } from './smccc.ts';
