/**
 * Reads the images `armvm run` is given — a path, or an http(s) URL read through the HTTP netfs and
 * FS-Cache (opened only when a URL is used) — and opens drives the same way.
 */
import { FileBlockBackend } from '../devices/virtio/file-block-backend.ts';
import { HttpBlockBackend } from '../devices/virtio/http-block-backend.ts';
import type { BlockBackend } from '../devices/virtio/block-backend.ts';
import { isUrl, readImage } from '../loader/image-file.ts';
import { openRemoteCache, type RemoteCache } from '../loader/remote-cache.ts';

/** Opens files and URLs; the netfs and its cache are opened at the first URL. */
export class ImageSources {
  readonly #cacheDir: string | undefined;
  readonly #warn: (message: string) => void;
  #remote: Promise<RemoteCache> | undefined;
  /** Bytes read from local files. */
  bytesFromFiles = 0;

  constructor(cacheDir: string | undefined, warn: (message: string) => void) {
    this.#cacheDir = cacheDir;
    this.#warn = warn;
  }

  /** The remote side, if a URL was read. */
  get remote(): Promise<RemoteCache> | undefined {
    return this.#remote;
  }

  #openRemote(): Promise<RemoteCache> {
    this.#remote ??= openRemoteCache({
      ...(this.#cacheDir !== undefined ? { cacheDir: this.#cacheDir } : {}),
      warn: this.#warn,
    });
    return this.#remote;
  }

  /** The whole content of `source`; `what` names it in errors; files over `limit` bytes are refused unread. */
  async read(what: string, source: string, limit?: number): Promise<Uint8Array> {
    const netfs = isUrl(source) ? (await this.#openRemote()).netfs : undefined;
    const bytes = await readImage(source, {
      what,
      ...(netfs ? { netfs } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    if (!netfs) this.bytesFromFiles += bytes.length;
    return bytes;
  }

  /** A block backend over a path or URL (URLs are read-only). */
  async drive(source: string, readOnly: boolean): Promise<BlockBackend> {
    if (isUrl(source)) return HttpBlockBackend.open((await this.#openRemote()).netfs, source);
    return FileBlockBackend.open(source, { readOnly });
  }

  /** Closes the netfs and its cache, if opened. */
  async close(): Promise<void> {
    const remote = this.#remote;
    this.#remote = undefined;
    if (remote) await (await remote).close();
  }
}
