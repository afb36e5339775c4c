/**
 * Reads the images `armvm run` is given — a path, or an http(s) URL read through the HTTP netfs and
 * FS-Cache (opened only when a URL is used) — and opens drives the same way.
 */
import { readFile, stat } from 'node:fs/promises';
import { FileBlockBackend } from '../hw/virtio/file-block-backend.ts';
import { HttpBlockBackend } from '../hw/virtio/http-block-backend.ts';
import type { BlockBackend } from '../hw/virtio/block-backend.ts';
import { openRemoteCache, type RemoteCache } from '../loader/remote-cache.ts';

/** An image that could not be read. */
export class ImageSourceError extends Error {
  readonly code = 'ARMVM_IMAGE_UNREADABLE';
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'ImageSourceError';
  }
}

/** True for the sources read over HTTP. */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

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

  /** The whole content of `source`; `what` names it in errors ("kernel", "initrd"). */
  async read(what: string, source: string): Promise<Uint8Array> {
    if (isUrl(source)) {
      const remote = await this.#openRemote();
      let file;
      try {
        file = await remote.netfs.open(source);
      } catch (err) {
        throw new ImageSourceError(`cannot fetch ${what} '${source}': ${(err as Error).message}`, {
          cause: err,
        });
      }
      try {
        const out = new Uint8Array(file.size);
        let at = 0;
        await file.readAll((chunk) => {
          out.set(chunk, at);
          at += chunk.length;
        });
        return out.subarray(0, at);
      } catch (err) {
        throw new ImageSourceError(`cannot fetch ${what} '${source}': ${(err as Error).message}`, {
          cause: err,
        });
      } finally {
        await file.close();
      }
    }
    try {
      const info = await stat(source);
      if (!info.isFile()) throw new ImageSourceError(`${what} '${source}' is not a regular file`);
      const bytes = await readFile(source);
      this.bytesFromFiles += bytes.length;
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    } catch (err) {
      if (err instanceof ImageSourceError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw new ImageSourceError(`cannot read ${what} '${source}': ${why}`, { cause: err });
    }
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
