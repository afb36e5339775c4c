/**
 * Where `fscache get` writes, decided and opened before anything is downloaded, the way curl
 * treats `-o`:
 *
 * - `-` or no `-o`: standard output.
 * - An existing FIFO, device or socket, or a symbolic link: opened and written as it is (a link
 *   is followed to its target), never replaced — `-o /dev/null` leaves the device alone.
 * - Anything else (a new name, or a regular file): written to a temporary beside it, renamed into
 *   place only when complete, so a failed get leaves the old file and no partial one. Where the
 *   directory cannot hold a temporary, an existing file is written in place.
 *
 * A missing directory or an unwritable target fails here, before any request. Write failures
 * (ENOSPC, EPIPE) become one OutputError; a temporary is removed on every failure.
 */
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { type FileHandle, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CodedError } from '@armvm/fscache';

/** A failure to write the output: curl's exit status 23. */
export class OutputError extends CodedError {
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The destination of one get. */
export class OutputTarget {
  /** The name shown in messages. */
  readonly name: string;
  readonly #stream: NodeJS.WritableStream;
  readonly #fh: FileHandle | null;
  readonly #temp: string | null;
  readonly #final: string | null;
  /** Seekable (a regular file): a restart can start it over. */
  readonly #seekable: boolean;
  #error: OutputError | null = null;
  #written = 0;
  #closed = false;

  private constructor(
    name: string,
    stream: NodeJS.WritableStream,
    fh: FileHandle | null,
    temp: string | null,
    final: string | null,
    seekable: boolean,
  ) {
    this.name = name;
    this.#stream = stream;
    this.#fh = fh;
    this.#temp = temp;
    this.#final = final;
    this.#seekable = seekable;
    // A write error arrives as an event; kept, and thrown by the next write.
    stream.on('error', (err: NodeJS.ErrnoException) => {
      this.#error ??= describe(name, err);
    });
  }

  /** Opens `path` (undefined or `-` for `stdout`) for writing; throws OutputError if it cannot be. */
  static async open(path: string | undefined, stdout: NodeJS.WritableStream): Promise<OutputTarget> {
    if (path === undefined || path === '-')
      return new OutputTarget('standard output', stdout, null, null, null, false);
    const link = await lstat(path).catch(() => null);
    const target = link?.isSymbolicLink() ? await stat(path).catch(() => null) : link;
    if (link && (link.isSymbolicLink() || !link.isFile())) {
      if (target?.isDirectory()) throw new OutputError(`${path} is a directory`, 'EISDIR');
      // A device, a FIFO, or a link: write through it, as it is. (Opening a FIFO waits for its reader.)
      const flags = constants.O_WRONLY | constants.O_CREAT | (target?.isFile() ? constants.O_TRUNC : 0);
      const fh = await openOrFail(path, flags);
      return OutputTarget.#fromHandle(path, fh, null, null, target?.isFile() ?? true);
    }
    const dir = dirname(path);
    const d = await stat(dir).catch((err) => {
      throw describe(path, err);
    });
    if (!d.isDirectory()) throw new OutputError(`cannot write ${path}: ${dir} is not a directory`, 'ENOTDIR');
    const temp = join(dir, `.${basename(path)}.part-${process.pid}`);
    let fh: FileHandle;
    try {
      fh = await open(
        temp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
        link ? link.mode & 0o7777 : 0o666,
      );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!link || (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM')) throw describe(path, err);
      // The directory will not take a temporary, but the file itself may be writable.
      const inPlace = await openOrFail(path, constants.O_WRONLY | constants.O_TRUNC);
      return OutputTarget.#fromHandle(path, inPlace, null, null, true);
    }
    return OutputTarget.#fromHandle(path, fh, temp, path, true);
  }

  static #fromHandle(
    name: string,
    fh: FileHandle,
    temp: string | null,
    final: string | null,
    seekable: boolean,
  ) {
    // A file is written at explicit offsets (so a restart can go back to 0); a FIFO or device
    // cannot seek, and is written as a stream.
    // The stream closes the handle when it ends (a handle lent to a stream does not close otherwise).
    const stream = createWriteStream('', {
      fd: fh,
      autoClose: true,
      highWaterMark: 1 << 20,
      ...(seekable ? { start: 0 } : {}),
    });
    return new OutputTarget(name, stream, fh, temp, final, seekable);
  }

  /** Writes a chunk, waiting while the destination is full; throws the first write error. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.#error) throw this.#error;
    this.#written += chunk.length;
    if (!this.#stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#stream.off('drain', done);
          this.#stream.off('error', done);
          this.#stream.off('close', done);
          resolve();
        };
        this.#stream.on('drain', done);
        this.#stream.on('error', done);
        this.#stream.on('close', done);
      });
    }
    if (this.#error) throw this.#error;
  }

  /** Starts the output over, if it can be (a file, or nothing written yet). */
  async restart(): Promise<boolean> {
    if (this.#written === 0) return true;
    if (!this.#seekable || !this.#fh) return false;
    await this.#flush();
    await this.#fh.truncate(0);
    (this.#stream as WriteStream & { pos?: number }).pos = 0;
    this.#written = 0;
    return true;
  }

  /** Finishes: everything written reaches the file, which is renamed into place. */
  async commit(): Promise<void> {
    await this.#close();
    if (this.#error) throw this.#error;
    if (this.#temp && this.#final) {
      try {
        await rename(this.#temp, this.#final);
      } catch (err) {
        await unlink(this.#temp).catch(() => {});
        throw describe(this.#final, err);
      }
    }
  }

  /** Gives up: no partial file is left behind. */
  async abort(): Promise<void> {
    await this.#close();
    if (this.#temp) await unlink(this.#temp).catch(() => {});
  }

  async #flush(): Promise<void> {
    if (!this.#fh || this.#error) return;
    // Writes complete in order: once an empty one has, everything before it has too.
    await new Promise<void>((resolve) => this.#stream.write(Buffer.alloc(0), () => resolve()));
  }

  async #close(): Promise<void> {
    if (this.#closed || !this.#fh) return;
    this.#closed = true;
    const s = this.#stream as WriteStream;
    if (s.closed) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.end();
    });
  }
}

async function openOrFail(path: string, flags: number): Promise<FileHandle> {
  try {
    return await open(path, flags, 0o666);
  } catch (err) {
    throw describe(path, err);
  }
}

// One line for a failure to write `name`.
function describe(name: string, err: unknown): OutputError {
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? 'EIO';
  const why: Record<string, string> = {
    ENOENT: 'no such directory',
    ENOTDIR: 'a part of the path is not a directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EPIPE: 'the reader went away (broken pipe)',
    EISDIR: 'it is a directory',
    EFBIG: 'file too large',
    EIO: 'input/output error',
  };
  return new OutputError(`cannot write ${name}: ${why[code] ?? e.message} (${code})`, code, { cause: err });
}
