/**
 * The cache-backend API: what a cache (in memory, on disk) implements for the core. Calls that
 * may touch a slow medium return a value or a promise; the core does not await synchronous ones.
 */
import type { FscacheCookie } from './cookie.ts';
import type { FscacheObject, ObjectBackend, ObjectCache } from './object.ts';
import type { MaybePromise } from './worker-pool.ts';

/**
 * A cache backend. Errors are thrown as FscacheError or Node system errors with their codes. The
 * calls about one object or its pages are in ObjectBackend, which objects reach through their
 * cache; the calls here concern the whole cache.
 */
export interface CacheBackend extends ObjectBackend {
  /** The backend's name, for listings. */
  readonly name: string;
  /** Bytes in one page of this cache (default 4096): the unit of reads and writes. */
  readonly pageSize?: number;
  /** Sets up the cache and returns its root object, which backs the master index. */
  initCache(cache: ObjectCache): MaybePromise<FscacheObject>;
  /** Allocates an object for `cookie` (no I/O). Throw ENOMEM if that is impossible. */
  allocObject(cache: ObjectCache, cookie: FscacheCookie): FscacheObject;
  /** Makes everything written so far durable. */
  syncCache?(cache: ObjectCache): MaybePromise<void>;
  /** The cache is going: forget every page association. */
  dissociatePages?(cache: ObjectCache): void;
}
