/**
 * The filesystem calls the cache makes, behind one interface so tests can inject faults (EIO,
 * ENOSPC, EACCES) at any call without touching the real disk's permissions.
 *
 * The cache directory is not trusted: files in it are opened without following a symbolic link
 * (O_NOFOLLOW) and without blocking on a FIFO (O_NONBLOCK), and anything that is not a regular
 * file is refused as ENOENT-like `ENOTREG`, so a planted link, FIFO or device is never read from
 * or written to.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { CodedError } from '@armvm/fscache';

const { O_RDONLY, O_RDWR, O_CREAT, O_TRUNC, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
/** Open flags for reading a file in the cache. */
export const READ_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
/** Open flags for updating a data file in place. */
export const UPDATE_FLAGS = O_RDWR | O_NOFOLLOW | O_NONBLOCK;
/** Open flags for creating (or emptying) a data file. */
export const CREATE_FLAGS = O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK;

/** A path in the cache that is not a regular file (a link, FIFO, device, socket or directory). */
export class NotRegularError extends CodedError<'ENOTREG'> {
  constructor(path: string) {
    super('ENOTREG', `${path} is not a regular file`);
  }
}

/** True for the errors of a path that is absent, or present but not a regular file we may use. */
export function isAbsentOrForeign(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTREG' || code === 'EISDIR' || code === 'ENXIO';
}

/** Opens a regular file in the cache with `flags` (one of the above); anything else is refused. */
export async function openRegular(io: CacheIo, path: string, flags: number): Promise<fsp.FileHandle> {
  const fh = await io.open(path, flags);
  try {
    if (!(await fh.stat()).isFile()) throw new NotRegularError(path);
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
  return fh;
}

/** The subset of node:fs/promises the cache uses. */
export interface CacheIo {
  open: typeof fsp.open;
  /** Reads a file; with `limit`, stops after limit + 1 bytes (the caller sees it was longer). */
  readFile: (path: string, limit?: number) => Promise<Buffer>;
  rename: typeof fsp.rename;
  mkdir: typeof fsp.mkdir;
  rm: typeof fsp.rm;
  unlink: typeof fsp.unlink;
  stat: typeof fsp.stat;
  lstat: typeof fsp.lstat;
  readdir: (path: string) => Promise<string[]>;
  statfs: typeof fsp.statfs;
  /** Reads at most limit + 1 bytes of a small file, synchronously. */
  readSmallSync: (path: string, limit: number) => Buffer;
  /** Creates a file that must not exist yet (EEXIST otherwise) with `data`, synchronously. */
  createSync: (path: string, data: Uint8Array) => void;
}

/** The real filesystem. */
export const nodeIo: CacheIo = {
  open: fsp.open,
  readFile: readSmallFile,
  rename: fsp.rename,
  mkdir: fsp.mkdir,
  rm: fsp.rm,
  unlink: fsp.unlink,
  stat: fsp.stat,
  lstat: fsp.lstat,
  readdir: (p) => fsp.readdir(p),
  statfs: fsp.statfs,
  readSmallSync: (path, limit) => {
    const fd = fs.openSync(path, READ_FLAGS);
    try {
      if (!fs.fstatSync(fd).isFile()) throw new NotRegularError(path);
      let buf = Buffer.allocUnsafe(Math.min(limit + 1, 16 * 1024));
      let n = 0;
      for (;;) {
        const got = fs.readSync(fd, buf, n, buf.length - n, n);
        n += got;
        if (got === 0 || n < buf.length || n > limit) return buf.subarray(0, n);
        const bigger = Buffer.allocUnsafe(Math.min(limit + 1, buf.length * 4));
        buf.copy(bigger);
        buf = bigger;
      }
    } finally {
      fs.closeSync(fd);
    }
  },
  createSync: (path, data) => {
    const fd = fs.openSync(path, 'wx');
    try {
      fs.writeSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
  },
};

// Reads a file that is usually small with one open, one read and one close (readFile also stats).
async function readSmallFile(path: string, limit = Infinity): Promise<Buffer> {
  const fh = await fsp.open(path, READ_FLAGS);
  try {
    if (!(await fh.stat()).isFile()) throw new NotRegularError(path);
    let buf = Buffer.allocUnsafe(16 * 1024);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      n += bytesRead;
      if (bytesRead === 0 || n < buf.length || n > limit) return buf.subarray(0, n);
      const bigger = Buffer.allocUnsafe(buf.length * 4);
      buf.copy(bigger);
      buf = bigger;
    }
  } finally {
    await fh.close();
  }
}

/** The errno code of a Node system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
