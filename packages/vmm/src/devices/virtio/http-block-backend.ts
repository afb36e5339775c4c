/**
 * A read-only block backend over a URL, read through the HTTP netfs and so through FS-Cache:
 * blocks the guest reads are fetched with Range requests once and served from the cache after.
 */
import type { HttpNetfs, RemoteFile } from '@armvm/netfs-http';
import { type BlockBackend, BlockBackendError, checkRange } from './block-backend.ts';

/** A remote file opened as a read-only disk. */
export class HttpBlockBackend implements BlockBackend {
  readonly readOnly = true;
  readonly #file: RemoteFile;

  constructor(file: RemoteFile) {
    this.#file = file;
  }

  /** Opens `url` through `netfs`. */
  static async open(netfs: HttpNetfs, url: string | URL): Promise<HttpBlockBackend> {
    try {
      return new HttpBlockBackend(await netfs.open(url));
    } catch (err) {
      throw new BlockBackendError(
        'BLOCK_OPEN_FAILED',
        `cannot open disk image ${String(url)}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  get size(): number {
    return this.#file.size;
  }

  async read(offset: number, into: Uint8Array): Promise<void> {
    checkRange(this.size, offset, into.length);
    const bytes = await this.#file.read(offset, into.length);
    into.set(bytes);
    if (bytes.length < into.length) into.fill(0, bytes.length);
  }

  async write(): Promise<void> {
    throw new BlockBackendError('BLOCK_READ_ONLY', `${this.#file.url.href} is read-only`);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.#file.close();
  }
}
