/** A block backend over a local file (or device node), through node:fs promises. */
import { type FileHandle, open } from 'node:fs/promises';
import { type BlockBackend, BlockBackendError, checkRange } from './block-backend.ts';

/** A file opened as a disk. */
export class FileBlockBackend implements BlockBackend {
  readonly size: number;
  readonly readOnly: boolean;
  readonly #handle: FileHandle;

  private constructor(handle: FileHandle, size: number, readOnly: boolean) {
    this.#handle = handle;
    this.size = size;
    this.readOnly = readOnly;
  }

  /** Opens `path`, read-write unless `readOnly`. */
  static async open(path: string, options: { readOnly?: boolean } = {}): Promise<FileBlockBackend> {
    const readOnly = options.readOnly ?? false;
    let handle: FileHandle;
    try {
      handle = await open(path, readOnly ? 'r' : 'r+');
    } catch (err) {
      throw new BlockBackendError(
        'BLOCK_OPEN_FAILED',
        `cannot open disk image ${path}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    const stat = await handle.stat();
    return new FileBlockBackend(handle, stat.size, readOnly);
  }

  async read(offset: number, into: Uint8Array): Promise<void> {
    checkRange(this.size, offset, into.length);
    let done = 0;
    while (done < into.length) {
      const { bytesRead } = await this.#handle.read(into, done, into.length - done, offset + done);
      if (bytesRead === 0) {
        into.fill(0, done); // the file shrank under us: what is gone reads as zeros
        return;
      }
      done += bytesRead;
    }
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    if (this.readOnly) throw new BlockBackendError('BLOCK_READ_ONLY', 'the disk is read-only');
    checkRange(this.size, offset, data.length);
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.#handle.write(data, done, data.length - done, offset + done);
      done += bytesWritten;
    }
  }

  async flush(): Promise<void> {
    if (!this.readOnly) await this.#handle.datasync();
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
