/**
 * One FS-Cache instance: the netfs API (register, acquire, relinquish, update, page operations)
 * and the backend API (add and withdraw caches), with its worker pool, stats and tracing.
 */
import type { CacheBackend } from './backend.ts';
import { type CacheContext, FscacheCache } from './cache.ts';
import { type Clock, realClock } from './clock.ts';
import { CookieFlag, FscacheCookie } from './cookie.ts';
import { CheckAux, type CookieDef, validateCookieDef } from './cookie-def.ts';
import { assert, FscacheAssertionError, FscacheError, hasCode } from './errors.ts';
import { FscacheHistogram } from './histogram.ts';
import type { FscacheObject, ObjectCache, ObjectCookie } from './object.ts';
import { ObjectEvent, ObjectState } from './object-state.ts';
import { activateRoot, raiseEvent } from './object-state-machine.ts';
import { FscacheOperation, submitOperation } from './operation.ts';
import { COOKIE_TYPE_COUNTERS, countAcquired, countCall, countCookieCall, countOutcome } from './outcome.ts';
import {
  type AllocResult,
  allocPage,
  type ReadOptions,
  type ReadPagesResult,
  type ReadResult,
  readOrAllocPage,
  readOrAllocPages,
  uncachePage,
  type WriteResult,
  writePage,
} from './page-ops.ts';
import { FscacheStats, type FscacheStatsSnapshot } from './stats.ts';
import { parseTraceMask, Tracer, type TraceSink, TraceStream, traceMaskFromEnv } from './trace.ts';
import { WorkerPool } from './worker-pool.ts';

/** Options of an FS-Cache instance. */
export interface FscacheOptions {
  /** Workers kept ready (default 4). */
  minWorkers?: number;
  /** Most workers at once (default 32). */
  maxWorkers?: number;
  /** Look data cookies up in the background; when false, acquireCookie waits for lookup (default true). */
  deferLookup?: boolean;
  /** Create missing objects in the background; when false, acquireCookie waits for creation (default true). */
  deferCreate?: boolean;
  /**
   * The time (default the real clock): the histograms count whole milliseconds of it, as the
   * kernel counted jiffies. A netfs built on this instance takes it as its own default.
   */
  clock?: Clock;
  /** Trace mask: a number or a list such as `cookie,page.enter` (default from the environment). */
  debug?: number | string;
  /** Where trace lines go (default stderr). */
  traceSink?: TraceSink;
  /** Called with a broken invariant found on a worker (default: rethrown, crashing loudly). */
  onBug?: (err: unknown) => void;
}

/** A registered network filesystem and its primary index cookie. */
export interface Netfs {
  readonly name: string;
  readonly version: number;
  readonly primaryIndex: FscacheCookie;
}

/** The outcome of attrChanged. */
export type AttrChangedResult = { status: 'ok' } | { status: 'ENOBUFS' } | { status: 'ENOMEM' };
const ATTR_OK = Object.freeze({ status: 'ok' }) as { status: 'ok' };

// An attribute change's work.
function changeAttributes(op: FscacheOperation<FscacheObject>) {
  const r = op.object!.cache.backend.attrChanged?.(op.object!);
  return r instanceof Promise ? r.then(() => ATTR_OK) : ATTR_OK;
}

const MASTER_INDEX_DEF: CookieDef<null> = { name: '.fscache', type: 'index', getKey: () => '' };

/** An FS-Cache instance. */
export class Fscache implements CacheContext {
  readonly stats: FscacheStats;
  readonly histogram = new FscacheHistogram();
  readonly tracer: Tracer;
  readonly pool: WorkerPool;
  readonly clock: Clock;
  readonly deferLookup: boolean;
  readonly deferCreate: boolean;
  /** The master index: the root of every cookie tree. */
  readonly masterIndex: FscacheCookie;
  /** Cookies alive now (the master index included). */
  liveCookies = 1;
  /** Objects alive now, in every cache. */
  liveObjects = 0;
  /** The last error a backend reported, for diagnostics. */
  lastBackendError: unknown = null;
  /** Observers for tests and tools: each state change, and each state-machine run. */
  onTransition?: (object: FscacheObject, from: ObjectState, to: ObjectState) => void;
  onRunStart?: (object: FscacheObject, worker: number) => void;
  onRunEnd?: (object: FscacheObject, worker: number) => void;

  readonly #caches: FscacheCache[] = [];
  readonly #netfs = new Map<string, Netfs>();
  readonly #withdrawals = new Map<ObjectCache, { promise: Promise<void>; resolve: () => void }>();
  readonly #onBug: (err: unknown) => void;
  #debugIds = 0;

  constructor(options: FscacheOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.deferLookup = options.deferLookup ?? true;
    this.deferCreate = options.deferCreate ?? true;
    const mask =
      options.debug === undefined
        ? traceMaskFromEnv()
        : typeof options.debug === 'number'
          ? options.debug
          : parseTraceMask(options.debug);
    this.tracer = new Tracer(mask, options.traceSink);
    this.#onBug =
      options.onBug ??
      ((err) => {
        process.nextTick(() => {
          throw err;
        });
      });
    this.pool = new WorkerPool({
      minWorkers: options.minWorkers ?? 4,
      maxWorkers: options.maxWorkers ?? 32,
      onError: (err) => this.#onBug(err),
    });
    this.stats = new FscacheStats(this.pool.maxWorkers);
    this.masterIndex = new FscacheCookie(
      this.nextDebugId(),
      null,
      MASTER_INDEX_DEF as CookieDef<never>,
      null,
    );
  }

  /** @internal a fresh debug id. */
  nextDebugId(): number {
    return ++this.#debugIds;
  }

  /** The caches in order of preference (the first is used when the netfs has none). */
  get caches(): readonly FscacheCache[] {
    return this.#caches;
  }

  // ---- netfs API ----

  /** Registers a netfs: its primary index is keyed by name; a version change obsoletes its tree. */
  registerNetfs(spec: { name: string; version: number }): Netfs {
    if (typeof spec?.name !== 'string' || spec.name.length === 0) throw new TypeError('netfs needs a name');
    if (!Number.isInteger(spec.version) || spec.version < 0 || spec.version > 0xffffffff) {
      throw new TypeError(`netfs "${spec.name}" version must be a 32-bit unsigned integer`);
    }
    if (this.#netfs.has(spec.name))
      throw new FscacheError('EEXIST', `netfs "${spec.name}" is already registered`);
    const version = new Uint8Array(4);
    new DataView(version.buffer).setUint32(0, spec.version);
    const def: CookieDef<null> = {
      name: spec.name.slice(0, 16),
      type: 'index',
      getKey: () => spec.name,
      getAux: () => version,
      checkAux: (_d, aux) =>
        aux.length === 4 && new DataView(aux.buffer, aux.byteOffset, 4).getUint32(0) === spec.version
          ? CheckAux.OKAY
          : CheckAux.OBSOLETE,
    };
    const primaryIndex = this.#newCookie(this.masterIndex, def as CookieDef<never>, null);
    const netfs: Netfs = { name: spec.name, version: spec.version, primaryIndex };
    this.#netfs.set(spec.name, netfs);
    this.tracer.debug(TraceStream.COOKIE, 'netfs', `FS-Cache: Netfs '${spec.name}' registered for caching`);
    return netfs;
  }

  /** Unregisters a netfs; every cookie below its primary index must be relinquished first. */
  async unregisterNetfs(netfs: Netfs): Promise<void> {
    if (this.#netfs.get(netfs.name) !== netfs)
      throw new FscacheError('EINVAL', `netfs "${netfs.name}" is not registered`);
    this.#netfs.delete(netfs.name);
    await this.#relinquish(netfs.primaryIndex, false);
  }

  /**
   * Gets a cookie for `netfsData` below `parent`. Returns null (meaning "not cached") when the
   * parent is null or no cache can hold the object. Data cookies start their lookup at once.
   */
  async acquireCookie<D>(
    parent: FscacheCookie | null,
    def: CookieDef<D>,
    netfsData: D,
  ): Promise<FscacheCookie | null> {
    if (this.tracer.mask)
      this.tracer.enter(
        TraceStream.COOKIE,
        'netfs',
        'fscache_acquire_cookie',
        `${parent?.name},${def?.name}`,
      );
    if (!countCookieCall(this, 'acquire', parent)) return null;
    validateCookieDef(def as CookieDef<never>);
    assert(!parent.relinquished, `cookie "${def.name}" acquired below relinquished cookie "${parent.name}"`);
    if (def.type === 'index' && parent.type !== 'index') {
      throw new TypeError(`index cookie "${def.name}" cannot sit below non-index cookie "${parent.name}"`);
    }
    const cookie = this.#newCookie(parent, def as CookieDef<never>, netfsData);
    this.stats.n[COOKIE_TYPE_COUNTERS[def.type]]++;

    if (def.type !== 'index') {
      const r = this.#acquireNonIndex(cookie);
      if (r !== 'ok') {
        parent.nChildren--;
        cookie.flags = CookieFlag.RELINQUISHED;
        this.#putCookie(cookie);
        countAcquired(this, r);
        return null;
      }
      if (!this.deferLookup) await cookie.waitFlagClear(CookieFlag.LOOKING_UP);
      if (!this.deferCreate) await cookie.waitFlagClear(CookieFlag.CREATING);
    }
    countAcquired(this, 'ok');
    return cookie;
  }

  /**
   * Lets go of a cookie. Its objects die: with `retire` their data is deleted, otherwise kept.
   * Children must be relinquished first.
   */
  async relinquishCookie(cookie: FscacheCookie | null, options: { retire?: boolean } = {}): Promise<void> {
    if (!countCookieCall(this, 'relinquish', cookie)) return;
    assert(cookie !== this.masterIndex, 'the master index cannot be relinquished');
    await this.#relinquish(cookie, options.retire === true);
  }

  /** Asks every object of the cookie to store fresh aux data from the netfs. */
  updateCookie(cookie: FscacheCookie | null): void {
    if (!countCookieCall(this, 'update', cookie)) return;
    assert(!cookie.relinquished, `cookie "${cookie.name}" updated after relinquishment`);
    for (const object of cookie.backingObjects) raiseEvent(this, object, ObjectEvent.UPDATE);
  }

  /** Tells the cache the object's size changed; runs as an exclusive operation. */
  async attrChanged(cookie: FscacheCookie | null): Promise<AttrChangedResult> {
    countCall(this, 'attrChanged');
    const object = cookie?.backingObjects[0];
    if (!cookie || !object) return { status: countOutcome(this, 'attrChanged', 'ENOBUFS') };
    const op = new FscacheOperation(this, 'attrChanged', changeAttributes, null);
    const r = await submitOperation(this, object, op);
    return r.status === 'cancelled' ? { status: 'ENOBUFS' } : { status: r.status };
  }

  /** Reads one page from the cache, or reserves it: data, ENODATA (fetch and write it), ENOBUFS. */
  readOrAllocPage(cookie: FscacheCookie | null, page: number, options?: ReadOptions): Promise<ReadResult> {
    return readOrAllocPage(this, cookie, page, options);
  }

  /** Reads or reserves several pages; the status is the worst of theirs. */
  readOrAllocPages(
    cookie: FscacheCookie | null,
    pages: readonly number[],
    options?: ReadOptions,
  ): Promise<ReadPagesResult> {
    return readOrAllocPages(this, cookie, pages, options);
  }

  /** Reserves a page that the netfs will write. */
  allocPage(cookie: FscacheCookie | null, page: number): Promise<AllocResult> {
    return allocPage(this, cookie, page);
  }

  /** Stores a page read or reserved before; resolves once stored (or quietly dropped). */
  writePage(cookie: FscacheCookie | null, page: number, data: Uint8Array): Promise<WriteResult> {
    return writePage(this, cookie, page, data);
  }

  /** The netfs no longer holds this page. */
  uncachePage(cookie: FscacheCookie | null, page: number): void {
    uncachePage(this, cookie, page);
  }

  /**
   * Waits until the cookie's lookup is over (found, absent, or failed), so that its checkAux has
   * run if the cache held the object. Resolves false if `signal` aborts first.
   */
  waitForDeferredLookup(cookie: FscacheCookie | null, signal?: AbortSignal): Promise<boolean> {
    if (!cookie) return Promise.resolve(true);
    return cookie.waitFlagClear(CookieFlag.LOOKING_UP, signal);
  }

  /** Bytes per page of the cache backing this cookie, or 0 when it is not cached. */
  pageSize(cookie: FscacheCookie | null): number {
    return cookie?.backingObjects[0]?.cache.pageSize ?? 0;
  }

  // ---- backend API ----

  /** Adds a cache under a tag; netfs definitions select caches by tag. */
  async addCache(backend: CacheBackend, tag: string): Promise<FscacheCache> {
    if (typeof tag !== 'string' || tag.length === 0) throw new TypeError('a cache needs a tag');
    if (this.#caches.some((c) => c.tag === tag))
      throw new FscacheError('EEXIST', `cache tag "${tag}" is in use`);
    const cache = new FscacheCache(this, backend, tag);
    const init = backend.initCache(cache);
    const root = init instanceof Promise ? await init : init;
    if (this.#caches.some((c) => c.tag === tag))
      throw new FscacheError('EEXIST', `cache tag "${tag}" is in use`);
    this.stats.n.objectAlloc++;
    root.debugId = this.nextDebugId();
    activateRoot(this, root);
    root.cookie = this.masterIndex;
    this.masterIndex.backingObjects.push(root);
    this.masterIndex.usage++;
    cache.root = root;
    cache.objects.add(root);
    cache.liveObjects++;
    this.liveObjects++;
    this.#caches.push(cache);
    this.tracer.debug(TraceStream.CACHE, 'fscach', `FS-Cache: Cache "${tag}" added (type ${backend.name})`);
    return cache;
  }

  /**
   * Withdraws a cache: every object is detached and dropped (data kept), cookies lose their
   * backing, and the promise resolves once the last object is dead.
   */
  withdrawCache(cache: FscacheCache): Promise<void> {
    const existing = this.#withdrawals.get(cache);
    if (existing) return existing.promise;
    if (!this.#caches.includes(cache))
      return Promise.reject(new FscacheError('EINVAL', `cache "${cache.tag}" is not registered`));
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.#withdrawals.set(cache, { promise, resolve });
    cache.markWithdrawn();
    this.#caches.splice(this.#caches.indexOf(cache), 1);
    const sync = cache.backend.syncCache?.(cache);
    const kill = () => {
      for (const object of [...cache.objects]) raiseEvent(this, object, ObjectEvent.WITHDRAW);
      if (cache.liveObjects === 0) resolve();
    };
    if (sync instanceof Promise) {
      void sync.then(kill, (err) => {
        this.lastBackendError = err;
        kill();
      });
    } else kill();
    return promise.then(() => {
      cache.backend.dissociatePages?.(cache);
      this.tracer.debug(TraceStream.CACHE, 'fscach', `FS-Cache: Withdrawn cache "${cache.tag}"`);
    });
  }

  /** Withdraws every cache and waits for the pool to go quiet. */
  async close(): Promise<void> {
    await Promise.all([...this.#caches].map((c) => this.withdrawCache(c)));
    await this.pool.drain();
  }

  // ---- observability ----

  /** Counters in the format of /proc/fs/fscache/stats. */
  statsText(): string {
    return this.stats.text();
  }

  /** Timings in the format of /proc/fs/fscache/histogram. */
  histogramText(): string {
    return this.histogram.text();
  }

  /** Every counter as a plain object. */
  statsSnapshot(): FscacheStatsSnapshot {
    return this.stats.snapshot();
  }

  // ---- internals used by the state machine and the page operations ----

  /** @internal */
  raiseEvent(object: FscacheObject, event: ObjectEvent): void {
    raiseEvent(this, object, event);
  }

  /** @internal takes a core reference on an object. */
  grabObject(object: FscacheObject): void {
    object.usage++;
    object.cache.backend.grabObject?.(object);
  }

  /** @internal drops a core reference on an object. */
  putObject(object: FscacheObject): void {
    object.usage--;
    assert(object.usage >= 0, 'object reference count went negative', { objectId: object.debugId });
    object.cache.backend.putObject?.(object);
  }

  /** @internal a backend call failed on `object`: record it and fail the object. */
  objectIoFailed(object: FscacheObject, what: string, err: unknown): void {
    this.lastBackendError = err;
    this.tracer.debug(
      TraceStream.CACHE,
      'fscach',
      `${object}: ${what} failed: ${(err as Error)?.message ?? err}`,
    );
    if (hasCode(err, 'EIO')) object.cache.ioError();
    if (object.state < ObjectState.DYING) raiseEvent(this, object, ObjectEvent.ERROR);
  }

  /** @internal separates an object from its cookie; a data cookie left bare is told it is uncached. */
  detachCookie(object: FscacheObject): void {
    const cookie = object.cookie;
    if (!cookie) return;
    object.cookie = null;
    const list = cookie.backingObjects;
    const i = list.indexOf(object);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0 && !cookie.relinquished) {
      cookie.pages = null;
      cookie.clearFlags(CookieFlag.LOOKING_UP | CookieFlag.CREATING);
      if (cookie.type !== 'index') cookie.def.nowUncached?.(cookie.netfsData as never);
    }
    this.#putCookie(cookie);
  }

  /** @internal the state machine has finished with an object. */
  objectDead(object: FscacheObject): void {
    this.putObject(object);
    if (object.usage !== 0) {
      throw new FscacheAssertionError(`dead object still has ${object.usage} references`, {
        objectId: object.debugId,
        state: 'DEAD',
      });
    }
    const cache = object.cache;
    cache.liveObjects--;
    this.liveObjects--;
    if (cache.liveObjects === 0) this.#withdrawals.get(cache)?.resolve();
  }

  #newCookie(parent: FscacheCookie, def: CookieDef<never>, netfsData: unknown): FscacheCookie {
    const cookie = new FscacheCookie(this.nextDebugId(), parent, def, netfsData);
    parent.usage++;
    parent.nChildren++;
    this.liveCookies++;
    return cookie;
  }

  #putCookie(cookie: ObjectCookie): void {
    cookie.usage--;
    assert(cookie.usage >= 0, `cookie "${cookie.name}" reference count went negative`);
    if (cookie.usage === 0) {
      this.liveCookies--;
      if (cookie.parent) this.#putCookie(cookie.parent);
    }
  }

  async #relinquish(cookie: FscacheCookie, retire: boolean): Promise<void> {
    assert(!cookie.relinquished, `cookie "${cookie.name}" relinquished twice`);
    assert(cookie.nChildren === 0, `cookie "${cookie.name}" relinquished with ${cookie.nChildren} children`);
    if (this.tracer.mask)
      this.tracer.enter(TraceStream.COOKIE, 'netfs', 'fscache_relinquish_cookie', `${cookie.name},${retire}`);
    if (cookie.flags & CookieFlag.CREATING) {
      this.stats.n.relinquishesWaitcrt++;
      await cookie.waitFlagClear(CookieFlag.CREATING);
    }
    assert(!cookie.relinquished, `cookie "${cookie.name}" relinquished twice`);
    cookie.flags |= CookieFlag.RELINQUISHED;
    cookie.netfsData = null;
    cookie.pages = null;
    const event = retire ? ObjectEvent.RETIRE : ObjectEvent.RELEASE;
    const objects = cookie.backingObjects;
    cookie.backingObjects = [];
    for (const object of objects) {
      object.cookie = null;
      raiseEvent(this, object, event);
      cookie.usage--;
    }
    cookie.parent!.nChildren--;
    this.#putCookie(cookie);
  }

  #acquireNonIndex(cookie: FscacheCookie): 'ok' | 'ENOBUFS' | 'ENOMEM' {
    cookie.flags = CookieFlag.LOOKING_UP | CookieFlag.CREATING | CookieFlag.NO_DATA_YET;
    const cache = this.#selectCache(cookie.parent!);
    if (!cache) {
      this.stats.n.acquiresNoCache++;
      return 'ENOBUFS';
    }
    const r = this.#allocObject(cache, cookie);
    if (r !== 'ok') return r;
    this.pool.enqueue(cookie.backingObjects[0]!);
    return 'ok';
  }

  // The parent's first live object decides; an unbacked index asks the netfs; else the first cache.
  #selectCache(parent: FscacheCookie): FscacheCache | null {
    const first = parent.backingObjects[0];
    if (first) {
      // The object's cache as registered here; withdrawal takes a cache off the list at once.
      const cache = this.#caches.find((c) => c === first.cache);
      return first.isDead || !cache ? null : cache;
    }
    if (parent.type !== 'index') return null;
    const tag = parent.def.selectCache?.(parent.parent?.netfsData, parent.netfsData as never) ?? null;
    if (tag !== null) {
      const cache = this.#caches.find((c) => c.tag === tag);
      return cache && !cache.ioErrorSeen ? cache : null;
    }
    return this.#caches[0] ?? null;
  }

  // Gives `cookie` an object in `cache`, first giving its ancestors theirs (index objects are lazy).
  #allocObject(cache: FscacheCache, cookie: FscacheCookie): 'ok' | 'ENOBUFS' | 'ENOMEM' {
    const existing = cookie.objectIn(cache);
    if (existing) return existing.isDead ? 'ENOBUFS' : 'ok';
    if (cache.withdrawn || cache.ioErrorSeen) return 'ENOBUFS';
    let object: FscacheObject;
    try {
      object = cache.backend.allocObject(cache, cookie);
    } catch (err) {
      this.stats.n.objectNoAlloc++;
      this.lastBackendError = err;
      return hasCode(err, 'ENOMEM') ? 'ENOMEM' : 'ENOBUFS';
    }
    this.stats.n.objectAlloc++;
    object.debugId = this.nextDebugId();
    const parentCookie = cookie.parent!;
    const r = this.#allocObject(cache, parentCookie);
    const parentObject = r === 'ok' ? parentCookie.objectIn(cache) : undefined;
    if (!parentObject || parentObject.isDead) {
      cache.backend.putObject?.(object);
      return r === 'ok' ? 'ENOBUFS' : r;
    }
    object.parent = parentObject;
    parentObject.nChildren++;
    object.cookie = cookie;
    cookie.backingObjects.push(object);
    cookie.usage++;
    cache.objects.add(object);
    cache.liveObjects++;
    this.liveObjects++;
    return 'ok';
  }
}
