/**
 * A cache registered with the core, and the calls its backend makes back into the core
 * (objectObtained, objectLookupNegative, ioError, checkAux).
 */
import type { CacheBackend } from './backend.ts';
import { CheckAux } from './cookie-def.ts';
import type { FscacheContext } from './fscache-context.ts';
import type { FscacheObject, ObjectCache } from './object.ts';
import { objectLookupNegative, objectObtained, runObject } from './object-state-machine.ts';
import { CHECK_AUX_COUNTERS } from './outcome.ts';
import { collectDeferredOperations } from './operation.ts';
import { TraceStream } from './trace.ts';
import type { MaybePromise } from './worker-pool.ts';

/** What a cache uses of the core: the context its objects run in, and withdrawal. */
export interface CacheContext extends FscacheContext {
  /** Withdraws `cache`; resolves once it is gone. */
  withdrawCache(cache: FscacheCache): Promise<void>;
}

/** The page size of a backend that does not say. */
export const DEFAULT_PAGE_SIZE = 4096;

/** One cache: a backend under a tag. */
export class FscacheCache implements ObjectCache {
  readonly tag: string;
  readonly backend: CacheBackend;
  /** Every live object of this cache, the root included. */
  readonly objects = new Set<FscacheObject>();
  /** The root object, backing the master index. */
  root: FscacheObject | null = null;
  #ioErrorSeen = false;
  #withdrawn = false;
  /** @internal objects allocated and not yet dead. */
  liveObjects = 0;
  readonly #fs: CacheContext;

  constructor(fs: CacheContext, backend: CacheBackend, tag: string) {
    this.#fs = fs;
    this.backend = backend;
    this.tag = tag;
  }

  /** Set once the backend reported an I/O error: nothing but dissociation passes any more. */
  get ioErrorSeen(): boolean {
    return this.#ioErrorSeen;
  }

  /** Set once withdrawal starts. */
  get withdrawn(): boolean {
    return this.#withdrawn;
  }

  /** @internal withdrawal has started: no new objects, lookups stop. */
  markWithdrawn(): void {
    this.#withdrawn = true;
  }

  /** Backend report: the object was found, or has been created (the core moves it on). */
  objectObtained(object: FscacheObject): void {
    objectObtained(this.#fs, object);
  }

  /** Backend report: the object was not found (or was stale); return, and be called to create it. */
  objectLookupNegative(object: FscacheObject): void {
    objectLookupNegative(this.#fs, object);
  }

  /** Backend call: the medium failed. From now on operations get ENOBUFS; withdraw the cache. */
  ioError(): void {
    if (this.#ioErrorSeen) return;
    this.#ioErrorSeen = true;
    this.#fs.tracer.debug(
      TraceStream.CACHE,
      'fscach',
      `FS-Cache: Cache ${this.tag} stopped due to I/O error`,
    );
  }

  /** Backend call: the cache wants out (after an I/O error, say). Resolves once withdrawn. */
  withdraw(): Promise<void> {
    return this.#fs.withdrawCache(this);
  }

  /** Bytes in one page of this cache. */
  get pageSize(): number {
    return this.backend.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /** Backend call: asks the netfs whether aux data found with `object` is still good. */
  checkAux(object: FscacheObject, aux: Uint8Array): CheckAux {
    const cookie = object.cookie;
    if (!cookie || cookie.relinquished || !cookie.def.checkAux) {
      this.#fs.stats.n.checkauxNone++;
      return CheckAux.OKAY;
    }
    const verdict = cookie.def.checkAux(cookie.netfsData as never, aux);
    // The netfs's answer is checked, not trusted: anything but a verdict is its bug.
    if (!Object.hasOwn(CHECK_AUX_COUNTERS, verdict))
      throw new TypeError(`checkAux of "${cookie.name}" returned ${JSON.stringify(verdict)}`);
    this.#fs.stats.n[CHECK_AUX_COUNTERS[verdict]]++;
    return verdict;
  }

  /** @internal runs once the pool has let go of the object: the deferred-release collector. */
  afterRun(object: FscacheObject): void {
    collectDeferredOperations(this.#fs, object);
  }

  /** @internal the worker pool's entry into an object's state machine. */
  runObject(object: FscacheObject, worker: number): MaybePromise<void> {
    return runObject(this.#fs, object, worker);
  }
}
