/**
 * One open remote file. Reads take what the cache holds and fetch the rest (transfer.ts): runs of
 * missing blocks become one transfer each, readers of a block a transfer will deliver wait for
 * it rather than ask again, and blocks fetched go into the cache behind the reader.
 */
import { RemoteError } from './errors.ts';
import type { Resource, ResourceNetfs } from './resource.ts';
import { Transfer } from './transfer.ts';

/** Blocks an uncached resource keeps from its latest reads (see Resource.recent). */
export const RECENT_BLOCKS = 16;

/** An open remote file. */
export class RemoteFile {
  readonly url: URL;
  readonly #nfs: ResourceNetfs;
  readonly #res: Resource;
  #closed = false;

  /** @internal opened by HttpNetfs.open */
  constructor(nfs: ResourceNetfs, resource: Resource) {
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
      // Fetch the next chunk while the sink takes this one. If the sink fails first, nobody
      // awaits that fetch: its failure is noted here so it never goes unhandled.
      next = at < this.size ? this.#slices(at, chunk) : null;
      next?.catch(() => {});
      for (const p of parts) await sink(p);
      done = at;
      options.onProgress?.(done, this.size);
    }
    return done;
  }

  /**
   * The whole file in order, `chunkBytes` at a time (default 4 MiB), each chunk fetched only
   * when the consumer asks for it: the pull side of `readAll`, for streams.
   */
  async *chunks(options: { chunkBytes?: number } = {}): AsyncGenerator<Buffer> {
    const chunk = Math.max(
      this.blockSize,
      Math.floor((options.chunkBytes ?? 4 << 20) / this.blockSize) * this.blockSize,
    );
    for (let at = 0; at < this.size;) {
      const parts = await this.#slices(at, chunk);
      for (const p of parts) {
        at += p.length;
        yield p;
      }
    }
  }

  /** The whole file as a Web `ReadableStream`; the file stays open (close it after). */
  stream(options: { chunkBytes?: number } = {}): ReadableStream<Uint8Array> {
    const it = this.chunks(options);
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await it.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await it.return(undefined);
      },
    });
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
    const res = this.#res;
    if (res.changed) throw res.changed;
    const nfs = this.#nfs;
    const fs = nfs.fscache;
    const cookie = res.cookie;
    const out: (Buffer | Promise<Buffer> | null)[] = new Array(pages.length).fill(null);
    if (cookie) {
      const r = await fs.readOrAllocPages(cookie, pages);
      r.pages.forEach((p, i) => {
        if (p.status !== 'ok') return;
        out[i] = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.length);
        nfs.stats.bytesFromCache += p.data.length;
        fs.uncachePage(cookie, pages[i]!);
      });
    }
    // Blocks on their way: being stored, or coming with a transfer already running.
    const missing: number[] = [];
    pages.forEach((page, i) => {
      if (out[i]) return;
      const pending = res.pending.get(page) ?? (cookie ? undefined : res.recent.get(page));
      if (pending) {
        out[i] = pending;
        return;
      }
      for (const t of res.transfers) {
        if (t.covers(page)) {
          out[i] = t.take(page);
          return;
        }
      }
      missing.push(i);
    });
    // Runs of consecutive missing blocks become one transfer each.
    const maxRun = Math.max(1, Math.floor(nfs.maxRequestBytes / this.blockSize));
    for (let k = 0; k < missing.length;) {
      let j = k + 1;
      while (j < missing.length && pages[missing[j]!] === pages[missing[j - 1]!]! + 1 && j - k < maxRun) j++;
      const first = pages[missing[k]!]!;
      const last = pages[missing[j - 1]!]!;
      const t = new Transfer(nfs, res, this.blockSize, first, last);
      res.transfers.add(t);
      for (let m = k; m < j; m++) out[missing[m]!] = t.take(pages[missing[m]!]!);
      k = j;
    }
    const blocks = await Promise.all(out as (Buffer | Promise<Buffer>)[]);
    if (!res.cookie) remember(res.recent, pages, blocks);
    return blocks;
  }
}

// Keeps the blocks just read, newest last, dropping the oldest beyond RECENT_BLOCKS.
function remember(recent: Map<number, Buffer>, pages: number[], blocks: Buffer[]): void {
  pages.forEach((page, i) => {
    recent.delete(page);
    recent.set(page, blocks[i]!);
  });
  for (const page of recent.keys()) {
    if (recent.size <= RECENT_BLOCKS) break;
    recent.delete(page);
  }
}
