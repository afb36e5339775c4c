/**
 * The HTTP netfs over an on-disk FS-Cache, opened the way the `fscache` command opens it: a
 * cachefiles directory (shared with any other process using it), the culler run once, and one
 * HttpNetfs shared by every URL the VMM reads (kernel, initrd, drives).
 */
import { CacheFiles, Culler } from '@armvm/cachefiles';
import { Fscache, type FscacheCache } from '@armvm/fscache';
import { HttpNetfs } from '@armvm/netfs-http';

/** Options of `openRemoteCache`. */
export interface RemoteCacheOptions {
  /** Cache directory; without one, URLs are read without caching. */
  cacheDir?: string;
  /** How long a cached copy is trusted without asking the server, in ms. */
  maxAgeMs?: number;
  /** Told of anything worth a warning (e.g. the cache declining a file for want of space). */
  warn?: (message: string) => void;
}

/** An open netfs and the cache behind it. */
export interface RemoteCache {
  /** The netfs to open URLs with. */
  readonly netfs: HttpNetfs;
  /** True when a disk cache backs the netfs. */
  readonly cached: boolean;
  /** The FS-Cache statistics text (`/proc/fs/fscache/stats` format). */
  statsText(): string;
  /** Closes the netfs, withdraws the cache and closes its directory. */
  close(): Promise<void>;
}

/** Opens the netfs, with a disk cache when `cacheDir` is given and free. */
export async function openRemoteCache(options: RemoteCacheOptions = {}): Promise<RemoteCache> {
  const fscache = new Fscache();
  // Several processes share a cache directory, so opening it no longer fails for being in use.
  const disk = options.cacheDir !== undefined ? await CacheFiles.open({ dir: options.cacheDir }) : null;
  if (disk) {
    const told = new Set<string>();
    disk.onDecline = (why) => {
      if (told.has(why)) return;
      told.add(why);
      options.warn?.(
        why === 'too-big'
          ? 'a file is bigger than the cache can hold; reading it without caching'
          : 'the cache is at its disk limit; reading on without caching',
      );
    };
  }
  let cache: FscacheCache | null = null;
  if (disk) {
    cache = await fscache.addCache(disk, 'disk');
    await new Culler(disk).check();
  }
  const netfs = new HttpNetfs({
    fscache,
    ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
  });
  return {
    netfs,
    cached: cache !== null,
    statsText: () => fscache.statsText(),
    close: async () => {
      await netfs.close();
      if (cache) await fscache.withdrawCache(cache);
      await disk?.close();
    },
  };
}
