/**
 * The culler keeps free space and free files on the cache's filesystem between cachefilesd's
 * limits: above both "run" limits it rests; below either "cull" limit it discards the least
 * recently used objects (never one in use) until both are above "run" again; below either
 * "stop" limit the cache refuses new data until culling has made room.
 */
import { join } from 'node:path';
import type { StatsFs } from 'node:fs';
import { FscacheError } from '@armvm/fscache';
import type { CacheFiles } from './cachefiles.ts';
import { errnoCode } from './cache-io.ts';
import { claimPath, ownerOf } from './object-claim.ts';
import { SpaceGuard } from './space-guard.ts';

/** The limits, as percentages of the filesystem's blocks and files that are free. */
export interface CullLimits {
  brun: number;
  bcull: number;
  bstop: number;
  frun: number;
  fcull: number;
  fstop: number;
}

/** The kernel's defaults: 7% to run, 5% to cull, 1% to stop, for blocks and for files. */
export const DEFAULT_LIMITS: CullLimits = { brun: 7, bcull: 5, bstop: 1, frun: 7, fcull: 5, fstop: 1 };

/** Checks limits as cachefilesd does: 0 <= stop < cull < run < 100, for blocks and for files. */
export function validateLimits(l: CullLimits): CullLimits {
  for (const [what, stop, cull, run] of [
    ['block', l.bstop, l.bcull, l.brun],
    ['file', l.fstop, l.fcull, l.frun],
  ] as const) {
    if (
      ![stop, cull, run].every((v) => Number.isFinite(v)) ||
      !(0 <= stop && stop < cull && cull < run && run < 100)
    ) {
      throw new FscacheError(
        'EINVAL',
        `${what} limits must satisfy 0 <= stop < cull < run < 100 (got ${stop}, ${cull}, ${run})`,
      );
    }
  }
  return l;
}

/** What one check found and did. */
export interface CullReport {
  freeBlocksPct: number;
  freeFilesPct: number;
  culled: number;
  culledBytes: number;
  state: 'ok' | 'culled' | 'stopped';
}

interface Candidate {
  path: string;
  meta: string;
  lastUse: number;
  bytes: number;
}

/** The culler of one disk cache. */
export class Culler {
  readonly limits: CullLimits;
  readonly #disk: CacheFiles;
  readonly #statfs: (path: string) => Promise<StatsFs>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<CullReport> | null = null;
  /** Objects culled since start. */
  culled = 0;

  constructor(
    disk: CacheFiles,
    options: { limits?: Partial<CullLimits>; statfs?: (path: string) => Promise<StatsFs> } = {},
  ) {
    this.#disk = disk;
    this.limits = validateLimits({ ...DEFAULT_LIMITS, ...options.limits });
    this.#statfs = options.statfs ?? ((p) => disk.dir.io.statfs(p));
    disk.onNoSpace = () => void this.check().catch(() => {});
    // The same limits hold while writing, between two checks.
    disk.spaceGuard = new SpaceGuard({
      statfs: () => this.#statfs(disk.dir.root),
      bstop: this.limits.bstop,
      bcull: this.limits.bcull,
      fstop: this.limits.fstop,
      cull: () => this.check(),
    });
    disk.heldBytes = async () => (await this.#candidates()).reduce((n, c) => n + c.bytes, 0);
  }

  /** Checks every `intervalMs` (the timer does not keep the process alive). */
  start(intervalMs = 30_000): void {
    this.stop();
    this.#timer = setInterval(() => void this.check().catch(() => {}), intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Checks the limits now and culls if need be (one check at a time; callers share it). */
  check(): Promise<CullReport> {
    this.#running ??= this.#check().finally(() => (this.#running = null));
    return this.#running;
  }

  async #free(): Promise<{ blocks: number; files: number }> {
    const s = await this.#statfs(this.#disk.dir.root);
    const blocks = s.blocks > 0 ? (s.bavail / s.blocks) * 100 : 100;
    const files = s.files > 0 ? (s.ffree / s.files) * 100 : 100;
    return { blocks, files };
  }

  async #check(): Promise<CullReport> {
    const l = this.limits;
    let free = await this.#free();
    const below = (f: typeof free, b: number, fl: number) => f.blocks < b || f.files < fl;
    this.#disk.refuseWrites = below(free, l.bstop, l.fstop);
    if (!below(free, l.bcull, l.fcull)) {
      return { freeBlocksPct: free.blocks, freeFilesPct: free.files, culled: 0, culledBytes: 0, state: 'ok' };
    }
    let culled = 0;
    let culledBytes = 0;
    const candidates = (await this.#candidates()).sort((a, b) => a.lastUse - b.lastUse);
    for (const c of candidates) {
      if (!below(free, l.brun, l.frun)) break;
      if (this.#disk.inUse(c.path) || (await this.#claimedElsewhere(c.path))) continue;
      if (await this.#disk.dir.bury(c.path)) {
        await this.#disk.dir.bury(c.meta);
        culled++;
        culledBytes += c.bytes;
        if (culled % 16 === 0) await this.#disk.dir.reaped();
      }
      await this.#disk.dir.reaped();
      free = await this.#free();
    }
    this.culled += culled;
    this.#disk.refuseWrites = below(free, l.bstop, l.fstop);
    return {
      freeBlocksPct: free.blocks,
      freeFilesPct: free.files,
      culled,
      culledBytes,
      state: this.#disk.refuseWrites ? 'stopped' : 'culled',
    };
  }

  // Another live process is writing the object: it is in use there.
  async #claimedElsewhere(path: string): Promise<boolean> {
    const owner = await ownerOf(claimPath(path)).catch(() => null);
    return owner !== null && (await this.#disk.dir.presence.isAlive(owner));
  }

  // Every data object on disk, with when it was last used (its data file's access time).
  async #candidates(): Promise<Candidate[]> {
    const io = this.#disk.dir.io;
    const out: Candidate[] = [];
    const walk = async (dir: string): Promise<void> => {
      let names: string[];
      try {
        names = await io.readdir(dir);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return;
        throw err;
      }
      for (const name of names) {
        const p = join(dir, name);
        if (name.startsWith('@') || name.startsWith('I')) {
          if ((await io.lstat(p).catch(() => null))?.isDirectory()) await walk(p);
        } else if (name.startsWith('D') || name.startsWith('S')) {
          try {
            const st = await io.lstat(p);
            if (!st.isFile()) continue; // not ours: never follow a link out of the cache
            out.push({ path: p, meta: join(dir, `M${name}`), lastUse: st.atimeMs, bytes: st.blocks * 512 });
          } catch {
            // gone meanwhile
          }
        }
      }
    };
    await walk(this.#disk.dir.objects);
    return out;
  }
}
