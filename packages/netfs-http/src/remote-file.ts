/**
 * One open remote file. Reads take what the cache holds and fetch the rest with Range requests
 * (contiguous missing blocks in one request); blocks fetched for a reserved page are written
 * back to the cache behind the reader. Readers of the same block share one fetch.
 */
import { RemoteError } from './errors.ts';
import type { HttpNetfs, Resource } from './http-netfs.ts';

/** An open remote file. */
export class RemoteFile {
  readonly url: URL;
  readonly #nfs: HttpNetfs;
  readonly #res: Resource;
  #closed = false;

  /** @internal opened by HttpNetfs.open */
  constructor(nfs: HttpNetfs, resource: Resource) {
    this.#nfs = nfs;
    this.#res = resource;
    this.url = resource.url;
  }

  /** True when served from a cached copy the server could not confirm (see staleIfError). */
  get stale(): boolean {
    return this.#res.stale;
  }

  /** The resource's length in bytes. */
  get size(): number {
    return this.#res.state.current?.length ?? 0;
  }

  /** The resource's ETag, if the server gave one. */
  get etag(): string | null {
    return this.#res.state.current?.etag ?? null;
  }

  /** True when a cache backs this file. */
  get cached(): boolean {
    return (this.#res.cookie?.backingObjects.length ?? 0) > 0;
  }

  /** The block size reads are made in. */
  get blockSize(): number {
    return this.#nfs.fscache.pageSize(this.#res.cookie) || this.#nfs.blockSize;
  }

  /** Reads `length` bytes at `offset` (fewer at the end of the file). */
  async read(offset: number, length: number): Promise<Buffer> {
    const parts = await this.#slices(offset, length);
    return parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts);
  }

  /**
   * Streams the whole file to `sink` in order, `chunkBytes` at a time (default 4 MiB). The sink
   * gets views of the blocks rather than copies; they are never reused, so it may keep them.
   */
  async readAll(
    sink: (chunk: Buffer) => unknown,
    options: { chunkBytes?: number; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<number> {
    const chunk = Math.max(
      this.blockSize,
      Math.floor((options.chunkBytes ?? 4 << 20) / this.blockSize) * this.blockSize,
    );
    let done = 0;
    let next = this.size > 0 ? this.#slices(0, chunk) : null;
    while (next) {
      const parts = await next;
      const got = parts.reduce((n, p) => n + p.length, 0);
      const at = done + got;
      // Fetch the next chunk while the sink takes this one.
      next = at < this.size ? this.#slices(at, chunk) : null;
      for (const p of parts) await sink(p);
      done = at;
      options.onProgress?.(done, this.size);
    }
    return done;
  }

  // The bytes of [offset, offset + length) as views of the blocks that hold them, in order.
  async #slices(offset: number, length: number): Promise<Buffer[]> {
    if (this.#closed) throw new Error(`${this.url.href} is closed`);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`bad read of ${length} bytes at ${offset}`);
    }
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return [Buffer.alloc(0)];
    const bs = this.blockSize;
    const first = Math.floor(offset / bs);
    const last = Math.floor((end - 1) / bs);
    const pages: number[] = [];
    for (let p = first; p <= last; p++) pages.push(p);
    const blocks = await this.#blocks(pages);
    const out: Buffer[] = [];
    let total = 0;
    for (let i = 0; i < pages.length; i++) {
      const b = blocks[i]!;
      const from = i === 0 ? offset - first * bs : 0;
      const to = Math.min(b.length, end - pages[i]! * bs);
      const part = b.subarray(from, to);
      total += part.length;
      out.push(part);
    }
    if (total !== end - offset) {
      throw new RemoteError(
        'ERR_NETFS_TRUNCATED',
        this.url.href,
        `assembled ${total} of ${end - offset} bytes`,
      );
    }
    return out;
  }

  /** Closes the file; the last file of a resource waits for its writes and lets go of the cookie. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#nfs.closeResource(this.#res);
  }

  // Every block asked for: from the cache where it holds them, else from the server.
  async #blocks(pages: number[]): Promise<Buffer[]> {
    const fs = this.#nfs.fscache;
    const cookie = this.#res.cookie;
    const out: (Buffer | null)[] = new Array(pages.length).fill(null);
    const reserved = new Set<number>();
    if (cookie) {
      const r = await fs.readOrAllocPages(cookie, pages);
      r.pages.forEach((p, i) => {
        const page = pages[i]!;
        if (p.status === 'ok') {
          out[i] = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.length);
          this.#nfs.stats.bytesFromCache += p.data.length;
          fs.uncachePage(cookie, page);
        } else if (p.status === 'ENODATA' && !this.#res.writing.has(page)) reserved.add(page);
      });
    }
    // Runs of consecutive missing blocks become one request each.
    const bs = this.blockSize;
    const maxRun = Math.max(1, Math.floor(this.#nfs.maxRequestBytes / bs));
    let i = 0;
    const fetches: Promise<void>[] = [];
    while (i < pages.length) {
      if (out[i]) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < pages.length && !out[j] && pages[j] === pages[j - 1]! + 1 && j - i < maxRun) j++;
      const run = pages.slice(i, j);
      const at = i;
      fetches.push(
        this.#fetchRun(run, reserved).then((bufs) => {
          bufs.forEach((b, k) => (out[at + k] = b));
        }),
      );
      i = j;
    }
    await Promise.all(fetches);
    return out as Buffer[];
  }

  // Fetches a run of blocks, sharing any already being fetched, and writes reserved ones back.
  async #fetchRun(run: number[], reserved: Set<number>): Promise<Buffer[]> {
    const nfs = this.#nfs;
    const keyOf = (p: number) => `${this.#res.origin}\0${this.#res.key}\0${this.blockSize}\0${p}`;
    const shared = run.map((p) => nfs.inflight.get(keyOf(p)));
    if (shared.every((s) => s !== undefined)) return Promise.all(shared as Promise<Buffer>[]);
    const bs = this.blockSize;
    const start = run[0]! * bs;
    const end = Math.min(this.size, (run[run.length - 1]! + 1) * bs) - 1;
    const whole = this.#fetch(start, end);
    const mine = run.map((p, k) => {
      const existing = shared[k];
      if (existing) return existing;
      const one = whole.then((buf) =>
        buf.subarray((p - run[0]!) * bs, Math.min(buf.length, (p - run[0]! + 1) * bs)),
      );
      nfs.inflight.set(keyOf(p), one);
      void one.then(
        () => nfs.inflight.delete(keyOf(p)),
        () => nfs.inflight.delete(keyOf(p)),
      );
      return one;
    });
    const bufs = await Promise.all(mine);
    const res = this.#res;
    const cookie = res.cookie;
    if (cookie) {
      const fs = nfs.fscache;
      bufs.forEach((b, k) => {
        const page = run[k]!;
        if (!reserved.has(page) || res.writing.has(page)) return;
        const w = fs.writePage(cookie, page, b).then(() => fs.uncachePage(cookie, page));
        res.writing.set(page, w);
        void w.finally(() => res.writing.delete(page));
      });
    }
    return bufs;
  }

  // One Range request, checked against the version this file is.
  async #fetch(start: number, end: number): Promise<Buffer> {
    const body = await this.#nfs.client.get(this.url, { range: { start, end } });
    const want = this.#res.state.current;
    if (
      want &&
      ((want.etag && body.etag !== undefined && body.etag !== want.etag) ||
        (body.totalLength !== undefined && body.totalLength !== want.length))
    ) {
      await this.#nfs.retireResource(this.#res);
      throw new RemoteError(
        'ERR_NETFS_BAD_RESPONSE',
        this.url.href,
        'the resource changed while it was being read; open it again',
      );
    }
    this.#nfs.stats.bytesFromNetwork += body.bytes;
    const from = start - body.start;
    const slice = body.body.subarray(from, from + (end - start + 1));
    if (slice.length !== end - start + 1) {
      throw new RemoteError(
        'ERR_NETFS_TRUNCATED',
        this.url.href,
        `got ${slice.length} of ${end - start + 1} bytes at ${start}`,
      );
    }
    return slice;
  }
}
