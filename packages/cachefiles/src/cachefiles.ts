/**
 * CacheFiles: an FS-Cache backend on a local directory. Index objects are directories, data
 * objects are files with a metadata sidecar (see object-meta.ts and README.md). Writes are
 * crash-safe: metadata only ever lists blocks whose data reached the file before it was written,
 * so blocks are added without invalidating it (a killed download keeps what it had flushed);
 * changing a block it lists or the object's size first removes the metadata (the DIRTY state),
 * which comes back once the data is synced. An object found DIRTY, without metadata, naming
 * another key, or failing a checksum is stale: buried in the graveyard, never served.
 *
 * Several processes may share a directory: each data object has at most one writer (the process
 * holding its claim, object-claim.ts); others read what it has stored and wait for the rest
 * (shared-reader.ts).
 */
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  type CacheBackend,
  CheckAux,
  type Clock,
  type FscacheCache,
  type FscacheCookie,
  FscacheError,
  type FscacheObject,
  type FscacheOperation,
  ObjectState,
  type PageData,
  realClock,
} from '@armvm/fscache';
import { CacheDir } from './cache-dir.ts';
import {
  type CacheIo,
  CREATE_FLAGS,
  errnoCode,
  isAbsentOrForeign,
  nodeIo,
  openRegular,
  READ_FLAGS,
  UPDATE_FLAGS,
} from './cache-io.ts';
import { DiskObject } from './disk-object.ts';
import { encodeKey, keyIdentity, ROOT_IDENTITY } from './key-encoding.ts';
import { claimPath, releaseClaim, takeClaim } from './object-claim.ts';
import { decodeMeta, encodeMeta, NO_BLOCK, type ObjectMeta } from './object-meta.ts';
import { type ReaderContext, waitForWriter } from './shared-reader.ts';
import type { SpaceGuard } from './space-guard.ts';

/** Options of a disk cache. */
export interface CacheFilesOptions {
  /** The cache directory (created if absent, unless `mustExist`). */
  dir: string;
  /** Refuse (ENOENT) a directory that is not already a cache, rather than create one (default false). */
  mustExist?: boolean;
  /** Bytes per block, the page size the netfs reads and writes in (default 64 KiB). */
  blockSize?: number;
  /** Filesystem calls, replaceable to inject faults (default node:fs/promises). */
  io?: CacheIo;
  /** fsync before renames and before clearing DIRTY (default true). */
  durable?: boolean;
  /** How long written metadata may stay DIRTY before it is flushed, in ms (default 1000). */
  flushDelayMs?: number;
  /** Objects of at most this many bytes are stored inline, one file each (default 16 KiB, at most a block). */
  inlineLimit?: number;
  /**
   * Read small files (metadata, inline objects) and create them when no fsync is due with
   * synchronous calls (default true): several times faster for small objects, at the cost of
   * the event loop waiting for each such call — tens of microseconds on a local disk.
   */
  syncSmallFiles?: boolean;
  /** The time: delayed flushes, how long a writer has been quiet, heartbeats (default the real clock). */
  clock?: Clock;
}

/** Counters of what the disk cache did, for listings and tests. */
export interface CacheFilesStats {
  lookups: number;
  creates: number;
  stale: number;
  /** Objects found in use by another process's writer (this one only reads them). */
  shared: number;
  /** Objects taken over from a writer that died. */
  takenOver: number;
  badBlocks: number;
  blocksRead: number;
  blocksWritten: number;
  flushes: number;
  buried: number;
  ioErrors: number;
  enospc: number;
}

const MIN_BLOCK = 512;
// The largest metadata record: header, 64 KiB of aux data, and a checksum for each of 2^20 blocks.
const META_LIMIT = 64 + 0x10000 + 4 * (1 << 20);
const MAX_BLOCK = 16 << 20;

/** The on-disk backend. Create with `CacheFiles.open()`. */
export class CacheFiles implements CacheBackend {
  readonly name = 'cachefiles';
  readonly pageSize: number;
  readonly dir: CacheDir;
  readonly stats: CacheFilesStats = {
    lookups: 0,
    creates: 0,
    stale: 0,
    shared: 0,
    takenOver: 0,
    badBlocks: 0,
    blocksRead: 0,
    blocksWritten: 0,
    flushes: 0,
    buried: 0,
    ioErrors: 0,
    enospc: 0,
  };
  /** Refuse new data while free space is below the stop limits (set by the culler). */
  refuseWrites = false;
  /** Told when a write hit ENOSPC, so the culler can run at once. */
  onNoSpace: (() => void) | null = null;
  /** Keeps the disk limits while writing (installed by the culler). */
  spaceGuard: SpaceGuard | null = null;
  /** Bytes held by every data object on disk, for the guard's "could this ever fit" (the culler's walk). */
  heldBytes: (() => Promise<number>) | null = null;
  /** Told once per object whose data the cache declines: the disk is at its limit, or the object is bigger than the cache could ever hold. */
  onDecline: ((why: 'full' | 'too-big', size: number) => void) | null = null;
  readonly #flushDelay: number;
  readonly #inlineLimit: number;
  readonly #live = new Map<string, DiskObject>();
  #cache: FscacheCache | null = null;

  private constructor(dir: CacheDir, blockSize: number, flushDelayMs: number, inlineLimit: number) {
    this.dir = dir;
    this.pageSize = blockSize;
    this.#flushDelay = flushDelayMs;
    this.#inlineLimit = Math.min(blockSize, inlineLimit);
  }

  /** Opens a cache directory for this process (EBUSY if another process has it). */
  static async open(options: CacheFilesOptions): Promise<CacheFiles> {
    const blockSize = options.blockSize ?? 64 * 1024;
    if (
      !Number.isInteger(blockSize) ||
      blockSize < MIN_BLOCK ||
      blockSize > MAX_BLOCK ||
      blockSize & (blockSize - 1)
    ) {
      throw new FscacheError(
        'EINVAL',
        `block size must be a power of two from ${MIN_BLOCK} to ${MAX_BLOCK} (got ${blockSize})`,
      );
    }
    const dir = await CacheDir.open(
      options.dir,
      options.io ?? nodeIo,
      options.durable ?? true,
      options.syncSmallFiles ?? true,
      options.mustExist ?? false,
      options.clock ?? realClock,
    );
    return new CacheFiles(dir, blockSize, options.flushDelayMs ?? 1000, options.inlineLimit ?? 16 * 1024);
  }

  /** True while an object at `path` is open in this process (the culler leaves it alone). */
  inUse(path: string): boolean {
    return this.#live.has(path);
  }

  /** Flushes every live object, gives up their claims and lets go of the directory. Withdraw the cache first. */
  async close(): Promise<void> {
    for (const o of this.#live.values()) {
      await o.serial(() => this.#flush(o)).catch(() => {});
      if (o.claim) await releaseClaim(o.claim, this.dir.presence);
      o.claim = null;
    }
    await this.dir.close();
  }

  // What the reader of another process's object needs from us.
  readonly #readerContext: ReaderContext = {
    dir: null as unknown as CacheDir,
    checkAux: (o, aux) => (o.cookie ? o.cache.checkAux(o, aux) : CheckAux.OBSOLETE),
    becomeWriter: async (o) => {
      o.claim = claimPath(o.path);
      o.readerOf = null;
      this.stats.takenOver++;
      await o.file?.close().catch(() => {});
      o.file = null;
      // The dead writer's data file is ours now; its last metadata says what it holds.
      try {
        o.file = await openRegular(this.dir.io, o.path, UPDATE_FLAGS);
      } catch (err) {
        if (!isAbsentOrForeign(err)) throw err;
        await this.dir.bury(o.path);
        o.file = await this.dir.io.open(o.path, CREATE_FLAGS);
        o.meta!.blocks = new Uint32Array(0);
        o.verified = new Uint8Array(0);
      }
      o.markedDirty = false;
      // Our own validators go with the next flush (the dead writer's were of the same version).
      if (o.cookie && o.meta) {
        o.meta.aux = o.cookie.aux() ?? o.meta.aux;
        o.changed = true;
      }
    },
  };

  // ---- the backend API ----

  initCache(cache: FscacheCache): FscacheObject {
    this.#cache = cache;
    (this.#readerContext as { dir: CacheDir }).dir = this.dir;
    const root = new DiskObject(cache, null, 'index', []);
    root.path = this.dir.objects;
    root.metaPath = join(root.path, '.meta');
    root.identity = ROOT_IDENTITY;
    root.meta = {
      type: 'index',
      dirty: false,
      blockSize: 0,
      objectSize: 0,
      identity: ROOT_IDENTITY,
      key: new Uint8Array(0),
      aux: new Uint8Array(0),
      blocks: new Uint32Array(0),
    };
    return root;
  }

  allocObject(cache: FscacheCache, cookie: FscacheCookie): FscacheObject {
    return new DiskObject(cache, cookie, cookie.type, encodeKey(cookie.type, cookie.key()));
  }

  // Where an object lives: below its parent, which is looked up before it.
  #place(o: DiskObject): void {
    const parent = o.parent as DiskObject;
    if (parent.type !== 'index')
      throw new FscacheError('EINVAL', 'only index objects can have children on disk');
    o.path = join(parent.path, ...o.parts);
    const last = o.parts[o.parts.length - 1]!;
    o.metaPath = o.type === 'index' ? join(o.path, '.meta') : join(o.path, '..', `M${last}`);
    o.identity = keyIdentity(parent.identity!, o.type, o.cookie?.key() ?? new Uint8Array(0));
  }

  async lookupObject(object: FscacheObject): Promise<void> {
    const o = object as DiskObject;
    if (!o.path) this.#place(o);
    const holder = this.#live.get(o.path);
    if (holder && holder !== o) {
      // The previous object for this key is still on its way out: try again shortly.
      await new Promise((r) => setImmediate(r));
      throw new FscacheError('ETIMEDOUT', 'waiting for an older object of the same key');
    }
    this.#live.set(o.path, o);
    try {
      await this.#lookup(o);
    } catch (err) {
      this.#live.delete(o.path);
      await o.file?.close().catch(() => {});
      o.file = null;
      if (o.claim) await releaseClaim(o.claim, this.dir.presence).catch(() => {});
      o.claim = null;
      throw this.#failed(err);
    }
  }

  async #lookup(o: DiskObject): Promise<void> {
    const cache = o.cache;
    if (o.state === ObjectState.LOOKING_UP) this.stats.lookups++; // not again when called to create
    const parentDir = dirname(o.path);
    const small = this.#small(o);
    // A large data object has one writer: claim it first, so that what we read next cannot be
    // changed by another process (or, if another holds it, so that we know to only read it).
    if (o.type !== 'index' && !small && o.state === ObjectState.LOOKING_UP) {
      await this.dir.makeDir(parentDir);
      const claim = await takeClaim(claimPath(o.path), this.dir.presence);
      if (claim.taken) o.claim = claimPath(o.path);
      else o.readerOf = claim.owner;
      // Another process may have added the object since this directory was listed.
      this.dir.forgetListing(parentDir);
    }
    if (o.state === ObjectState.LOOKING_UP) {
      // A link planted in place of a directory is buried, never followed.
      if ((await this.dir.checkDir(parentDir)) && o.type === 'index') await this.dir.checkDir(o.path);
      // Look where an object of this size is expected first, the other form only on a miss.
      const found = small
        ? ((await this.#readInline(o)) ?? (await this.#readMeta(o)))
        : ((await this.#readMeta(o)) ?? (await this.#readInline(o)));
      // An object recorded at another size than the netfs now gives is stale, whatever its aux
      // data says: its blocks would not line up with the file the netfs describes.
      const size = o.cookie?.objectSize() ?? 0;
      if (found && size > 0 && found.objectSize !== size && o.type !== 'index') {
        await this.#discard(o);
      } else if (found) {
        const verdict = cache.checkAux(o, found.aux);
        const inline = found.inline !== undefined;
        const file =
          verdict === CheckAux.OBSOLETE || o.type === 'index' || inline ? null : await this.#openData(o);
        if (verdict !== CheckAux.OBSOLETE && (file || o.type === 'index' || inline)) {
          o.meta = found;
          o.inline = inline;
          if (file) {
            o.file = file;
            o.verified = new Uint8Array(found.blocks.length);
            const now = new Date(this.dir.clock.now());
            if (!o.readerOf) await file.utimes(now, now).catch(() => {}); // the culler's "last used"
          }
          if (o.readerOf) {
            this.stats.shared++;
          } else if (verdict === CheckAux.NEEDS_UPDATE) {
            found.aux = o.cookie?.aux() ?? found.aux;
            await this.dir.writeAtomic(inline ? o.path : o.metaPath, encodeMeta(found));
          }
          cache.objectObtained(o);
          return;
        }
        await file?.close();
        await this.#discard(o);
      }
      if (o.readerOf) {
        // Another process is writing this object and has stored nothing we can use yet: read
        // behind it (an object being created counts as found, so reads ask us, and we wait).
        this.stats.shared++;
        o.meta = this.#emptyMeta(o);
        o.verified = new Uint8Array(0);
        cache.objectObtained(o);
        return;
      }
      cache.objectLookupNegative(o);
      return; // the core moves the object to CREATING and calls us again
    }
    // CREATING: make the directory, or the data file and its metadata.
    if (this.refuseWrites && o.type !== 'index') throw new FscacheError('ENOBUFS', 'cache is short of space');
    const meta = this.#emptyMeta(o);
    this.stats.creates++;
    if (o.type === 'index') {
      await this.dir.makeDir(o.path);
      await this.dir.writeAtomic(o.metaPath, encodeMeta(meta));
    } else if (small) {
      // Inline: nothing is written until the object is flushed.
      await this.dir.makeDir(parentDir);
      o.inline = true;
      meta.inline = null;
      o.markedDirty = true;
      o.changed = true;
    } else {
      await this.dir.makeDir(parentDir);
      // We hold the claim: whatever is at this name is no one's (a leftover, or something planted).
      const st = await this.dir.io.lstat(o.path).catch(() => null);
      if (st && !st.isFile()) await this.dir.bury(o.path);
      o.file = await this.dir.io.open(o.path, CREATE_FLAGS);
      if (!(await o.file.stat()).isFile())
        throw new FscacheError('ENOBUFS', `${o.path} is not a regular file`);
      this.dir.noteAdded(o.path);
      o.verified = new Uint8Array(0);
      // A data object has no metadata until its first flush: until then it is not on disk at
      // all, exactly as if it were marked DIRTY.
      o.markedDirty = true;
      o.changed = true;
    }
    o.meta = meta;
    cache.objectObtained(o);
  }

  // The metadata of an object as the netfs describes it, holding no blocks.
  #emptyMeta(o: DiskObject): ObjectMeta {
    return {
      type: o.type,
      dirty: false,
      blockSize: o.type === 'index' ? 0 : this.pageSize,
      objectSize: o.cookie?.objectSize() ?? 0,
      identity: o.identity!,
      key: o.cookie?.key() ?? new Uint8Array(0),
      aux: o.cookie?.aux() ?? new Uint8Array(0),
      blocks: new Uint32Array(0),
    };
  }

  // Small enough to live inline: a known size, within the limit.
  #small(o: DiskObject): boolean {
    if (o.type === 'index') return false;
    const size = o.cookie?.objectSize() ?? 0;
    return size > 0 && size <= this.#inlineLimit;
  }

  // An inline object's record, if the object's file is one and is sound; null otherwise (the
  // file may be a data file of the other form, which its own metadata describes).
  async #readInline(o: DiskObject): Promise<ObjectMeta | null> {
    if (o.type === 'index' || !(await this.dir.has(o.path))) return null;
    // A record holds at most one inline block plus its metadata: never read a data file whole.
    const limit = this.#inlineLimit + 0x10000 + 64;
    let raw: Buffer;
    try {
      raw = await this.dir.readSmall(o.path, limit);
    } catch (err) {
      if (isAbsentOrForeign(err)) return null;
      throw err;
    }
    const d = decodeMeta(raw);
    if (
      !d.ok ||
      d.meta.inline === undefined ||
      d.meta.dirty ||
      d.meta.type !== o.type ||
      d.meta.blockSize !== this.pageSize ||
      !sameBytes(d.meta.identity, o.identity!)
    ) {
      return null;
    }
    return d.meta;
  }

  // The data file of a found object (read-only for a reader); null if it is missing or not a file.
  async #openData(o: DiskObject) {
    try {
      return await openRegular(this.dir.io, o.path, o.readerOf ? READ_FLAGS : UPDATE_FLAGS);
    } catch (err) {
      if (!isAbsentOrForeign(err)) throw err;
      return null;
    }
  }

  // The object's metadata if it is sound and current; otherwise the object is stale.
  async #readMeta(o: DiskObject): Promise<ObjectMeta | null> {
    if (!(await this.dir.has(o.metaPath))) return null;
    let raw: Buffer;
    try {
      raw = await this.dir.readSmall(o.metaPath, META_LIMIT);
    } catch (err) {
      if (!isAbsentOrForeign(err)) throw err;
      // No metadata (or a link or FIFO in its place): nothing, or an object whose changes never
      // became durable. Creation empties any data file left behind, so there is nothing to bury.
      return null;
    }
    const d = decodeMeta(raw);
    const sound =
      d.ok &&
      !d.meta.dirty &&
      d.meta.type === o.type &&
      sameBytes(d.meta.identity, o.identity!) &&
      (o.type === 'index' || d.meta.blockSize === this.pageSize);
    if (!sound) {
      if (!o.readerOf) await this.#discard(o);
      return null;
    }
    return d.ok ? d.meta : null;
  }

  async #discard(o: DiskObject): Promise<void> {
    // Another process's object is never discarded by a reader: it finds out for itself.
    if (o.readerOf) throw new FscacheError('ENOBUFS', "the object is another process's, in another version");
    this.stats.stale++;
    if (o.type === 'index') {
      if (await this.dir.bury(o.path)) this.stats.buried++;
    } else {
      if (await this.dir.bury(o.path)) this.stats.buried++;
      await this.dir.bury(o.metaPath);
    }
  }

  lookupComplete(): void {}

  grabObject(object: FscacheObject): FscacheObject {
    return object;
  }

  async updateObject(object: FscacheObject): Promise<void> {
    const o = object as DiskObject;
    await o.serial(async () => {
      if (!o.meta || !o.cookie || o.readerOf) return;
      o.meta.aux = o.cookie.aux() ?? new Uint8Array(0);
      o.meta.objectSize = o.cookie.objectSize();
      o.changed = true;
      await this.#flush(o, true);
    });
  }

  async attrChanged(object: FscacheObject): Promise<void> {
    const o = object as DiskObject;
    await o.serial(async () => {
      const meta = o.meta;
      if (o.readerOf) return;
      if (meta && o.inline && o.cookie) {
        // A changed size makes the one block wrong: drop it.
        const size = o.cookie.objectSize();
        if (meta.inline && meta.inline.length !== size) {
          await this.#markDirty(o);
          meta.inline = null;
          meta.blocks = new Uint32Array(0);
        }
        meta.objectSize = size;
        o.changed = true;
        await this.#flush(o, true);
        return;
      }
      if (!meta || !o.cookie || !o.file) return;
      const size = o.cookie.objectSize();
      const keep = Math.ceil(size / this.pageSize);
      await this.#markDirty(o);
      await o.file.truncate(size);
      if (keep < meta.blocks.length) meta.blocks = meta.blocks.slice(0, keep);
      // The last kept block may now be shorter: its checksum no longer holds.
      if (keep > 0 && size % this.pageSize && meta.blocks[keep - 1] !== NO_BLOCK)
        meta.blocks[keep - 1] = NO_BLOCK;
      meta.objectSize = size;
      o.changed = true;
      await this.#flush(o, true);
    });
  }

  async dropObject(object: FscacheObject): Promise<void> {
    const o = object as DiskObject;
    if (o === object.cache.root) return;
    await o.serial(async () => {
      o.flushTimer?.cancel();
      o.flushTimer = null;
      try {
        if (o.state === ObjectState.RECYCLING && !o.readerOf) {
          await o.file?.close();
          o.file = null;
          await this.#discard(o);
        } else {
          await this.#flush(o);
          await o.file?.close();
          o.file = null;
        }
      } catch (err) {
        throw this.#failed(err);
      } finally {
        if (o.claim) await releaseClaim(o.claim, this.dir.presence).catch(() => {});
        o.claim = null;
        if (this.#live.get(o.path) === o) this.#live.delete(o.path);
      }
    });
  }

  async syncCache(): Promise<void> {
    for (const o of [...this.#live.values()]) await o.serial(() => this.#flush(o));
  }

  async readOrAllocPages(op: FscacheOperation, pages: readonly number[]): Promise<PageData[]> {
    const o = op.object as DiskObject;
    if (o.readerOf) {
      // Blocks another process is fetching: wait for them rather than fetch them twice.
      try {
        await waitForWriter(this.#readerContext, o, pages);
      } catch (err) {
        throw this.#failed(err);
      }
    }
    const meta = o.meta!;
    const out: PageData[] = new Array(pages.length).fill(null);
    if (o.inline) {
      pages.forEach((p, i) => {
        if (p === 0 && meta.inline && held(meta, 0)) {
          out[i] = Buffer.from(meta.inline);
          this.stats.blocksRead++;
        }
      });
      return out;
    }
    const bs = this.pageSize;
    let i = 0;
    try {
      while (i < pages.length) {
        // A run of consecutive pages the object holds is read with one call.
        let j = i;
        while (j < pages.length && held(meta, pages[j]!) && (j === i || pages[j] === pages[j - 1]! + 1)) j++;
        if (j === i) {
          i++;
          continue;
        }
        const first = pages[i]!;
        const buf = Buffer.allocUnsafe((j - i) * bs);
        if (!o.file) break;
        const { bytesRead } = await o.file.read(buf, 0, buf.length, first * bs);
        for (let k = i; k < j; k++) {
          const page = pages[k]!;
          const from = (k - i) * bs;
          const block = buf.subarray(from, Math.min(from + bs, bytesRead));
          if (block.length === 0 || !this.#check(o, page, block)) continue;
          out[k] = block;
          this.stats.blocksRead++;
        }
        i = j;
      }
    } catch (err) {
      throw this.#failed(err);
    }
    return out;
  }

  allocatePages(): void {
    if (this.refuseWrites) throw new FscacheError('ENOBUFS', 'cache is short of space');
  }

  async writePage(op: FscacheOperation, page: number, data: Uint8Array): Promise<void> {
    const o = op.object as DiskObject;
    const bs = this.pageSize;
    if (this.refuseWrites) throw new FscacheError('ENOBUFS', 'cache is short of space');
    if (o.readerOf)
      throw new FscacheError('ENOBUFS', `another process (${o.readerOf}) is writing this object`);
    if (o.declined) throw new FscacheError('ENOBUFS', 'the cache is at its limit');
    if (data.length > bs || data.length === 0)
      throw new FscacheError('ENOBUFS', `a block of ${data.length} bytes does not fit ${bs}`);
    await o.serial(async () => {
      const meta = o.meta;
      if (meta && o.inline) {
        const size = o.cookie?.objectSize() ?? meta.objectSize;
        if (page !== 0 || data.length !== size) {
          throw new FscacheError('ENOBUFS', `an inline object holds one block of exactly ${size} bytes`);
        }
        await this.#markDirty(o);
        meta.inline = Uint8Array.from(data);
        meta.blocks = Uint32Array.of(crc32(data));
        meta.objectSize = size;
        o.changed = true;
        this.stats.blocksWritten++;
        this.#scheduleFlush(o);
        return;
      }
      if (!meta || !o.file) return;
      const size = o.cookie?.objectSize() ?? meta.objectSize;
      // Only the object's last block may be short, so every stored block has a fixed extent.
      if (data.length < bs && page * bs + data.length !== size) {
        throw new FscacheError('ENOBUFS', `a short block (${data.length} bytes) must end the object`);
      }
      if (o.declined) throw new FscacheError('ENOBUFS', 'the cache is at its limit');
      if (this.spaceGuard && !o.sizeChecked) {
        // Once, at its first block (its size is known by then): an object bigger than all the
        // room the cache could make is not cached at all, rather than culling everything else.
        o.sizeChecked = true;
        if (size > 0 && !(await this.spaceGuard.couldHold(size, this.heldBytes ?? (async () => 0)))) {
          o.declined = true;
          this.onDecline?.('too-big', size);
          throw new FscacheError('ENOBUFS', `an object of ${size} bytes is bigger than the cache can hold`);
        }
      }
      if (this.spaceGuard && !(await this.spaceGuard.admit(data.length))) {
        o.declined = true;
        this.onDecline?.('full', size);
        throw new FscacheError('ENOBUFS', 'the cache is at its limit');
      }
      try {
        // Adding a block leaves the metadata true (it lists only flushed blocks); changing one
        // it lists does not, so that removes the metadata first.
        if (page < meta.blocks.length && meta.blocks[page] !== NO_BLOCK) await this.#markDirty(o);
        await o.file.write(data, 0, data.length, page * bs);
      } catch (err) {
        throw this.#failed(err);
      }
      if (page >= meta.blocks.length) {
        const grown = new Uint32Array(page + 1).fill(NO_BLOCK);
        grown.set(meta.blocks);
        meta.blocks = grown;
        const v = new Uint8Array(page + 1);
        v.set(o.verified ?? []);
        o.verified = v;
      }
      meta.blocks[page] = crc32(data);
      o.verified![page] = 1;
      meta.objectSize = size;
      o.changed = true;
      this.stats.blocksWritten++;
      this.#scheduleFlush(o);
    });
  }

  uncachePage(): void {}

  dissociatePages(): void {}

  // ---- internals ----

  // Verifies a block's checksum the first time it is read; a bad block is forgotten, not served.
  #check(o: DiskObject, page: number, block: Uint8Array): boolean {
    const v = o.verified!;
    if (v[page]) return true;
    if (crc32(block) === o.meta!.blocks[page]) {
      v[page] = 1;
      return true;
    }
    this.stats.badBlocks++;
    o.meta!.blocks[page] = NO_BLOCK;
    o.changed = true;
    this.#scheduleFlush(o);
    return false;
  }

  // Before the first change, the object stops being valid on disk: its metadata goes (one
  // atomic unlink), and comes back clean only once the changed data is durable.
  async #markDirty(o: DiskObject): Promise<void> {
    if (o.markedDirty) return;
    await this.dir.remove(o.inline ? o.path : o.metaPath);
    o.markedDirty = true;
  }

  #scheduleFlush(o: DiskObject): void {
    if (o.flushTimer) return;
    o.flushTimer = this.dir.clock
      .setTimeout(() => {
        o.flushTimer = null;
        void o.serial(() => this.#flush(o)).catch((err) => this.#failed(err));
      }, this.#flushDelay)
      .unref();
  }

  // Makes the object's data durable, then writes its metadata clean.
  async #flush(o: DiskObject, force = false): Promise<void> {
    if (!o.meta || o.readerOf || (!o.changed && !o.markedDirty && !force)) return;
    if (o.file && this.dir.durable) await o.file.datasync();
    const clean = { ...o.meta, dirty: false };
    if (o.inline) {
      // The record holds the data, checksummed whole: a record that is not on disk (new, or
      // removed before a change) is written straight to its name, since a torn one is refused.
      await this.dir.writeNew(o.path, encodeMeta(clean));
    } else {
      await this.dir.writeAtomic(o.metaPath, encodeMeta(clean));
    }
    o.markedDirty = false;
    o.changed = false;
    this.stats.flushes++;
  }

  // Classifies a filesystem failure: ENOSPC is a full disk (cull, then ENOBUFS); EIO stops the cache.
  #failed(err: unknown): unknown {
    const code = errnoCode(err);
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      this.stats.enospc++;
      this.onNoSpace?.();
      return new FscacheError('ENOSPC', 'cache disk is full', { cause: err });
    }
    if (code === 'EIO' || code === 'EROFS') {
      this.stats.ioErrors++;
      const cache = this.#cache;
      if (cache && !cache.ioErrorSeen) {
        cache.ioError();
        void cache.withdraw().catch(() => {});
      }
      return new FscacheError('EIO', `cache I/O error: ${(err as Error).message}`, { cause: err });
    }
    return err;
  }
}

function held(meta: ObjectMeta, page: number): boolean {
  return page < meta.blocks.length && meta.blocks[page] !== NO_BLOCK;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
