/**
 * The cache directory: its layout, the lock that keeps a second process out, atomic replacement
 * of small files, and the graveyard where discarded objects wait to be deleted.
 *
 *   <dir>/cache/      the objects: index objects are directories, data objects are files
 *   <dir>/graveyard/  discarded objects, renamed here atomically and deleted in the background
 *   <dir>/tmp/        files being written, renamed into place when complete
 *   <dir>/lock        the process id of the owner, for the message a second opener gets
 */
import { createHash, randomBytes } from 'node:crypto';
import { realpath, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { FscacheError } from '@armvm/fscache';
import { type CacheIo, errnoCode } from './cache-io.ts';

/** Directory listings kept in memory at most. */
const LISTINGS = 4096;

/** An open cache directory, owned by this process. */
export class CacheDir {
  readonly root: string;
  readonly objects: string;
  readonly graveyard: string;
  readonly tmp: string;
  readonly io: CacheIo;
  /** Whether to fsync before renames (durability across power loss). */
  readonly durable: boolean;
  /** Whether small files are read, and created when no fsync is due, synchronously. */
  readonly syncSmall: boolean;
  #lock: Server | null;
  #reaping: Promise<void> = Promise.resolve();
  #graves = 0;
  #tmps = 0;
  readonly #tmpPrefix = `${process.pid}-${randomBytes(4).toString('hex')}-`;
  // Names in directories looked at, kept current by every add and removal made here. Only this
  // process changes the directory (it holds the lock), so a listing stays true once read.
  readonly #listings = new Map<string, Set<string>>();

  private constructor(root: string, io: CacheIo, durable: boolean, syncSmall: boolean, lock: Server | null) {
    this.root = root;
    this.syncSmall = syncSmall;
    this.objects = join(root, 'cache');
    this.graveyard = join(root, 'graveyard');
    this.tmp = join(root, 'tmp');
    this.io = io;
    this.durable = durable;
    this.#lock = lock;
  }

  /** Opens (creating if need be) a cache directory, refusing one another process has open. */
  static async open(dir: string, io: CacheIo, durable: boolean, syncSmall = false): Promise<CacheDir> {
    if (typeof dir !== 'string' || dir.length === 0)
      throw new FscacheError('EINVAL', 'a cache needs a directory');
    try {
      await io.mkdir(dir, { recursive: true });
    } catch (err) {
      throw new FscacheError('EINVAL', `cannot create cache directory ${dir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const root = await realpath(dir);
    const lock = await takeLock(root);
    const cd = new CacheDir(root, io, durable, syncSmall, lock);
    try {
      for (const d of [cd.objects, cd.graveyard, cd.tmp]) await io.mkdir(d, { recursive: true });
      await writeFile(join(root, 'lock'), `${process.pid}\n`);
      // Leftovers of a crash: half-written files and the graveyard.
      await io.rm(cd.tmp, { recursive: true, force: true });
      await io.mkdir(cd.tmp, { recursive: true });
    } catch (err) {
      await cd.close();
      throw new FscacheError('EINVAL', `cannot use cache directory ${root}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    cd.#reaping = cd.#reap();
    return cd;
  }

  /** Reads a small file (at most limit + 1 bytes), synchronously where small files are. */
  async readSmall(path: string, limit: number): Promise<Buffer> {
    return this.syncSmall ? this.io.readSmallSync(path, limit) : this.io.readFile(path, limit);
  }

  /** Whether `path` exists, from the directory's listing (read once, then kept current). */
  async has(path: string): Promise<boolean> {
    const dir = dirname(path);
    let names = this.#listings.get(dir);
    if (!names) {
      try {
        names = new Set(await this.io.readdir(dir));
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
        names = new Set();
      }
      if (this.#listings.size >= LISTINGS) this.#listings.delete(this.#listings.keys().next().value!);
      this.#listings.set(dir, names);
    }
    return names.has(basename(path));
  }

  /** Records that `path` now exists (a file or directory made outside the calls here). */
  noteAdded(path: string): void {
    this.#listings.get(dirname(path))?.add(basename(path));
  }

  /** Removes a file, if present, keeping the listing current. */
  async remove(path: string): Promise<void> {
    this.#listings.get(dirname(path))?.delete(basename(path));
    try {
      await this.io.unlink(path);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }

  /**
   * Writes a file that does not exist yet straight to its name. A crash midway leaves a torn
   * file, which the caller's checksum must refuse. Falls back to `writeAtomic` if it exists.
   */
  async writeNew(path: string, data: Uint8Array): Promise<void> {
    if (this.syncSmall && !this.durable) {
      try {
        this.io.createSync(path, data);
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') return this.writeAtomic(path, data);
        throw err;
      }
      this.noteAdded(path);
      return;
    }
    let fh;
    try {
      fh = await this.io.open(path, 'wx');
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') return this.writeAtomic(path, data);
      throw err;
    }
    try {
      await fh.writeFile(data);
      if (this.durable) await fh.sync();
    } finally {
      await fh.close();
    }
    this.noteAdded(path);
  }

  /** Replaces `path` with `data` atomically: write a temporary, sync it, rename it into place. */
  async writeAtomic(path: string, data: Uint8Array): Promise<void> {
    const tmp = join(this.tmp, `${this.#tmpPrefix}${this.#tmps++}.tmp`);
    const fh = await this.io.open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      if (this.durable) await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await this.io.rename(tmp, path);
    } catch (err) {
      await this.io.unlink(tmp).catch(() => {});
      throw err;
    }
    this.noteAdded(path);
  }

  /** Moves `path` (a file or a directory) to the graveyard, if it exists, and deletes it later. */
  async bury(path: string): Promise<boolean> {
    const grave = join(this.graveyard, `${Date.now().toString(36)}-${process.pid}-${this.#graves++}`);
    this.#listings.get(dirname(path))?.delete(basename(path));
    for (const dir of this.#listings.keys())
      if (dir === path || dir.startsWith(`${path}/`)) this.#listings.delete(dir);
    try {
      await this.io.rename(path, grave);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
    this.#reaping = this.#reaping
      .then(() => this.io.rm(grave, { recursive: true, force: true }))
      .catch(() => {});
    return true;
  }

  /** Resolves once everything buried so far is deleted. */
  reaped(): Promise<void> {
    return this.#reaping;
  }

  /** Lets go of the directory (the lock first waits for the graveyard to be emptied). */
  async close(): Promise<void> {
    await this.#reaping;
    const lock = this.#lock;
    this.#lock = null;
    if (lock) await new Promise<void>((r) => lock.close(() => r()));
  }

  async #reap(): Promise<void> {
    try {
      for (const name of await this.io.readdir(this.graveyard)) {
        await this.io.rm(join(this.graveyard, name), { recursive: true, force: true });
      }
    } catch {
      // A graveyard that cannot be emptied now is tried again at the next open.
    }
  }
}

// One owner per directory, across processes: an abstract Unix socket named after the directory.
// The kernel frees it when the owner dies, so a crash never leaves a stale lock behind.
async function takeLock(root: string): Promise<Server | null> {
  if (process.platform !== 'linux') return null;
  const name = `\0armvm-cachefiles-${createHash('sha256').update(root).digest('hex').slice(0, 32)}`;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(name, () => resolve());
    });
  } catch (err) {
    if (errnoCode(err) === 'EADDRINUSE') {
      let owner = 'another process';
      try {
        const pid = (await import('node:fs')).readFileSync(join(root, 'lock'), 'utf8').trim();
        if (/^\d+$/.test(pid)) owner = pid === String(process.pid) ? 'this process' : `process ${pid}`;
      } catch {
        // no pid file: keep the generic wording
      }
      throw new FscacheError('EBUSY', `cache directory ${root} is in use by ${owner}`);
    }
    throw err;
  }
  server.unref();
  return server;
}
