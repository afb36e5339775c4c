/**
 * An HTTP cache over a directory in one call: FS-Cache, the on-disk cache with its culler and
 * the HTTP netfs, opened together and closed together in the right order. This is what most
 * programs want; the three parts stay available for those that need more.
 *
 *   const cache = await openHttpCache({ dir: './cache' });
 *   const bytes = await cache.get('https://example.com/file');
 *   await cache.close();
 */
import { Readable } from 'node:stream';
import { CacheFiles, Culler, type CullLimits, readCacheSettings } from '@armvm/cachefiles';
import { Fscache, type FscacheCache } from '@armvm/fscache';
import { HttpClient, type HttpClientOptions } from './http-client.ts';
import { HttpNetfs, type HttpNetfsOptions } from './http-netfs.ts';
import type { RemoteFile } from './remote-file.ts';

/** Options of `openHttpCache`. */
export interface HttpCacheOptions
  extends Omit<HttpNetfsOptions, 'fscache' | 'client' | 'blockSize'>, HttpClientOptions {
  /** The cache directory, made if absent; any number of processes may share it. */
  dir: string;
  /** Bytes per cached block (default 64 KiB). */
  blockSize?: number;
  /** cachefilesd's limits; default: those saved in the directory, else cachefilesd's. */
  limits?: Partial<CullLimits>;
  /** The most bytes the cache's data may take on disk; default: the saved limit, else none. */
  maxBytes?: number;
  /** Discard what was unused for this many ms; default: the saved limit, else none. */
  maxAgeMs?: number;
  /** How often the culler checks the limits, in ms (default 30 s; its timer never holds the process open). */
  cullIntervalMs?: number;
}

/** An open HTTP cache. Close it when done. */
export class HttpCache {
  readonly fscache: Fscache;
  readonly disk: CacheFiles;
  readonly culler: Culler;
  readonly netfs: HttpNetfs;
  readonly #cache: FscacheCache;
  #closed = false;

  /** @internal made by openHttpCache */
  constructor(fscache: Fscache, disk: CacheFiles, culler: Culler, cache: FscacheCache, netfs: HttpNetfs) {
    this.fscache = fscache;
    this.disk = disk;
    this.culler = culler;
    this.#cache = cache;
    this.netfs = netfs;
  }

  /** Opens a URL for reads at any offset; close the file when done. */
  open(url: string | URL): Promise<RemoteFile> {
    return this.netfs.open(url);
  }

  /** The whole resource at `url`. */
  async get(url: string | URL): Promise<Buffer> {
    return this.#with(url, async (f) => {
      const parts: Buffer[] = [];
      await f.readAll((c) => void parts.push(c));
      return Buffer.concat(parts, f.size);
    });
  }

  /** `length` bytes at `offset` of the resource at `url` (fewer at its end). */
  read(url: string | URL, offset: number, length: number): Promise<Buffer> {
    return this.#with(url, (f) => f.read(offset, length));
  }

  /** Streams the whole resource to `sink` in order; resolves with the byte count. */
  readAll(url: string | URL, sink: (chunk: Buffer) => unknown): Promise<number> {
    return this.#with(url, (f) => f.readAll(sink));
  }

  /** The resource as a Web `ReadableStream`, fetched as it is read; the file closes at its end. */
  stream(url: string | URL): ReadableStream<Uint8Array> {
    return Readable.toWeb(this.nodeStream(url)) as ReadableStream<Uint8Array>;
  }

  /** The resource as a Node `Readable`, fetched as it is read; the file closes at its end. */
  nodeStream(url: string | URL): Readable {
    const open = this.open(url);
    return Readable.from(
      (async function* () {
        const f = await open;
        try {
          yield* f.chunks();
        } finally {
          await f.close();
        }
      })(),
      { objectMode: false },
    );
  }

  /** Closes everything, in order: open files and the netfs, then the cache, then the directory. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.culler.stop();
    await this.netfs.close();
    this.netfs.client.close(); // given to the netfs, so the netfs leaves it to us
    await this.fscache.withdrawCache(this.#cache);
    await this.disk.close();
  }

  async #with<T>(url: string | URL, use: (f: RemoteFile) => Promise<T>): Promise<T> {
    const f = await this.open(url);
    try {
      return await use(f);
    } finally {
      await f.close();
    }
  }
}

/** Opens an HTTP cache over `dir`: one call to open, `close()` to close. */
export async function openHttpCache(options: HttpCacheOptions): Promise<HttpCache> {
  const {
    dir,
    blockSize,
    limits,
    maxBytes,
    maxAgeMs,
    cullIntervalMs,
    timeoutMs,
    maxRedirects,
    userAgent,
    ca,
    proxy,
    ...netfsOptions
  } = options;
  const disk = await CacheFiles.open({ dir, ...(blockSize !== undefined ? { blockSize } : {}) });
  try {
    const saved = await readCacheSettings(disk.dir.root);
    const keep = {
      ...(saved.maxBytes !== undefined ? { maxBytes: saved.maxBytes } : {}),
      ...(saved.maxAgeMs !== undefined ? { maxAgeMs: saved.maxAgeMs } : {}),
      ...(maxBytes !== undefined ? { maxBytes } : {}),
      ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
    };
    const culler = new Culler(disk, { limits: limits ?? saved.limits ?? {}, ...keep });
    const fscache = new Fscache();
    const cache = await fscache.addCache(disk, 'disk');
    await culler.check();
    culler.start(cullIntervalMs);
    const client = new HttpClient({
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(maxRedirects !== undefined ? { maxRedirects } : {}),
      ...(userAgent !== undefined ? { userAgent } : {}),
      ...(ca !== undefined ? { ca } : {}),
      ...(proxy !== undefined ? { proxy } : {}),
    });
    const netfs = new HttpNetfs({ ...netfsOptions, fscache, client });
    return new HttpCache(fscache, disk, culler, cache, netfs);
  } catch (err) {
    await disk.close();
    throw err;
  }
}
