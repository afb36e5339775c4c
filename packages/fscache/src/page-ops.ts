/**
 * The netfs's page operations: read-or-reserve, reserve, write and uncache, with the kernel's
 * outcomes. A read on an object with no data yet fails fast with ENODATA (the page is reserved:
 * fetch it from the server, then write it); ENOBUFS means no cache can serve.
 */
import type { PageData } from './backend.ts';
import { CookieFlag, type FscacheCookie } from './cookie.ts';
import { assert, hasCode } from './errors.ts';
import type { Fscache } from './fscache.ts';
import { completeOperation, FscacheOperation, submitOperation } from './operation.ts';

/** The outcome of reading one page. */
export type ReadResult =
  | { status: 'ok'; data: Uint8Array }
  | { status: 'ENODATA' }
  | { status: 'ENOBUFS' }
  | { status: 'ENOMEM' }
  | { status: 'EINTR' };
/** A failed read's status. */
export type ReadFailure = Exclude<ReadResult['status'], 'ok'>;
/** The outcome of reading several pages: the worst status, and each page's result. */
export interface ReadPagesResult {
  status: ReadResult['status'];
  pages: ReadResult[];
}
/** The outcome of a reservation. */
export type AllocResult = { status: 'ok' } | { status: 'ENOBUFS' };
/** The outcome of a write. A write dropped because its object could not be created is 'ok'. */
export type WriteResult = { status: 'ok' } | { status: 'ENOBUFS' } | { status: 'ENOMEM' };
/** Read options. */
export interface ReadOptions {
  /** Gives up waiting for a lookup (the result is EINTR). */
  signal?: AbortSignal;
}

const NODATA: ReadResult = Object.freeze({ status: 'ENODATA' });
const NOBUFS = Object.freeze({ status: 'ENOBUFS' }) as { status: 'ENOBUFS' };
const NOMEM = Object.freeze({ status: 'ENOMEM' }) as { status: 'ENOMEM' };
const OK = Object.freeze({ status: 'ok' }) as { status: 'ok' };

const SINGLE = new Map<ReadFailure, ReadPagesResult>();

// Every page failed alike. Results are frozen, so one-page answers can be shared.
function all(status: ReadFailure, n: number): ReadPagesResult {
  if (n === 1) {
    let r = SINGLE.get(status);
    if (!r)
      SINGLE.set(
        status,
        (r = Object.freeze({ status, pages: Object.freeze([Object.freeze({ status })]) }) as ReadPagesResult),
      );
    return r;
  }
  const r = Object.freeze({ status }) as ReadResult;
  return { status, pages: Array.from({ length: n }, () => r) };
}

const firstPage = (r: ReadPagesResult): ReadResult => r.pages[0]!;

function checkPages(pages: readonly number[]): void {
  for (const p of pages) {
    if (!Number.isSafeInteger(p) || p < 0)
      throw new RangeError(`page index must be a non-negative integer (got ${p})`);
  }
}

/** Reads or reserves one page. */
export function readOrAllocPage(
  fs: Fscache,
  cookie: FscacheCookie | null,
  page: number,
  options?: ReadOptions,
): Promise<ReadResult> {
  return readOrAllocPages(fs, cookie, [page], options).then(firstPage);
}

/** Reads or reserves pages. */
export async function readOrAllocPages(
  fs: Fscache,
  cookie: FscacheCookie | null,
  pages: readonly number[],
  options: ReadOptions = {},
): Promise<ReadPagesResult> {
  checkPages(pages);
  const s = fs.stats.n;
  s.retrievals++;
  const t0 = fs.clock();
  if (!cookie || cookie.backingObjects.length === 0) {
    s.retrievalsNobufs++;
    return all('ENOBUFS', pages.length);
  }
  assert(cookie.type !== 'index', `pages read from index cookie "${cookie.name}"`);
  if (cookie.flags & CookieFlag.LOOKING_UP) {
    s.retrievalsWait++;
    if (!(await cookie.waitFlagClear(CookieFlag.LOOKING_UP, options.signal))) {
      s.retrievalsIntr++;
      return all('EINTR', pages.length);
    }
  }
  fs.histogram.record('retrievalDelay', fs.clock() - t0);
  const object = cookie.backingObjects[0];
  if (!object || object.isDead) {
    s.retrievalsNobufs++;
    return all('ENOBUFS', pages.length);
  }
  if (cookie.flags & CookieFlag.NO_DATA_YET && !object.isActive) {
    // Still being created: nothing can be cached yet. Reserve the pages; the writes will wait.
    markCached(fs, cookie, pages);
    s.retrievalsNodata++;
    fs.histogram.record('retrievals', fs.clock() - t0);
    return all('ENODATA', pages.length);
  }
  const op = new FscacheOperation(fs, false, null);
  if (submitOperation(fs, object, op) === 'ENOBUFS') {
    s.retrievalsNobufs++;
    return all('ENOBUFS', pages.length);
  }
  s.retrievalOps++;
  if (op.state === 'pending') {
    s.retrievalOpWaits++;
    if (!(await op.waitStart())) {
      s.retrievalsNobufs++;
      return all('ENOBUFS', pages.length);
    }
  }
  let results: ReadResult[];
  let status: ReadResult['status'] = 'ok';
  const backend = object.cache.backend;
  try {
    if (cookie.flags & CookieFlag.NO_DATA_YET) {
      const r = backend.allocatePages?.(op, pages);
      if (r instanceof Promise) await r;
      results = pages.map(() => NODATA);
      status = 'ENODATA';
    } else {
      const r = backend.readOrAllocPages(op, pages);
      const found: PageData[] = r instanceof Promise ? await r : r;
      results = found.map((d) => {
        if (d) return { status: 'ok', data: d } as ReadResult;
        status = 'ENODATA';
        return NODATA;
      });
    }
  } catch (err) {
    if (hasCode(err, 'ENOMEM')) {
      s.retrievalsNomem++;
      results = pages.map(() => NOMEM);
      status = 'ENOMEM';
    } else {
      if (!hasCode(err, 'ENOBUFS')) fs.objectIoFailed(object, 'read', err);
      s.retrievalsNobufs++;
      results = pages.map(() => NOBUFS);
      status = 'ENOBUFS';
    }
    completeOperation(fs, op);
    fs.histogram.record('retrievals', fs.clock() - t0);
    return { status, pages: results };
  }
  completeOperation(fs, op);
  markCached(fs, cookie, pages);
  if (status === 'ok') s.retrievalsOk++;
  else s.retrievalsNodata++;
  fs.histogram.record('retrievals', fs.clock() - t0);
  return { status, pages: results };
}

/** Reserves one page for a coming write. */
export async function allocPage(
  fs: Fscache,
  cookie: FscacheCookie | null,
  page: number,
): Promise<AllocResult> {
  checkPages([page]);
  const s = fs.stats.n;
  s.allocs++;
  if (!cookie || cookie.backingObjects.length === 0) {
    s.allocsNobufs++;
    return NOBUFS;
  }
  assert(cookie.type !== 'index', `page allocated in index cookie "${cookie.name}"`);
  if (cookie.flags & CookieFlag.LOOKING_UP) {
    s.allocsWait++;
    await cookie.waitFlagClear(CookieFlag.LOOKING_UP);
  }
  const object = cookie.backingObjects[0];
  if (!object || object.isDead) {
    s.allocsNobufs++;
    return NOBUFS;
  }
  const op = new FscacheOperation(fs, false, null);
  if (submitOperation(fs, object, op) === 'ENOBUFS') {
    s.allocsNobufs++;
    return NOBUFS;
  }
  s.allocOps++;
  if (op.state === 'pending') {
    s.allocOpWaits++;
    if (!(await op.waitStart())) {
      s.allocsNobufs++;
      return NOBUFS;
    }
  }
  try {
    const r = object.cache.backend.allocatePages?.(op, [page]);
    if (r instanceof Promise) await r;
  } catch (err) {
    if (!hasCode(err, 'ENOBUFS') && !hasCode(err, 'ENOMEM')) fs.objectIoFailed(object, 'allocate', err);
    completeOperation(fs, op);
    s.allocsNobufs++;
    return NOBUFS;
  }
  completeOperation(fs, op);
  markCached(fs, cookie, [page]);
  s.allocsOk++;
  return OK;
}

interface PendingStore {
  data: Uint8Array;
  done: Promise<WriteResult>;
}
const pendingStores = new WeakMap<FscacheCookie, Map<number, PendingStore>>();

/**
 * Writes a page that was read or reserved through this cookie. Resolves once the backend has
 * stored it; a write queued on an object whose creation then fails is dropped quietly.
 */
export async function writePage(
  fs: Fscache,
  cookie: FscacheCookie | null,
  page: number,
  data: Uint8Array,
): Promise<WriteResult> {
  checkPages([page]);
  const s = fs.stats.n;
  s.stores++;
  const object = cookie?.backingObjects[0];
  if (!cookie || !object) {
    s.storesNobufs++;
    return NOBUFS;
  }
  assert(
    cookie.pages?.has(page),
    `page ${page} of "${cookie.name}" written without being read or reserved first`,
  );
  let stores = pendingStores.get(cookie);
  const already = stores?.get(page);
  if (already) {
    // A store of this page is still queued: it will write the newest bytes.
    already.data = data;
    s.storesAgain++;
    return already.done;
  }
  let result: WriteResult = OK;
  const store = { data } as PendingStore;
  const op = new FscacheOperation(fs, false, (o) => {
    s.storeCalls++;
    const fail = (err: unknown) => {
      if (hasCode(err, 'ENOMEM')) {
        s.storesOom++;
        result = NOMEM;
      } else {
        if (!hasCode(err, 'ENOBUFS') && !hasCode(err, 'ENOSPC')) fs.objectIoFailed(o.object!, 'write', err);
        result = NOBUFS;
      }
    };
    try {
      const r = object.cache.backend.writePage(o, page, store.data);
      if (r instanceof Promise) return r.catch(fail);
    } catch (err) {
      fail(err);
    }
  });
  if (submitOperation(fs, object, op) === 'ENOBUFS') {
    s.storesNobufs++;
    return NOBUFS;
  }
  s.storeOps++;
  s.storesOk++;
  if (!stores) pendingStores.set(cookie, (stores = new Map()));
  store.done = op.waitEnd().then(() => {
    stores.delete(page);
    return result;
  });
  stores.set(page, store);
  return store.done;
}

/** Forgets a page the netfs has let go of. */
export function uncachePage(fs: Fscache, cookie: FscacheCookie | null, page: number): void {
  fs.stats.n.uncaches++;
  if (!cookie?.pages?.delete(page)) return;
  // Until a page leaves the netfs's hands nothing in the cache can be newer than what it holds;
  // from now on reads must go to the cache.
  cookie.clearFlags(CookieFlag.NO_DATA_YET);
  const object = cookie.backingObjects[0];
  if (object) object.cache.backend.uncachePage?.(object, page);
}

function markCached(fs: Fscache, cookie: FscacheCookie, pages: readonly number[]): void {
  if (cookie.relinquished) return;
  cookie.markPages(pages);
  fs.stats.n.marks += pages.length;
  cookie.def.markPagesCached?.(cookie.netfsData as never, pages);
}
