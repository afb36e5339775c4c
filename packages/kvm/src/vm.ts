/** A VM: memory slots, vCPUs, the in-kernel VGIC and the state its vCPUs share. */
import type { KvmHandle, KvmOptions, KvmVmHandle } from './handles.ts';
import { Errno } from './uapi.ts';

/** A VM handle. */
export class KvmVm implements KvmVmHandle {
  readonly kind = 'vm' as const;
  readonly options: KvmOptions;

  constructor(options: KvmOptions) {
    this.options = options;
  }

  ioctl(_request: number, _arg?: unknown): number | KvmHandle {
    return -Errno.ENOTTY;
  }
}
