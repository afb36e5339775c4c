/**
 * The cache directory: its layout, who is using it, atomic replacement of small files, and the
 * graveyard where discarded objects wait to be deleted. Several processes may use one directory
 * at once (each object has at most one writer: see object-claim.ts).
 *
 *   <dir>/cache/      the objects: index objects are directories, data objects are files
 *   <dir>/graveyard/  discarded objects, renamed here atomically and deleted in the background
 *   <dir>/tmp/<id>/   each user's files being written, renamed into place when complete
 *   <dir>/users/      one socket per process using the directory (presence.ts)
 *
 * Nothing in the directory is trusted: its parts are checked to be real directories (a symbolic
 * link in their place is buried, never followed) and files are opened as cache-io.ts says.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Clock, FscacheError, realClock } from '@armvm/fscache';
import { type CacheIo, errnoCode } from './cache-io.ts';
import { Presence } from './presence.ts';

/** Directory listings kept in memory at most. */
const LISTINGS = 4096;

/** An open cache directory, owned by this process. */
export class CacheDir {
  readonly root: string;
  readonly objects: string;
  readonly graveyard: string;
  /** This process's own directory of files being written. */
  readonly tmp: string;
  readonly users: string;
  /** This process among the directory's users. */
  readonly presence: Presence;
  /** The time: names in the graveyard, the users' heartbeats, the backend's flushes. */
  readonly clock: Clock;
  readonly io: CacheIo;
  /** Whether to fsync before renames (durability across power loss). */
  readonly durable: boolean;
  /** Whether small files are read, and created when no fsync is due, synchronously. */
  readonly syncSmall: boolean;
  #reaping: Promise<void> = Promise.resolve();
  #graves = 0;
  #tmps = 0;
  // Names in directories looked at, kept current by every add and removal made here. Other
  // processes may change the directory too, so a listing is a hint: a name it has is checked by
  // opening it, and a name it lacks is looked for again before anything is created in its place.
  readonly #listings = new Map<string, Set<string>>();
  // Directory reads under way, and the names noted meanwhile (true: added, false: removed).
  readonly #reading = new Map<string, Promise<Set<string>>>();
  readonly #deltas = new Map<string, Map<string, boolean>>();
  // Directories checked to be real directories (not links) since they were made or first seen.
  readonly #checked = new Set<string>();

  private constructor(
    root: string,
    io: CacheIo,
    durable: boolean,
    syncSmall: boolean,
    presence: Presence,
    clock: Clock,
  ) {
    this.root = root;
    this.clock = clock;
    this.syncSmall = syncSmall;
    this.objects = join(root, 'cache');
    this.graveyard = join(root, 'graveyard');
    this.users = join(root, 'users');
    this.presence = presence;
    this.tmp = join(root, 'tmp', presence.id);
    this.io = io;
    this.durable = durable;
  }

  /**
   * Opens (creating if need be, unless `mustExist`) a cache directory, joining whoever else uses
   * it. With `mustExist`, a directory that is not already a cache is ENOENT, so a mistyped path
   * is reported rather than made into a new, empty cache.
   */
  static async open(
    dir: string,
    io: CacheIo,
    durable: boolean,
    syncSmall = false,
    mustExist = false,
    clock: Clock = realClock,
  ): Promise<CacheDir> {
    if (typeof dir !== 'string' || dir.length === 0)
      throw new FscacheError('EINVAL', 'a cache needs a directory');
    if (mustExist && !(await isCacheDir(dir, io)))
      throw new FscacheError('ENOENT', `${dir} is not a cache directory (no cache there yet)`);
    try {
      await io.mkdir(dir, { recursive: true });
    } catch (err) {
      throw new FscacheError('EINVAL', `cannot create cache directory ${dir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const root = await realpath(dir);
    let presence: Presence | null = null;
    try {
      const graveyard = join(root, 'graveyard');
      await realDir(io, graveyard, graveyard, clock);
      for (const d of ['cache', 'tmp', 'users']) await realDir(io, join(root, d), graveyard, clock);
      presence = await Presence.join(join(root, 'users'), undefined, clock);
      const cd = new CacheDir(root, io, durable, syncSmall, presence, clock);
      await realDir(io, cd.tmp, graveyard, clock);
      // Leftovers of users that are gone: their half-written files. The graveyard is emptied too.
      const dead = new Set(await presence.sweep());
      for (const name of await io.readdir(join(root, 'tmp'))) {
        if (name !== presence.id && (dead.has(name) || !(await presence.isAlive(name))))
          await io.rm(join(root, 'tmp', name), { recursive: true, force: true });
      }
      await io.rm(join(root, 'lock'), { force: true }); // the single-owner lock of earlier versions
      cd.#reaping = cd.#reap();
      return cd;
    } catch (err) {
      await presence?.leave();
      throw new FscacheError('EINVAL', `cannot use cache directory ${root}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * Checks once that `dir`, inside the cache, is a real directory; a link or file in its place is
   * buried. Returns false when there is nothing there.
   */
  async checkDir(dir: string): Promise<boolean> {
    if (this.#checked.has(dir)) return true;
    let st;
    try {
      st = await this.io.lstat(dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return false;
      throw err;
    }
    if (!st.isDirectory()) {
      await this.bury(dir);
      return false;
    }
    if (this.#checked.size > 65536) this.#checked.clear();
    this.#checked.add(dir);
    return true;
  }

  /** Makes `dir` (and its parents inside the cache) as real directories. */
  async makeDir(dir: string): Promise<void> {
    if (this.#checked.has(dir)) return;
    // mkdir follows a link planted in the path: check each part below the root, and make again
    // what was buried.
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.io.mkdir(dir, { recursive: true });
      let sound = true;
      for (let d = dir; d.startsWith(`${this.root}/`); d = dirname(d)) {
        if (this.#checked.has(d)) break; // it and all above it were checked already
        if (!(await this.checkDir(d))) sound = false;
      }
      if (sound) {
        this.noteAdded(dir);
        return;
      }
    }
    throw new FscacheError('ENOBUFS', `cannot make ${dir} a directory`);
  }

  /** Forgets what is known of a directory's names, so the next look reads it again. */
  forgetListing(dir: string): void {
    this.#listings.delete(dir);
    this.#reading.delete(dir);
    this.#deltas.delete(dir);
  }

  /** Reads a small file (at most limit + 1 bytes), synchronously where small files are. */
  async readSmall(path: string, limit: number): Promise<Buffer> {
    return this.syncSmall ? this.io.readSmallSync(path, limit) : this.io.readFile(path, limit);
  }

  /** Whether `path` exists, from the directory's listing (read once, then kept current). */
  async has(path: string): Promise<boolean> {
    const dir = dirname(path);
    const names = this.#listings.get(dir) ?? (await this.#list(dir));
    return names.has(basename(path));
  }

  // Reads a directory's listing once, however many ask at the same time. Names added or removed
  // here while the read is under way are applied to what it returns: a read that started before a
  // file was created must not hide that file afterwards.
  #list(dir: string): Promise<Set<string>> {
    let reading = this.#reading.get(dir);
    if (reading) return reading;
    const delta = new Map<string, boolean>();
    this.#deltas.set(dir, delta);
    reading = this.io.readdir(dir).then(
      (names) => this.#settleListing(dir, new Set(names), delta),
      (err) => {
        if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') {
          if (this.#deltas.get(dir) === delta) {
            this.#reading.delete(dir);
            this.#deltas.delete(dir);
          }
          throw err;
        }
        return this.#settleListing(dir, new Set(), delta);
      },
    );
    this.#reading.set(dir, reading);
    return reading;
  }

  #settleListing(dir: string, names: Set<string>, delta: Map<string, boolean>): Set<string> {
    if (this.#deltas.get(dir) !== delta) return names; // forgotten meanwhile: not to be kept
    for (const [name, present] of delta) {
      if (present) names.add(name);
      else names.delete(name);
    }
    this.#reading.delete(dir);
    this.#deltas.delete(dir);
    if (this.#listings.size >= LISTINGS) this.#listings.delete(this.#listings.keys().next().value!);
    this.#listings.set(dir, names);
    return names;
  }

  // A name came or went: in the listing, and in a read of the directory under way.
  #note(path: string, present: boolean): void {
    const dir = dirname(path);
    const name = basename(path);
    const names = this.#listings.get(dir);
    if (present) names?.add(name);
    else names?.delete(name);
    this.#deltas.get(dir)?.set(name, present);
  }

  /** Records that `path` now exists (a file or directory made outside the calls here). */
  noteAdded(path: string): void {
    this.#note(path, true);
  }

  /** Removes a file, if present, keeping the listing current. */
  async remove(path: string): Promise<void> {
    this.#note(path, false);
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
    const tmp = join(this.tmp, `${this.#tmps++}.tmp`);
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
    const grave = join(
      this.graveyard,
      `${this.clock.now().toString(36)}-${this.presence.id}-${this.#graves++}`,
    );
    this.#note(path, false);
    for (const dir of [...this.#listings.keys(), ...this.#reading.keys()])
      if (dir === path || dir.startsWith(`${path}/`)) this.forgetListing(dir);
    for (const dir of this.#checked)
      if (dir === path || dir.startsWith(`${path}/`)) this.#checked.delete(dir);
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

  /** Lets go of the directory: waits for the graveyard to be emptied, removes our files being written. */
  async close(): Promise<void> {
    await this.#reaping;
    await this.io.rm(this.tmp, { recursive: true, force: true }).catch(() => {});
    await this.presence.leave();
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

/** True when `dir` holds a cache: its object tree is a real directory. */
export async function isCacheDir(dir: string, io: CacheIo): Promise<boolean> {
  return (await io.lstat(join(dir, 'cache')).catch(() => null))?.isDirectory() ?? false;
}

// Makes `dir` a real directory: anything else in its place (a link, a file) goes to the graveyard.
async function realDir(io: CacheIo, dir: string, graveyard: string, clock: Clock): Promise<void> {
  const st = await io.lstat(dir).catch(() => null);
  if (st && !st.isDirectory()) {
    await io.mkdir(graveyard, { recursive: true });
    await io.rename(dir, join(graveyard, `planted-${clock.now().toString(36)}-${basename(dir)}`));
  }
  await io.mkdir(dir, { recursive: true });
  if (!(await io.lstat(dir)).isDirectory()) throw new Error(`${dir} is not a directory`);
}
