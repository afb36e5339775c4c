/** Set-up for disk cache tests: a temporary directory, an FS-Cache instance and a netfs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckAux, type CookieDef, Fscache } from '@armvm/fscache';
import { CacheFiles, type CacheFilesOptions } from '../cachefiles.ts';

/** A remote file as a netfs describes it. */
export interface Remote {
  path: string;
  etag: string;
  size: number;
}

/** A data file keyed by path, coherent by ETag, sized by its length. */
export const remoteDef: CookieDef<Remote> = {
  name: 'remote',
  type: 'data',
  getKey: (r) => r.path,
  getAux: (r) => r.etag,
  checkAux: (r, aux) => (new TextDecoder().decode(aux) === r.etag ? CheckAux.OKAY : CheckAux.OBSOLETE),
  getAttr: (r) => r.size,
};

/** A server index keyed by name. */
export const serverDef: CookieDef<string> = { name: 'server', type: 'index', getKey: (s) => s };

/** A fresh temporary directory, removed by the returned function. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cachefiles-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Opens the disk cache in `dir` under a new FS-Cache instance with a netfs "t". */
export async function openCache(dir: string, options: Partial<CacheFilesOptions> = {}, version = 1) {
  const bugs: unknown[] = [];
  const fs = new Fscache({ debug: 0, onBug: (e) => bugs.push(e) });
  const disk = await CacheFiles.open({ dir, blockSize: 4096, durable: false, flushDelayMs: 5, ...options });
  const cache = await fs.addCache(disk, 'disk');
  const netfs = fs.registerNetfs({ name: 't', version });
  const close = async () => {
    await fs.unregisterNetfs(netfs).catch(() => {});
    await fs.close();
    await disk.close();
  };
  return { fs, disk, cache, netfs, bugs, close };
}

/** Bytes of a block, filled from a seed so any mix-up shows. */
export function block(seed: number, size = 4096): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

/**
 * Waits for `cond` to hold, checking it once a turn of the event loop; fails naming `what` if it
 * still does not after `turns` turns. Disk work finishes on other threads while the loop turns
 * fast, hence the many turns allowed.
 */
export async function until(cond: () => boolean, what: string, turns = 100_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  if (!cond()) throw new Error(`gave up after ${turns} turns waiting for ${what}`);
}
