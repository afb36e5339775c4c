/**
 * A cache's representation of a cookie: an object. Backends subclass FscacheObject to add their
 * own fields. Everything here except the backend's fields is owned by the state machine.
 */
import type { CheckAux, CookieDef, CookieType } from './cookie-def.ts';
import { KILL_EVENTS, ObjectState, stateName } from './object-state.ts';
import type { FscacheOperation } from './operation.ts';
import type { MaybePromise, PoolItem } from './worker-pool.ts';

// Object flags.
/** The object holds a lookup reference on its parent (taken on leaving INIT). */
export const HOLDS_PARENT_OP = 1;
/** The backend reported the object found or made (read by the lookup action). */
export const OBTAINED = 2;
/** The backend reported the object absent or stale (read by the lookup action: create it). */
export const NEGATIVE = 4;

/**
 * What an object, its backend and the state machine see of the cookie the object backs: the
 * netfs's definition and data, the flags, and the list of objects. FscacheCookie implements it;
 * the view lives here so that the cookie names the object and not the other way round.
 */
export interface ObjectCookie {
  readonly type: CookieType;
  readonly def: CookieDef<never>;
  readonly parent: ObjectCookie | null;
  netfsData: unknown;
  usage: number;
  flags: number;
  backingObjects: FscacheObject[];
  pages: Set<number> | null;
  readonly relinquished: boolean;
  readonly name: string;
  key(): Uint8Array;
  aux(): Uint8Array | null;
  objectSize(): number;
  clearFlags(bits: number): void;
}

/** What a page read finds: the bytes, or null where a block was only reserved (no data yet). */
export type PageData = Uint8Array | null;

/**
 * The backend calls about one object or its pages (CacheBackend adds those about the whole
 * cache). They are declared beside the object because an object reaches them through its cache.
 */
export interface ObjectBackend {
  /**
   * Called in LOOKING_UP: finds the object on the medium below its parent and calls
   * `cache.objectObtained(object)`, or, if it is absent or stale, calls
   * `cache.objectLookupNegative(object)` and returns. Called again in CREATING: makes the object
   * and calls `cache.objectObtained(object)`. Those calls only report; the core moves the object
   * on once this call returns. Throw ETIMEDOUT to be called again later in the same state; any
   * other error fails the object.
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
}

/**
 * What an object, the core and a backend see of the cache an object belongs to: its backend,
 * its objects, its condition and the calls a backend makes back (objectObtained, ioError, ...).
 * FscacheCache implements it; the view lives here so that the cache names the object and not the
 * other way round.
 */
export interface ObjectCache {
  readonly tag: string;
  readonly backend: ObjectBackend;
  /** Every live object of this cache, the root included. */
  readonly objects: Set<FscacheObject>;
  /** The root object, backing the master index. */
  readonly root: FscacheObject | null;
  /** @internal objects allocated and not yet dead. */
  liveObjects: number;
  readonly ioErrorSeen: boolean;
  readonly withdrawn: boolean;
  readonly pageSize: number;
  objectObtained(object: FscacheObject): void;
  objectLookupNegative(object: FscacheObject): void;
  ioError(): void;
  withdraw(): Promise<void>;
  checkAux(object: FscacheObject, aux: Uint8Array): CheckAux;
  /** @internal the worker pool's entry into an object's state machine. */
  runObject(object: FscacheObject, worker: number): MaybePromise<void>;
  /** @internal releases operations deferred while the object ran. */
  afterRun(object: FscacheObject): void;
}

/** An object. */
export class FscacheObject implements PoolItem {
  /** Scheduling flags owned by the worker pool. */
  poolFlags = 0;
  /** A number for tracing, unique within one FS-Cache instance (printed as OBJ%x). */
  debugId = 0;
  /** Where the state machine has the object; only `setObjectState` moves it. */
  readonly state: ObjectState = ObjectState.INIT;
  /** Pending events, one bit each. */
  events = 0;
  /** Events that wake the object; others stay pending until a state unmasks them. */
  eventMask = KILL_EVENTS;
  readonly cache: ObjectCache;
  /** The cookie this object backs; null once detached. */
  cookie: ObjectCookie | null;
  /** The parent object in the same cache (null only for the cache's root). */
  parent: FscacheObject | null = null;
  /** Child objects not yet dropped. */
  nChildren = 0;
  /** Operations submitted and not yet released, including children's lookups. */
  nOps = 0;
  /** Of nOps, the lookups of child objects. */
  nObjOps = 0;
  /** Operations running now. */
  nInProgress = 0;
  /** Exclusive operations submitted and not yet released. */
  nExclusive = 0;
  /** Operations waiting for the object to become available or for an exclusive one. */
  pendingOps: FscacheOperation[] | null = null;
  /** Operations finished while a worker had the object, released after its run. */
  deferredOps: FscacheOperation[] | null = null;
  /** Children waiting in INIT for this object to become available. */
  dependents: FscacheObject[] | null = null;
  /** The parent whose dependents list holds this object. */
  waitingOn: FscacheObject | null = null;
  /** References held by the core (dependents lists, the object's own). */
  usage = 1;
  /** When INIT handed over to LOOKING_UP (for the instantiation histogram). */
  lookupStart = 0;
  flags = 0;

  constructor(cache: ObjectCache, cookie: ObjectCookie | null) {
    this.cache = cache;
    this.cookie = cookie;
  }

  /** Runs the state machine: called by the worker pool only. */
  runWork(worker: number): MaybePromise<void> {
    return this.cache.runObject(this, worker);
  }

  /** Releases operations that finished while a worker had the object. */
  afterWork(): void {
    this.cache.afterRun(this);
  }

  /** Active: lookup complete, not dying, and no I/O error on the cache. */
  get isActive(): boolean {
    return !this.cache.ioErrorSeen && this.state >= ObjectState.AVAILABLE && this.state < ObjectState.DYING;
  }

  /** Dead or dying, or on a cache that has seen an I/O error. */
  get isDead(): boolean {
    return this.cache.ioErrorSeen || this.state >= ObjectState.DYING;
  }

  /** `OBJ1f{ACTIVE}` for messages. */
  toString(): string {
    return `OBJ${this.debugId.toString(16)}{${stateName(this.state)}}`;
  }
}
