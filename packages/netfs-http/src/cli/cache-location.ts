/** Where the cache lives: by default the XDG cache directory, as users of Linux tools expect. */
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isCacheDir, nodeIo } from '@armvm/cachefiles';

/** `$XDG_CACHE_HOME/fscache`, else `~/.cache/fscache`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'fscache');
}

/**
 * The real path of an existing cache directory. A directory that is not a cache is an error,
 * so a mistyped `--cache` is reported rather than made into a new, empty cache.
 */
export async function existingCache(dir: string): Promise<string> {
  if (!(await isCacheDir(dir, nodeIo))) throw new Error(`no cache at ${dir} (fscache get makes one)`);
  return realpath(dir);
}
