/**
 * An in-memory cache backend: index objects hold children, data objects hold pages. It keeps
 * its contents across cookie lifetimes (a relinquished object is found again on the next
 * lookup) and accepts injected faults so tests can drive every failure path of the core.
 */
import type { CacheBackend } from './backend.ts';
import type { FscacheCache } from './cache.ts';
import type { FscacheCookie } from './cookie.ts';
import { blobKey, CheckAux, type CookieType } from './cookie-def.ts';
import { FscacheObject, type PageData } from './object.ts';
import { ObjectState } from './object-state.ts';
import type { FscacheOperation } from './operation.ts';
import type { MaybePromise } from './worker-pool.ts';

/** The page size the memory cache assumes when trimming to an object's size. */
export const PAGE_SIZE = 4096;

interface Entry {
  type: CookieType;
  aux: Uint8Array | null;
  pages: Map<number, Uint8Array> | null;
  children: Map<string, Entry> | null;
}

/** Hooks run before each backend step; throw (or reject) to inject a failure, await to slow it. */
export interface MemoryCacheFaults {
  alloc?(cookie: FscacheCookie): void;
  lookup?(object: MemoryObject): MaybePromise<void>;
  create?(object: MemoryObject): MaybePromise<void>;
  read?(object: MemoryObject, pages: readonly number[]): MaybePromise<void>;
  write?(object: MemoryObject, page: number): MaybePromise<void>;
  update?(object: MemoryObject): MaybePromise<void>;
}

/** An object of the memory cache. */
export class MemoryObject extends FscacheObject {
  /** The key as a binary string. */
  readonly key: string;
  readonly type: CookieType;
  entry: Entry | null = null;

  constructor(cache: FscacheCache, cookie: FscacheCookie | null, key: string, type: CookieType) {
    super(cache, cookie);
    this.key = key;
    this.type = type;
  }
}

const EMPTY = new Uint8Array(0);
// Page copies are carved out of shared slabs: one small view is far cheaper than a fresh 4 KiB
// buffer each time. A slab lives while any page cut from it does.
const SLAB_SIZE = 1 << 20;

/** The in-memory backend. */
export class MemoryCache implements CacheBackend {
  readonly name = 'memory';
  faults: MemoryCacheFaults;
  /** Bytes of page data held. */
  bytes = 0;
  readonly #root: Entry = { type: 'index', aux: null, pages: null, children: null };
  #slab = new ArrayBuffer(0);
  #slabUsed = 0;
  // Page buffers of forgotten objects, reused for new writes (the cache is their only owner).
  #free: Uint8Array[] = [];

  constructor(options: { faults?: MemoryCacheFaults } = {}) {
    this.faults = options.faults ?? {};
  }

  initCache(cache: FscacheCache): FscacheObject {
    const root = new MemoryObject(cache, null, '', 'index');
    root.entry = this.#root;
    return root;
  }

  allocObject(cache: FscacheCache, cookie: FscacheCookie): FscacheObject {
    this.faults.alloc?.(cookie);
    return new MemoryObject(
      cache,
      cookie,
      blobKey(cookie.def.getKey(cookie.netfsData as never)),
      cookie.type,
    );
  }

  lookupObject(object: FscacheObject): MaybePromise<void> {
    const o = object as MemoryObject;
    if (o.state === ObjectState.CREATING) {
      const f = this.faults.create?.(o);
      if (f instanceof Promise) return f.then(() => this.#create(o));
      return this.#create(o);
    }
    const f = this.faults.lookup?.(o);
    if (f instanceof Promise) return f.then(() => this.#lookup(o));
    return this.#lookup(o);
  }

  #lookup(o: MemoryObject): void {
    const cache = o.cache;
    const children = (o.parent as MemoryObject).entry!.children;
    const found = children?.get(o.key);
    if (found && found.type === o.type) {
      const verdict = cache.checkAux(o, found.aux ?? EMPTY);
      if (verdict !== CheckAux.OBSOLETE) {
        if (verdict === CheckAux.NEEDS_UPDATE) found.aux = o.cookie?.aux() ?? null;
        o.entry = found;
        cache.objectObtained(o);
        return;
      }
    }
    if (found) this.#forget(children!, o.key);
    cache.objectLookupNegative(o); // we are called again in CREATING
  }

  #create(o: MemoryObject): void {
    const parent = (o.parent as MemoryObject).entry!;
    const entry: Entry = { type: o.type, aux: o.cookie?.aux() ?? null, pages: null, children: null };
    (parent.children ??= new Map()).set(o.key, entry);
    o.entry = entry;
    o.cache.objectObtained(o);
  }

  updateObject(object: FscacheObject): MaybePromise<void> {
    const o = object as MemoryObject;
    const apply = () => {
      if (o.entry && o.cookie) o.entry.aux = o.cookie.aux();
    };
    const f = this.faults.update?.(o);
    if (f instanceof Promise) return f.then(apply);
    apply();
  }

  dropObject(object: FscacheObject): void {
    const o = object as MemoryObject;
    if (o.state === ObjectState.RECYCLING && o.entry) {
      const siblings = (o.parent as MemoryObject | null)?.entry?.children;
      if (siblings?.get(o.key) === o.entry) this.#forget(siblings, o.key);
    }
    o.entry = null;
  }

  attrChanged(object: FscacheObject): void {
    const o = object as MemoryObject;
    const pages = o.entry?.pages;
    if (!pages || !o.cookie) return;
    const keep = Math.ceil(o.cookie.objectSize() / PAGE_SIZE);
    for (const [i, d] of pages) {
      if (i >= keep) {
        pages.delete(i);
        this.bytes -= d.length;
        this.#recycle(d);
      }
    }
  }

  readOrAllocPages(op: FscacheOperation, pages: readonly number[]): MaybePromise<PageData[]> {
    const o = op.object as MemoryObject;
    const read = () =>
      pages.map((p) => {
        const d = o.entry?.pages?.get(p);
        return d ? this.#copy(d) : null;
      });
    const f = this.faults.read?.(o, pages);
    if (f instanceof Promise) return f.then(read);
    return read();
  }

  allocatePages(): void {}

  writePage(op: FscacheOperation, page: number, data: Uint8Array): MaybePromise<void> {
    const o = op.object as MemoryObject;
    const store = () => {
      const entry = o.entry;
      if (!entry) return;
      const pages = (entry.pages ??= new Map());
      const old = pages.get(page);
      this.bytes += data.length - (old?.length ?? 0);
      pages.set(page, this.#store(data));
      if (old) this.#recycle(old);
    };
    const f = this.faults.write?.(o, page);
    if (f instanceof Promise) return f.then(store);
    store();
  }

  // A copy for the cache to keep: a recycled buffer of the same size if there is one.
  #store(data: Uint8Array): Uint8Array {
    if (data.length === PAGE_SIZE) {
      const buf = this.#free.pop();
      if (buf) {
        buf.set(data);
        return buf;
      }
    }
    return this.#copy(data);
  }

  #recycle(buf: Uint8Array): void {
    if (buf.length === PAGE_SIZE && this.#free.length < 4096) this.#free.push(buf);
  }

  #copy(data: Uint8Array): Uint8Array {
    const n = data.length;
    if (n > SLAB_SIZE >> 4) return data.slice();
    if (this.#slabUsed + n > this.#slab.byteLength) {
      this.#slab = new ArrayBuffer(SLAB_SIZE);
      this.#slabUsed = 0;
    }
    const view = new Uint8Array(this.#slab, this.#slabUsed, n);
    view.set(data);
    this.#slabUsed += (n + 7) & ~7;
    return view;
  }

  /** How many objects the cache holds below its root (for tests and listings). */
  countEntries(): number {
    const walk = (e: Entry): number => {
      let n = 0;
      for (const c of e.children?.values() ?? []) n += 1 + walk(c);
      return n;
    };
    return walk(this.#root);
  }

  #forget(siblings: Map<string, Entry>, key: string): void {
    const walk = (e: Entry) => {
      if (e.pages) {
        for (const d of e.pages.values()) {
          this.bytes -= d.length;
          this.#recycle(d);
        }
      }
      if (e.children) for (const c of e.children.values()) walk(c);
    };
    walk(siblings.get(key)!);
    siblings.delete(key);
  }
}
