/** KvmError: a KVM call that failed, with the kernel's errno; and the raw layer's way back to -errno. */
import { Errno } from './uapi.ts';

/** An errno's name, as `Errno` spells it. */
export type ErrnoName = keyof typeof Errno;

const names = new Map<number, ErrnoName>(
  (Object.entries(Errno) as [ErrnoName, number][]).map(([name, value]) => [value, name]),
);

/** The name of a (positive) errno, e.g. "EEXIST" for 17; unknown numbers as "errno N". */
export function errnoName(errno: number): string {
  return names.get(errno) ?? `errno ${errno}`;
}

/** What a typed KVM call throws where the ioctl would return -errno. */
export class KvmError extends Error {
  /** The positive errno (the ioctl returns it negated). */
  readonly errno: number;
  /** Its name, e.g. "EINVAL": stable for programs. */
  readonly code: string;
  /** The ioctl that failed, e.g. "KVM_SET_ONE_REG". */
  readonly call: string;
  constructor(call: string, errno: number) {
    const code = errnoName(errno);
    super(`${call}: ${code}`);
    this.name = 'KvmError';
    this.errno = errno;
    this.code = code;
    this.call = call;
  }
}

/** Returns `ret` when it is not a negative errno; throws it as a KvmError for `call` otherwise. */
export function kvmCheck(call: string, ret: number): number {
  if (ret < 0) throw new KvmError(call, -ret);
  return ret;
}

/** The raw layer's answer for a typed call that threw: -errno for a KvmError; anything else is rethrown. */
export function negatedErrno(e: unknown): number {
  if (e instanceof KvmError) return -e.errno;
  throw e;
}
