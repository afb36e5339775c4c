/** The entry point: open the software /dev/kvm. */
import type { KvmOptions, KvmSystemHandle } from './handles.ts';
import { KvmSystem } from './system.ts';
import { KvmVm } from './vm.ts';

/** Opens the system handle. Every VM it creates shares `options` (clock, time slice, WFI sleep). */
export function openKvm(options: KvmOptions = {}): KvmSystemHandle {
  return new KvmSystem(options, (o) => new KvmVm(o));
}
