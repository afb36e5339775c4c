/**
 * The netfs's page operations: read-or-reserve, reserve, write and uncache, with the kernel's
 * outcomes. A read on an object with no data yet fails fast with ENODATA (the page is reserved:
 * fetch it from the server, then write it); ENOBUFS means no cache can serve.
 */
import { CookieFlag, type FscacheCookie } from './cookie.ts';
import { assert } from './errors.ts';
import type { FscacheContext } from './fscache-context.ts';
import type { FscacheObject, PageData } from './object.ts';
import { FscacheOperation, type OperationResult, submitOperation } from './operation.ts';
import { countCall, countOutcome, countWait } from './outcome.ts';
import type { MaybePromise } from './worker-pool.ts';

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
const SIMPLE = { ok: OK, ENOBUFS: NOBUFS, ENOMEM: NOMEM } as const;

const SINGLE = new Map<ReadFailure, ReadPagesResult>();

// A read where every page failed alike, counted.
function readFailed(fs: FscacheContext, status: ReadFailure, n: number): ReadPagesResult {
  countOutcome(fs, 'retrieval', status);
  return failedAlike(status, n);
}

// Every page failed alike. Results are frozen, so one-page answers are shared.
function failedAlike(status: ReadFailure, n: number): ReadPagesResult {
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

// The object a page operation of `kind` goes to once the cookie's lookup is over: null when there
// is none (ENOBUFS), 'EINTR' when the wait for lookup was aborted. Waits only if lookup is running.
function objectFor(
  fs: FscacheContext,
  kind: 'retrieval' | 'alloc',
  cookie: FscacheCookie,
  signal?: AbortSignal,
): MaybePromise<FscacheObject | null | 'EINTR'> {
  if (cookie.type === 'index') assert(false, `pages of index cookie "${cookie.name}" used (${kind})`);
  if (!(cookie.flags & CookieFlag.LOOKING_UP)) return backingObject(cookie);
  countWait(fs, kind, 'waits');
  return cookie
    .waitFlagClear(CookieFlag.LOOKING_UP, signal)
    .then((done) => (done ? backingObject(cookie) : 'EINTR'));
}

function backingObject(cookie: FscacheCookie): FscacheObject | null {
  const object = cookie.backingObjects[0];
  return !object || object.isDead ? null : object;
}

/** Reads or reserves one page. */
export function readOrAllocPage(
  fs: FscacheContext,
  cookie: FscacheCookie | null,
  page: number,
  options?: ReadOptions,
): Promise<ReadResult> {
  return readOrAllocPages(fs, cookie, [page], options).then(firstPage);
}

/** Reads or reserves pages. */
export async function readOrAllocPages(
  fs: FscacheContext,
  cookie: FscacheCookie | null,
  pages: readonly number[],
  options: ReadOptions = {},
): Promise<ReadPagesResult> {
  checkPages(pages);
  countCall(fs, 'retrieval');
  const t0 = fs.clock.now();
  if (!cookie || cookie.backingObjects.length === 0) return readFailed(fs, 'ENOBUFS', pages.length);
  let object = objectFor(fs, 'retrieval', cookie, options.signal);
  if (object instanceof Promise) object = await object;
  if (object === 'EINTR') return readFailed(fs, 'EINTR', pages.length);
  fs.histogram.record('retrievalDelay', fs.clock.now() - t0);
  if (!object) return readFailed(fs, 'ENOBUFS', pages.length);
  if (cookie.flags & CookieFlag.NO_DATA_YET && !object.isActive) {
    // Still being created: nothing can be cached yet. Reserve the pages; the writes will wait.
    markCached(fs, cookie, pages);
    fs.histogram.record('retrievals', fs.clock.now() - t0);
    return readFailed(fs, 'ENODATA', pages.length);
  }
  const op = new FscacheOperation(fs, 'retrieval', readPages, { cookie, pages }, t0);
  let r = submitOperation(fs, object, op);
  if (r instanceof Promise) r = await r;
  switch (r.status) {
    case 'ok':
    case 'ENODATA':
      markCached(fs, cookie, pages);
      return r;
    case 'cancelled':
      return failedAlike('ENOBUFS', pages.length); // counted when it was cancelled
    default: {
      const failure = SIMPLE[r.status];
      return { status: r.status, pages: pages.map(() => failure) };
    }
  }
}

// A retrieval's result once it has run.
type PagesRead = ReadPagesResult & { status: 'ok' | 'ENODATA' };

// What a retrieval reads.
interface ReadInput {
  cookie: FscacheCookie;
  pages: readonly number[];
}

// A retrieval's work: read the pages, or only reserve them if the cookie has no data yet.
function readPages(
  op: FscacheOperation<FscacheObject>,
  { cookie, pages }: ReadInput,
): MaybePromise<PagesRead> {
  const backend = op.object!.cache.backend;
  if (cookie.flags & CookieFlag.NO_DATA_YET) {
    const noData: PagesRead = { status: 'ENODATA', pages: pages.map(() => NODATA) };
    const r = backend.allocatePages?.(op, pages);
    return r instanceof Promise ? r.then(() => noData) : noData;
  }
  const r = backend.readOrAllocPages(op, pages);
  return r instanceof Promise ? r.then(foundPages) : foundPages(r);
}

function foundPages(found: PageData[]): PagesRead {
  let status: 'ok' | 'ENODATA' = 'ok';
  const results = found.map((d) => {
    if (d) return { status: 'ok', data: d } as ReadResult;
    status = 'ENODATA';
    return NODATA;
  });
  return { status, pages: results };
}

/** Reserves one page for a coming write. */
export async function allocPage(
  fs: FscacheContext,
  cookie: FscacheCookie | null,
  page: number,
): Promise<AllocResult> {
  checkPages([page]);
  countCall(fs, 'alloc');
  if (!cookie || cookie.backingObjects.length === 0) return SIMPLE[countOutcome(fs, 'alloc', 'ENOBUFS')];
  let object = objectFor(fs, 'alloc', cookie);
  if (object instanceof Promise) object = await object;
  if (!object || object === 'EINTR') return SIMPLE[countOutcome(fs, 'alloc', 'ENOBUFS')];
  const op = new FscacheOperation(fs, 'alloc', reservePage, page);
  let r = submitOperation(fs, object, op);
  if (r instanceof Promise) r = await r;
  if (r.status !== 'ok') return NOBUFS; // the netfs sees ENOBUFS, whatever the cause
  markCached(fs, cookie, [page]);
  return OK;
}

// An allocation's work.
function reservePage(op: FscacheOperation<FscacheObject>, page: number): MaybePromise<{ status: 'ok' }> {
  const r = op.object!.cache.backend.allocatePages?.(op, [page]);
  return r instanceof Promise ? r.then(() => OK) : OK;
}

// A store's input: a second write of the page while it is queued replaces the data.
interface PendingStore {
  readonly page: number;
  data: Uint8Array;
  done: Promise<WriteResult>;
}
const pendingStores = new WeakMap<FscacheCookie, Map<number, PendingStore>>();

/**
 * Writes a page that was read or reserved through this cookie. Resolves once the backend has
 * stored it; a write queued on an object whose creation then fails is dropped quietly.
 */
export async function writePage(
  fs: FscacheContext,
  cookie: FscacheCookie | null,
  page: number,
  data: Uint8Array,
): Promise<WriteResult> {
  checkPages([page]);
  countCall(fs, 'store');
  const object = cookie?.backingObjects[0];
  if (!cookie || !object) return SIMPLE[countOutcome(fs, 'store', 'ENOBUFS')];
  assert(
    cookie.pages?.has(page),
    `page ${page} of "${cookie.name}" written without being read or reserved first`,
  );
  let stores = pendingStores.get(cookie);
  const already = stores?.get(page);
  if (already) {
    // A store of this page is still queued: it will write the newest bytes.
    already.data = data;
    fs.stats.n.storesAgain++;
    return already.done;
  }
  const store = { page, data } as PendingStore;
  const op = new FscacheOperation(fs, 'store', storePage, store);
  const r = submitOperation(fs, object, op);
  if (!(r instanceof Promise)) return stored(r); // refused: a pool operation answers later otherwise
  if (!stores) pendingStores.set(cookie, (stores = new Map()));
  store.done = r.then((ended) => {
    stores.delete(page);
    return stored(ended);
  });
  stores.set(page, store);
  return store.done;
}

// A store's work: writes the newest data given for the page.
function storePage(op: FscacheOperation<FscacheObject>, store: PendingStore): MaybePromise<{ status: 'ok' }> {
  const r = op.object!.cache.backend.writePage(op, store.page, store.data);
  return r instanceof Promise ? r.then(() => OK) : OK;
}

// A store's result: a store cancelled because its object was never made is dropped quietly.
function stored(r: OperationResult<{ status: 'ok' }>): WriteResult {
  return r.status === 'cancelled' ? OK : SIMPLE[r.status];
}

/** Forgets a page the netfs has let go of. */
export function uncachePage(fs: FscacheContext, cookie: FscacheCookie | null, page: number): void {
  fs.stats.n.uncaches++;
  if (!cookie?.pages?.delete(page)) return;
  // Until a page leaves the netfs's hands nothing in the cache can be newer than what it holds;
  // from now on reads must go to the cache.
  cookie.clearFlags(CookieFlag.NO_DATA_YET);
  const object = cookie.backingObjects[0];
  if (object) object.cache.backend.uncachePage?.(object, page);
}

function markCached(fs: FscacheContext, cookie: FscacheCookie, pages: readonly number[]): void {
  if (cookie.relinquished) return;
  cookie.markPages(pages);
  fs.stats.n.marks += pages.length;
  cookie.def.markPagesCached?.(cookie.netfsData as never, pages);
}
