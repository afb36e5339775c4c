/**
 * The cache-backend API: what a cache (in memory, on disk) implements for the core. Calls that
 * may touch a slow medium return a value or a promise; the core does not await synchronous ones.
 */
import type { FscacheCache } from './cache.ts';
import type { FscacheCookie } from './cookie.ts';
import type { FscacheObject } from './object.ts';
import type { FscacheOperation } from './operation.ts';
import type { MaybePromise } from './worker-pool.ts';

/** What a page read finds: the bytes, or null where a block was only reserved (no data yet). */
export type PageData = Uint8Array | null;

/** A cache backend. Errors are thrown as FscacheError or Node system errors with their codes. */
export interface CacheBackend {
  /** The backend's name, for listings. */
  readonly name: string;
  /** Bytes in one page of this cache (default 4096): the unit of reads and writes. */
  readonly pageSize?: number;
  /** Sets up the cache and returns its root object, which backs the master index. */
  initCache(cache: FscacheCache): MaybePromise<FscacheObject>;
  /** Allocates an object for `cookie` (no I/O). Throw ENOMEM if that is impossible. */
  allocObject(cache: FscacheCache, cookie: FscacheCookie): FscacheObject;
  /**
   * Finds the object on the medium below its parent and calls `cache.objectObtained(object)`; or,
   * if it is absent or stale, calls `cache.objectLookupNegative(object)`, creates it and calls
   * `cache.objectObtained(object)`. Those calls report; the core moves the object on once this
   * call returns. Throw ETIMEDOUT to be called again later; any other error fails the object.
   */
  lookupObject(object: FscacheObject): MaybePromise<void>;
  /** Lookup is over, successful or not: free anything kept for it. */
  lookupComplete?(object: FscacheObject): void;
  /** Takes a reference on the object; return null if it cannot be had. */
  grabObject?(object: FscacheObject): FscacheObject | null;
  /** Drops a reference taken by allocObject or grabObject. */
  putObject?(object: FscacheObject): void;
  /** Stores the cookie's current aux data with the object. */
  updateObject?(object: FscacheObject): MaybePromise<void>;
  /** Lets go of the object; delete its data if `object.state` is RECYCLING. */
  dropObject?(object: FscacheObject): MaybePromise<void>;
  /** Makes everything written so far durable. */
  syncCache?(cache: FscacheCache): MaybePromise<void>;
  /** The object's size changed (`object.cookie.objectSize()`): trim or extend. */
  attrChanged?(object: FscacheObject): MaybePromise<void>;
  /** Reads pages; for each, the bytes or null where it reserved a block that has no data yet. */
  readOrAllocPages(op: FscacheOperation<FscacheObject>, pages: readonly number[]): MaybePromise<PageData[]>;
  /** Reserves blocks for pages that will be written. */
  allocatePages?(op: FscacheOperation<FscacheObject>, pages: readonly number[]): MaybePromise<void>;
  /** Stores one page. It may decline to store (then the next read must return no data). */
  writePage(op: FscacheOperation<FscacheObject>, page: number, data: Uint8Array): MaybePromise<void>;
  /** The netfs no longer tracks this page. */
  uncachePage?(object: FscacheObject, page: number): void;
  /** The cache is going: forget every page association. */
  dissociatePages?(cache: FscacheCache): void;
}
