/** Shared set-up for the core's tests: an instance with a memory cache and simple definitions. */
import type { FscacheCookie } from '../cookie.ts';
import { CheckAux, type CookieDef } from '../cookie-def.ts';
import { Fscache, type FscacheOptions } from '../fscache.ts';
import { MemoryCache, type MemoryCacheFaults } from '../memory-cache.ts';
import type { FscacheObject } from '../object.ts';
import type { ReadResult } from '../page-ops.ts';

/** A file as a netfs might describe it. */
export interface FileData {
  name: string;
  version: number;
  size?: number;
  uncached?: number;
  marked?: number[];
}

/** An index keyed by a string. */
export const indexDef: CookieDef<string> = { name: 'index', type: 'index', getKey: (d) => d };

/** An index that sends its children to the cache tagged by its data (`tag/name`). */
export const taggedIndexDef: CookieDef<string> = {
  name: 'tagged',
  type: 'index',
  getKey: (d) => d,
  selectCache: (_p, d) => d.split('/')[0] ?? null,
};

/** A data file keyed by name whose aux data is its version. */
export const fileDef: CookieDef<FileData> = {
  name: 'file',
  type: 'data',
  getKey: (d) => d.name,
  getAux: (d) => `v${d.version}`,
  checkAux: (d, aux) => {
    const stored = new TextDecoder().decode(aux);
    if (stored === `v${d.version}`) return CheckAux.OKAY;
    if (stored === `v${d.version}-old`) return CheckAux.NEEDS_UPDATE;
    return CheckAux.OBSOLETE;
  },
  getAttr: (d) => d.size ?? 0,
  nowUncached: (d) => {
    d.uncached = (d.uncached ?? 0) + 1;
  },
  markPagesCached: (d, pages) => {
    (d.marked ??= []).push(...pages);
  },
};

/** One turn of the event loop: what is already due (promises, I/O callbacks) runs first. */
function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Lets every queued piece of work run to completion: the pool stays quiet for `rounds` turns. */
export async function settle(fs: Fscache, rounds = 3): Promise<void> {
  for (let quiet = 0; quiet < rounds;) {
    await fs.pool.drain();
    await turn();
    quiet = fs.pool.queued === 0 && fs.pool.busy === 0 ? quiet + 1 : 0;
  }
}

/**
 * Waits for `cond` to hold, checking it once a turn of the event loop; fails naming `what` if it
 * still does not after `turns` turns. Tests wait on the state they need this way, not on time.
 */
export async function until(cond: () => boolean, what: string, turns = 1000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await turn();
  }
  if (!cond()) throw new Error(`gave up after ${turns} turns waiting for ${what}`);
}

/** An instance with one memory cache tagged "mem" and a netfs "test"; bugs are collected. */
export async function setup(options: FscacheOptions & { faults?: MemoryCacheFaults } = {}) {
  const bugs: unknown[] = [];
  const fs = new Fscache({ debug: 0, onBug: (e) => bugs.push(e), ...options });
  const mem = new MemoryCache({ faults: options.faults ?? {} });
  const cache = await fs.addCache(mem, 'mem');
  const netfs = fs.registerNetfs({ name: 'test', version: 1 });
  return { fs, mem, cache, netfs, bugs };
}

/** A page of `size` bytes filled with `byte`. */
export function page(byte: number, size = 4096): Uint8Array {
  return new Uint8Array(size).fill(byte);
}

/**
 * Stores page 0 of `cookie` in the cache, drops it from the page cache and reads it again, so that
 * the read goes to the backend, whose `read` fault holds it; returns once `reading` says the fault
 * has been reached, with the cookie's object and the read still in flight.
 */
export async function startHeldRead(
  fs: Fscache,
  cookie: FscacheCookie | null,
  reading: () => boolean,
): Promise<{ object: FscacheObject; read: Promise<ReadResult> }> {
  await fs.readOrAllocPage(cookie, 0);
  await fs.writePage(cookie, 0, page(1));
  fs.uncachePage(cookie, 0);
  const object = cookie!.backingObjects[0]!;
  const read = fs.readOrAllocPage(cookie, 0);
  await until(reading, 'the read to reach the backend');
  return { object, read };
}
