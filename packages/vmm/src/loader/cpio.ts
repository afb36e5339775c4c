/**
 * The "newc" cpio format Linux unpacks as an initramfs (Documentation/driver-api/early-userspace):
 * each member is a 110-byte ASCII header of thirteen 8-digit hex fields, the NUL-terminated name
 * padded to 4 bytes, then the data padded to 4 bytes; a member named TRAILER!!! ends the archive.
 */
import { CodedError } from '@armvm/fscache';

/** File type bits of `st_mode`. */
export const CpioType = {
  file: 0o100000,
  directory: 0o040000,
  symlink: 0o120000,
  characterDevice: 0o020000,
} as const;

/** One member of an archive. */
export interface CpioEntry {
  /** Path inside the archive, without a leading slash ("bin/busybox"). */
  readonly path: string;
  /** Type and permission bits (`CpioType.file | 0o755`). */
  readonly mode: number;
  /** File contents, or a symlink's target as bytes; empty for directories and devices. */
  readonly data?: Uint8Array;
  /** Device number of a character device. */
  readonly rdev?: { readonly major: number; readonly minor: number };
}

/** A malformed entry given to `newcArchive`. */
export class CpioError extends CodedError<'ARMVM_BAD_CPIO'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ARMVM_BAD_CPIO', message, options);
  }
}

const MAGIC = '070701';
const TRAILER = 'TRAILER!!!';

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function header(ino: number, e: CpioEntry, size: number, nameSize: number): string {
  const fields = [
    ino,
    e.mode,
    0, // uid: root
    0, // gid
    (e.mode & 0o170000) === CpioType.directory ? 2 : 1,
    0, // mtime: fixed, so the same inputs give the same bytes
    size,
    0,
    0,
    e.rdev?.major ?? 0,
    e.rdev?.minor ?? 0,
    nameSize,
    0, // checksum: unused by the newc (070701) form
  ];
  return MAGIC + fields.map(hex8).join('');
}

/** The archive of `entries`, in the order given (a directory must come before what it holds). */
export function newcArchive(entries: readonly CpioEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  const push = (ino: number, e: CpioEntry): void => {
    if (e.path === '' || e.path.startsWith('/') || e.path.split('/').includes('..')) {
      throw new CpioError(`bad cpio member name "${e.path}"`);
    }
    const name = enc.encode(`${e.path}\0`);
    const data = e.data ?? new Uint8Array(0);
    const head = enc.encode(header(ino, e, data.length, name.length));
    parts.push(
      head,
      name,
      new Uint8Array(pad4(head.length + name.length)),
      data,
      new Uint8Array(pad4(data.length)),
    );
  };
  entries.forEach((e, i) => push(i + 1, e));
  push(0, { path: TRAILER, mode: 0 });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
