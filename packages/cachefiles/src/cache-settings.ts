/**
 * A cache directory's saved settings (`<dir>/settings.json`): the limits every user of the
 * directory keeps, so that a limit set once (`fscache limits --max-size 2G`) holds for every
 * later process, as cachefilesd's limits live in its configuration file rather than on each
 * command line.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from './cache-io.ts';
import type { CullLimits } from './culler.ts';

/** The settings of a cache directory; anything absent takes its default. */
export interface CacheSettings {
  /** cachefilesd's limits, percentages of free blocks and files. */
  limits?: Partial<CullLimits>;
  /** The most bytes the data objects may take on disk. */
  maxBytes?: number;
  /** Objects unused for longer than this many ms are discarded. */
  maxAgeMs?: number;
}

/** The settings file's name inside a cache directory. */
export const SETTINGS_FILE = 'settings.json';

const LIMIT_NAMES = ['brun', 'bcull', 'bstop', 'frun', 'fcull', 'fstop'] as const;

/** Reads a cache directory's settings; none saved is `{}`. A damaged file is EINVAL, not ignored. */
export async function readCacheSettings(dir: string): Promise<CacheSettings> {
  const path = join(dir, SETTINGS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return {};
    throw err;
  }
  try {
    return checkSettings(JSON.parse(text));
  } catch (err) {
    // Not EINVAL: the file is at fault, not the caller's arguments.
    throw new Error(`${path} is damaged (${(err as Error).message}); remove it or set the limits again`);
  }
}

/** Saves settings atomically (a temporary renamed into place), so a reader never sees half. */
export async function writeCacheSettings(dir: string, settings: CacheSettings): Promise<void> {
  const path = join(dir, SETTINGS_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(checkSettings(settings), null, 2)}\n`);
  await rename(tmp, path);
}

// Only known fields with numbers of 0 or more; anything else is refused rather than half-used.
function checkSettings(raw: unknown): CacheSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not an object');
  const r = raw as Record<string, unknown>;
  const num = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`${what} is not a number of 0 or more`);
    return v;
  };
  const out: CacheSettings = {};
  for (const k of Object.keys(r))
    if (!['limits', 'maxBytes', 'maxAgeMs'].includes(k)) throw new Error(`unknown setting "${k}"`);
  if (r.maxBytes !== undefined) out.maxBytes = num(r.maxBytes, 'maxBytes');
  if (r.maxAgeMs !== undefined) out.maxAgeMs = num(r.maxAgeMs, 'maxAgeMs');
  if (r.limits !== undefined) {
    if (typeof r.limits !== 'object' || r.limits === null) throw new Error('limits is not an object');
    const l = r.limits as Record<string, unknown>;
    const limits: Partial<CullLimits> = {};
    for (const k of Object.keys(l)) {
      if (!(LIMIT_NAMES as readonly string[]).includes(k)) throw new Error(`unknown limit "${k}"`);
      limits[k as keyof CullLimits] = num(l[k], k);
    }
    out.limits = limits;
  }
  return out;
}
