/**
 * Looking after a cache directory: `fscache limits` (the saved limits), `fscache cull`,
 * `fscache rm URL...` and `fscache purge`. Each works on an existing cache only, beside any
 * running gets: an object in use is never removed.
 */
import { statfs } from 'node:fs/promises';
import {
  CacheFiles,
  type CacheSettings,
  completeLimits,
  Culler,
  listObjects,
  readCacheSettings,
  writeCacheSettings,
} from '@armvm/cachefiles';
import { RemoteUrlError } from '../errors.ts';
import { parseRemoteUrl } from '../remote-url.ts';
import { existingCache } from './cache-location.ts';
import { objectUrl } from './cache-commands.ts';
import { formatAge, UsageError } from './option-values.ts';
import { CULL_LIMIT_NAMES, type LimitFlags } from './program.ts';
import { formatBytes } from './progress-bar.ts';

/** The saved settings with the command line's limits laid over them (`null` clears one). */
export function applyLimits(saved: CacheSettings, given: LimitFlags): CacheSettings {
  const next: CacheSettings = { ...saved, limits: { ...saved.limits } };
  if (given.maxSize === null) delete next.maxBytes;
  else if (given.maxSize !== undefined) next.maxBytes = given.maxSize;
  if (given.maxAge === null) delete next.maxAgeMs;
  else if (given.maxAge !== undefined) next.maxAgeMs = given.maxAge;
  for (const k of CULL_LIMIT_NAMES) if (given[k] !== undefined) next.limits![k] = given[k];
  if (Object.keys(next.limits!).length === 0) delete next.limits;
  completeLimits(next.limits ?? {}); // a bad combination fails here, before anything is saved or culled
  return next;
}

/** One line per kind of limit, as `fscache limits` and `fscache cull` print them. */
function describeLimits(s: CacheSettings): string {
  const l = completeLimits(s.limits ?? {});
  return (
    `max-size=${s.maxBytes === undefined ? 'none' : formatBytes(s.maxBytes)} ` +
    `max-age=${s.maxAgeMs === undefined ? 'none' : formatAge(s.maxAgeMs)}\n` +
    `${CULL_LIMIT_NAMES.map((k) => `${k}=${l[k]}%`).join(' ')}\n`
  );
}

/** Shows the saved limits, or sets and saves them (making the cache directory if need be). */
export async function limitsCommand(
  dir: string,
  given: LimitFlags,
  reset: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  applyLimits({}, given);
  if (!reset && Object.keys(given).length === 0) {
    out.write(describeLimits(await readCacheSettings(await existingCache(dir))));
    return 0;
  }
  const next = applyLimits(reset ? {} : await readCacheSettings(dir).catch(() => ({})), given);
  const disk = await CacheFiles.open({ dir });
  try {
    await writeCacheSettings(disk.dir.root, next);
  } finally {
    await disk.close();
  }
  out.write(describeLimits(next));
  return 0;
}

/** Culls now to the saved limits, with those given laid over them for this run. */
export async function cullCommand(
  dir: string,
  given: LimitFlags,
  force: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  applyLimits({}, given); // a bad line is a usage error wherever the cache is
  const root = await existingCache(dir);
  const s = applyLimits(await readCacheSettings(root), given);
  const disk = await CacheFiles.open({ dir: root, mustExist: true });
  try {
    const culler = new Culler(disk, {
      limits: s.limits ?? {},
      ...(s.maxBytes !== undefined ? { maxBytes: s.maxBytes } : {}),
      ...(s.maxAgeMs !== undefined ? { maxAgeMs: s.maxAgeMs } : {}),
    });
    if (!force) {
      const why = await unreachable(root, culler);
      if (why)
        throw new Error(`${why}; nothing was culled (--force culls anyway, fscache purge empties the cache)`);
    }
    const r = await culler.check();
    out.write(
      `${r.state}: culled ${r.culled} objects (${formatBytes(r.culledBytes)}); free blocks ${r.freeBlocksPct.toFixed(1)}%, free files ${r.freeFilesPct.toFixed(1)}%\n`,
    );
  } finally {
    await disk.close();
  }
  return 0;
}

// Why culling could not meet the free-space limits even by discarding everything, if it could not:
// culling then would only empty the cache (cachefilesd would; a command asked for by hand should not).
async function unreachable(root: string, culler: Culler): Promise<string | null> {
  const s = await statfs(root);
  const l = culler.limits;
  const free = s.blocks ? (s.bavail / s.blocks) * 100 : 100;
  if (free >= l.bcull) return null;
  const held = await culler.heldBytes();
  const reachable = s.blocks ? ((s.bavail + held / s.bsize) / s.blocks) * 100 : 100;
  if (reachable >= l.bcull) return null;
  return `the disk has ${free.toFixed(1)}% free and --bcull is ${l.bcull}%: discarding all ${formatBytes(held)} the cache holds would still leave it below`;
}

/** Removes the cached copies of `urls`. */
export async function rmCommand(
  dir: string,
  urls: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const wanted = urls.map((u) => {
    try {
      const r = parseRemoteUrl(u);
      return `${r.origin}${r.key}`;
    } catch (e) {
      if (e instanceof RemoteUrlError) throw new UsageError(`${u}: ${e.message}`);
      throw e;
    }
  });
  const root = await existingCache(dir);
  const byUrl = new Map<string, string[]>();
  for (const o of await listObjects(root)) {
    if (o.type === 'index') continue;
    const u = objectUrl(o);
    byUrl.set(u, [...(byUrl.get(u) ?? []), o.path]);
  }
  const disk = await CacheFiles.open({ dir: root, mustExist: true });
  let status = 0;
  try {
    const culler = new Culler(disk);
    for (const [i, u] of wanted.entries()) {
      const paths = byUrl.get(u);
      if (!paths) {
        err.write(`fscache: ${urls[i]} is not cached\n`);
        status = 1;
        continue;
      }
      const r = await culler.discard(new Set(paths));
      if (r.inUse > 0) {
        err.write(`fscache: ${urls[i]} is being fetched by another process; not removed\n`);
        status = 1;
      } else out.write(`removed ${u} (${formatBytes(r.discardedBytes)} on disk)\n`);
    }
  } finally {
    await disk.close();
  }
  return status;
}

/** Removes every cached object not in use. */
export async function purgeCommand(dir: string, out: NodeJS.WritableStream): Promise<number> {
  const root = await existingCache(dir);
  const disk = await CacheFiles.open({ dir: root, mustExist: true });
  try {
    const r = await new Culler(disk).discard();
    out.write(
      `removed ${r.discarded} objects (${formatBytes(r.discardedBytes)} on disk)${r.inUse ? `; ${r.inUse} in use by running gets were left` : ''}\n`,
    );
  } finally {
    await disk.close();
  }
  return 0;
}
