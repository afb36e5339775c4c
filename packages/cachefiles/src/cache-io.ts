/**
 * The filesystem calls the cache makes, behind one interface so tests can inject faults (EIO,
 * ENOSPC, EACCES) at any call without touching the real disk's permissions.
 */
import * as fsp from 'node:fs/promises';

/** The subset of node:fs/promises the cache uses. */
export interface CacheIo {
  open: typeof fsp.open;
  readFile: (path: string) => Promise<Buffer>;
  rename: typeof fsp.rename;
  mkdir: typeof fsp.mkdir;
  rm: typeof fsp.rm;
  unlink: typeof fsp.unlink;
  stat: typeof fsp.stat;
  utimes: typeof fsp.utimes;
  readdir: (path: string) => Promise<string[]>;
  statfs: typeof fsp.statfs;
}

/** The real filesystem. */
export const nodeIo: CacheIo = {
  open: fsp.open,
  readFile: (p) => fsp.readFile(p),
  rename: fsp.rename,
  mkdir: fsp.mkdir,
  rm: fsp.rm,
  unlink: fsp.unlink,
  stat: fsp.stat,
  utimes: fsp.utimes,
  readdir: (p) => fsp.readdir(p),
  statfs: fsp.statfs,
};

/** The errno code of a Node system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
