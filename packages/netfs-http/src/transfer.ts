/**
 * One transfer: the blocks `first..last` of a resource, fetched with as few GETs as it takes and
 * handed out block by block as they arrive — to the readers waiting for them and into the cache —
 * so memory stays bounded however large the file.
 *
 * - Each GET after the first of a resource is a Range request made conditional with If-Range on
 *   the resource's strong validator, and each answer is checked against the resource's version
 *   (length, ETag, Last-Modified): a different version fails the transfer with
 *   ERR_NETFS_CHANGED, never mixes bytes of two versions.
 * - A resource without a strong validator is fetched whole, with one plain GET: only one answer
 *   can be trusted to be one version.
 * - A 200 answering a Range request (a server that ignores Range) of the same version is taken
 *   as the whole body: the transfer keeps reading it to the end, storing every block once, rather
 *   than asking again for each piece.
 * - A transient failure (a reset, a 5xx, a cut body, a timeout) is retried with backoff from the
 *   first block not yet received, up to `retries` times in a row without progress.
 */
import { type FscacheCookie, sleep } from '@armvm/fscache';
import { RemoteError } from './errors.ts';
import type { ResponseHead } from './http-client.ts';
import { rangeValidator } from './freshness.ts';
import type { Resource, ResourceNetfs, ResourceTransfer } from './resource.ts';

/** Blocks being written to the cache at once per transfer, at most. */
const MAX_WRITES = 32;
/** Bytes of blocks nobody has taken and the cache does not hold yet, per transfer, at most. */
export const MAX_WINDOW = 8 << 20;

interface Waiter {
  resolve: (b: Buffer) => void;
  reject: (err: unknown) => void;
}

/** A GET (and its retries) delivering consecutive blocks of one resource. */
export class Transfer implements ResourceTransfer {
  /** The next block this transfer will deliver. */
  next: number;
  /** The last block it will deliver (the file's last, once it reads a whole body). */
  last: number;
  readonly #nfs: ResourceNetfs;
  readonly #res: Resource;
  readonly #bs: number;
  readonly #waiters = new Map<number, Waiter[]>();
  // Blocks delivered that nobody has asked for yet (no cache to put them in).
  readonly #window = new Map<number, Buffer>();
  #windowBytes = 0;
  #wake: (() => void) | null = null;
  readonly #writes = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();
  #failed: unknown = null;
  /** Settles when the transfer has ended, well or not (never rejects). */
  readonly done: Promise<void>;

  constructor(nfs: ResourceNetfs, res: Resource, blockSize: number, first: number, last: number) {
    this.#nfs = nfs;
    this.#res = res;
    this.#bs = blockSize;
    this.next = first;
    this.last = last;
    this.done = this.#run().then(
      () => this.#settle(null),
      (err) => this.#settle(err),
    );
  }

  /** Will this transfer deliver block `p` (or does it hold it already)? */
  covers(p: number): boolean {
    return this.#window.has(p) || (this.#failed === null && p >= this.next && p <= this.last);
  }

  /** Block `p`, when it arrives. Only for blocks it covers. */
  take(p: number): Promise<Buffer> {
    const held = this.#window.get(p);
    if (held) {
      this.#window.delete(p);
      this.#windowBytes -= held.length;
      this.#wake?.();
      return Promise.resolve(held);
    }
    if (this.#failed !== null) return Promise.reject(this.#failed);
    return new Promise<Buffer>((resolve, reject) => {
      const list = this.#waiters.get(p);
      if (list) list.push({ resolve, reject });
      else this.#waiters.set(p, [{ resolve, reject }]);
    });
  }

  /** Stops the transfer; readers still waiting get `reason`. */
  abort(reason: unknown): void {
    if (this.#failed === null) this.#failed = reason;
    this.#abort.abort(reason);
    this.#wake?.();
  }

  #settle(err: unknown): void {
    this.#res.transfers.delete(this);
    const why =
      err ??
      this.#failed ??
      new RemoteError('ERR_NETFS_TRUNCATED', this.#res.url.href, 'the transfer ended before the block');
    if (this.#failed === null) this.#failed = why;
    for (const list of this.#waiters.values()) for (const w of list) w.reject(why);
    this.#waiters.clear();
  }

  async #run(): Promise<void> {
    const { retries, retryDelayMs } = this.#nfs;
    let failures = 0;
    let attempts = 0;
    while (this.next <= this.last) {
      if (this.#failed !== null) throw this.#failed;
      const before = this.next;
      try {
        attempts++;
        await this.#attempt();
        if (this.next <= this.last) throw this.#cut(`the answer ended at block ${this.next}`);
      } catch (err) {
        if (this.#failed !== null) throw this.#failed;
        const transient = err instanceof RemoteError && err.transient;
        // Progress is blocks someone has taken or stored, not blocks piling up unread.
        failures = this.next > before && this.#windowBytes <= MAX_WINDOW ? 1 : failures + 1;
        if (!transient || failures > retries || attempts > retries * 8) throw err;
        this.#nfs.stats.retries++;
        await sleep(this.#nfs.clock, Math.min(8000, retryDelayMs * 2 ** (failures - 1)), this.#abort.signal);
      }
    }
    await Promise.all(this.#writes);
  }

  // One GET from block `next` on; resolves when it has delivered what it was asked for.
  async #attempt(): Promise<void> {
    const res = this.#res;
    const aux = res.state.current!;
    const size = aux.length;
    const bs = this.#bs;
    const from = this.next * bs;
    const validator = rangeValidator(aux);
    const ranged = validator !== null && !res.rangeIgnored;
    const to = Math.min(size, (this.last + 1) * bs) - 1;
    // Where the next body byte sits in the resource, and the block being filled.
    let pos = 0;
    let status = 0;
    let block: Buffer | null = null;
    let fill = 0;
    const head = (h: ResponseHead) => {
      status = h.status;
      if (!this.#sameVersion(h)) throw this.#changed();
      if (h.status === 200 && ranged) {
        // The server ignores Range: this one answer is the whole resource; keep all of it.
        res.rangeIgnored = true;
      }
      if (h.status === 200) this.last = Math.max(this.last, Math.ceil(size / bs) - 1);
      pos = h.start;
    };
    const sink = (chunk: Buffer): void | Promise<void> => {
      if (this.#failed !== null) throw this.#failed;
      let at = 0;
      // Bytes before the first block wanted (a whole body resumed mid-way) are skipped.
      if (pos < from) {
        at = Math.min(chunk.length, from - pos);
        pos += at;
      }
      const waits: Promise<void>[] = [];
      while (at < chunk.length) {
        if (pos >= size) throw this.#changed(); // longer than the version we hold
        const page = Math.floor(pos / bs);
        const want = Math.min(bs, size - page * bs);
        block ??= Buffer.allocUnsafe(want);
        const n = Math.min(want - fill, chunk.length - at);
        chunk.copy(block, fill, at, at + n);
        fill += n;
        at += n;
        pos += n;
        if (fill === want) {
          const w = this.#deliver(page, block);
          if (w) waits.push(w);
          block = null;
          fill = 0;
        }
      }
      if (waits.length) return Promise.all(waits).then(() => undefined);
    };
    await this.#nfs.client.get(res.url, {
      ...(ranged ? { range: { start: from, end: to }, ifRange: validator } : {}),
      signal: this.#abort.signal,
      stream: { head, sink },
    });
    // A whole body must be exactly the version's length (a 206's length the client has checked).
    if (status === 200 && pos !== size) throw this.#changed();
  }

  // Does an answer describe the version we are reading? Validators absent from it are not held
  // against it; a 206 was made conditional with If-Range, a 200 is checked by its length too.
  #sameVersion(h: ResponseHead): boolean {
    const aux = this.#res.state.current!;
    if (h.totalLength !== undefined && h.totalLength !== aux.length) return false;
    if (h.etag !== undefined && aux.etag !== null && h.etag !== aux.etag) return false;
    if (h.lastModified !== undefined && aux.lastModified !== null && h.lastModified !== aux.lastModified)
      return false;
    // A 200 that names no validator cannot be told from another version of the same length.
    if (h.status === 200 && h.etag === undefined && h.lastModified === undefined) {
      return aux.etag === null && aux.lastModified === null;
    }
    return true;
  }

  #changed(): RemoteError {
    const err = new RemoteError(
      'ERR_NETFS_CHANGED',
      this.#res.url.href,
      'the resource changed on the server while it was being read',
    );
    void this.#nfs.resourceChanged(this.#res, err);
    return err;
  }

  #cut(why: string): RemoteError {
    return new RemoteError('ERR_NETFS_TRUNCATED', this.#res.url.href, why);
  }

  // Hands a block on: to its reader, or into the window until a reader takes it or the cache
  // has it; and into the cache. Returns a promise when the transfer should pause: too many writes
  // in flight, or too many blocks nobody has taken.
  #deliver(page: number, buf: Buffer): Promise<void> | undefined {
    this.next = page + 1;
    this.#nfs.stats.bytesFromNetwork += buf.length;
    const w = this.#waiters.get(page);
    if (w) {
      this.#waiters.delete(page);
      for (const one of w) one.resolve(buf);
    } else {
      this.#window.set(page, buf);
      this.#windowBytes += buf.length;
    }
    const cookie = this.#res.cookie;
    if (cookie && cookie.backingObjects.length > 0) {
      const write = this.#store(cookie, page, buf).then((stored) => {
        // Once in the cache, a block need not be held here any more.
        if (stored && this.#window.get(page) === buf) {
          this.#window.delete(page);
          this.#windowBytes -= buf.length;
        }
      });
      this.#writes.add(write);
      void write.finally(() => this.#writes.delete(write));
    }
    if (this.#windowBytes > MAX_WINDOW) {
      return new Promise<void>((resolve) => {
        this.#wake = () => {
          if (this.#windowBytes <= MAX_WINDOW || this.#failed !== null) {
            this.#wake = null;
            resolve();
          }
        };
        // Writes finishing also make room.
        void Promise.allSettled([...this.#writes]).then(() => this.#wake?.());
      });
    }
    if (this.#writes.size >= MAX_WRITES) return Promise.race(this.#writes).then(() => undefined);
    return undefined;
  }

  // Writes a block into the cache once; readers find it in `pending` until it is there. True
  // when the cache holds it afterwards.
  async #store(cookie: FscacheCookie, page: number, buf: Buffer): Promise<boolean> {
    const res = this.#res;
    const fs = this.#nfs.fscache;
    if (res.pending.has(page)) return false;
    res.pending.set(page, buf);
    try {
      if (!cookie.pages?.has(page)) {
        // A block no reader asked for (a whole body read on): reserve it, unless it is held.
        const r = await fs.readOrAllocPage(cookie, page);
        if (r.status === 'ok') fs.uncachePage(cookie, page);
        if (r.status !== 'ENODATA') return r.status === 'ok';
      }
      if (res.cookie !== cookie || cookie.relinquished) return false;
      const w = await fs.writePage(cookie, page, buf);
      fs.uncachePage(cookie, page);
      return w.status === 'ok' && cookie.backingObjects.length > 0;
    } finally {
      res.pending.delete(page);
    }
  }
}
