/** Software KVM: the Linux KVM ARM API on the @armvm/arm CPU. */
export * from './uapi.ts';
export type {
  KvmDeviceHandle,
  KvmHandle,
  KvmOptions,
  KvmSystemHandle,
  KvmVcpuHandle,
  KvmVmHandle,
} from './handles.ts';
export { checkExtension, KvmSystem } from './system.ts';
export { openKvm } from './open.ts';
