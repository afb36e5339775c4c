/**
 * The culler keeps free space and free files on the cache's filesystem between cachefilesd's
 * limits: above both "run" limits it rests; below either "cull" limit it discards the least
 * recently used objects (never one in use) until both are above "run" again; below either
 * "stop" limit the cache refuses new data until culling has made room. Besides those it keeps
 * the cache's own limits, as rclone's VFS cache does: at most `maxBytes` on disk, and nothing
 * unused for longer than `maxAgeMs`.
 */
import { join } from 'node:path';
import type { StatsFs } from 'node:fs';
import { type Clock, FscacheError, type Timer } from '@armvm/fscache';
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
  for (const [what, stop, cull, run, p] of [
    ['block', l.bstop, l.bcull, l.brun, 'b'],
    ['file', l.fstop, l.fcull, l.frun, 'f'],
  ] as const) {
    if (
      ![stop, cull, run].every((v) => Number.isFinite(v)) ||
      !(0 <= stop && stop < cull && cull < run && run < 100)
    ) {
      throw new FscacheError(
        'EINVAL',
        `${what} limits must satisfy 0 <= stop < cull < run < 100 (got ${p}stop ${stop}, ${p}cull ${cull}, ${p}run ${run})`,
      );
    }
  }
  return l;
}

/**
 * Limits from a partial set, as a user means them: each one not given keeps its default where
 * that respects `stop < cull < run`, else keeps the default's distance from its neighbour
 * (`--bcull 90` alone runs to 92%, not to the default 7%). The result is validated.
 */
export function completeLimits(given: Partial<CullLimits>): CullLimits {
  const one = (
    stop: number | undefined,
    cull: number | undefined,
    run: number | undefined,
    d: readonly number[],
  ) => {
    const [dStop, dCull, dRun] = d as [number, number, number];
    const c =
      cull ??
      (dCull > (stop ?? dStop) && dCull < (run ?? dRun)
        ? dCull
        : run !== undefined
          ? Math.max(run - (dRun - dCull), ((stop ?? 0) + run) / 2)
          : (stop ?? 0) + (dCull - dStop));
    const r = run ?? (dRun > c ? dRun : Math.min(c + (dRun - dCull), (c + 100) / 2));
    const s = stop ?? (dStop < c ? dStop : c / 2);
    return [s, c, r] as const;
  };
  const d = DEFAULT_LIMITS;
  const [bstop, bcull, brun] = one(given.bstop, given.bcull, given.brun, [d.bstop, d.bcull, d.brun]);
  const [fstop, fcull, frun] = one(given.fstop, given.fcull, given.frun, [d.fstop, d.fcull, d.frun]);
  return validateLimits({ bstop, bcull, brun, fstop, fcull, frun });
}

/** What one check found and did. */
export interface CullReport {
  freeBlocksPct: number;
  freeFilesPct: number;
  culled: number;
  culledBytes: number;
  state: 'ok' | 'culled' | 'stopped';
}

/** Options of a culler. */
export interface CullerOptions {
  /** cachefilesd's limits; those not given are completed by `completeLimits`. */
  limits?: Partial<CullLimits>;
  /** Keep the data objects' disk use at most this many bytes (rclone's --vfs-cache-max-size). */
  maxBytes?: number;
  /** Discard objects unused for longer than this, in ms (rclone's --vfs-cache-max-age). */
  maxAgeMs?: number;
  /** statfs of the cache's filesystem (replaceable in tests). */
  statfs?: (path: string) => Promise<StatsFs>;
  /** The time, for `maxAgeMs` and the timer of `start` (default the cache's own clock). */
  clock?: Clock;
}

/** What `discard` did. */
export interface DiscardReport {
  discarded: number;
  discardedBytes: number;
  /** Objects left alone because this or another process is using them. */
  inUse: number;
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
  readonly maxBytes: number | undefined;
  readonly maxAgeMs: number | undefined;
  readonly #clock: Clock;
  readonly #disk: CacheFiles;
  readonly #statfs: (path: string) => Promise<StatsFs>;
  #timer: Timer | null = null;
  #running: Promise<CullReport> | null = null;
  /** Objects culled since start. */
  culled = 0;

  constructor(disk: CacheFiles, options: CullerOptions = {}) {
    this.#disk = disk;
    this.limits = completeLimits(options.limits ?? {});
    for (const k of ['maxBytes', 'maxAgeMs'] as const) {
      const v = options[k];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0))
        throw new FscacheError('EINVAL', `${k} must be a number of 0 or more (got ${v})`);
    }
    this.maxBytes = options.maxBytes;
    this.maxAgeMs = options.maxAgeMs;
    this.#clock = options.clock ?? disk.dir.clock;
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
    disk.heldBytes = () => this.heldBytes();
  }

  /** Checks every `intervalMs` (the timer does not keep the process alive). */
  start(intervalMs = 30_000): void {
    this.stop();
    this.#timer = this.#clock.setInterval(() => void this.check().catch(() => {}), intervalMs).unref();
  }

  /** Stops the timer. */
  stop(): void {
    this.#timer?.cancel();
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
    const short = below(free, l.bcull, l.fcull);
    const ok = { freeBlocksPct: free.blocks, freeFilesPct: free.files, culled: 0, culledBytes: 0 };
    if (!short && this.maxBytes === undefined && this.maxAgeMs === undefined) return { ...ok, state: 'ok' };
    let culled = 0;
    let culledBytes = 0;
    const candidates = (await this.#candidates()).sort((a, b) => a.lastUse - b.lastUse);
    let held = candidates.reduce((n, c) => n + c.bytes, 0);
    const oldest = this.maxAgeMs === undefined ? -Infinity : this.#clock.now() - this.maxAgeMs;
    for (const c of candidates) {
      // Least recently used first: once one need not go, none after it need.
      const needRoom = short && below(free, l.brun, l.frun);
      if (!needRoom && c.lastUse >= oldest && !(this.maxBytes !== undefined && held > this.maxBytes)) break;
      if (this.#disk.inUse(c.path) || (await this.#claimedElsewhere(c.path))) continue;
      if (await this.#disk.dir.bury(c.path)) {
        await this.#disk.dir.bury(c.meta);
        culled++;
        culledBytes += c.bytes;
        held -= c.bytes;
        if (needRoom) {
          await this.#disk.dir.reaped(); // statfs sees the room only once the files are deleted
          free = await this.#free();
        }
      }
    }
    await this.#disk.dir.reaped();
    if (culled > 0) free = await this.#free();
    this.culled += culled;
    this.#disk.refuseWrites = below(free, l.bstop, l.fstop);
    return {
      freeBlocksPct: free.blocks,
      freeFilesPct: free.files,
      culled,
      culledBytes,
      state: this.#disk.refuseWrites ? 'stopped' : culled > 0 ? 'culled' : 'ok',
    };
  }

  /**
   * Discards the data objects at `paths` (data file paths, as `listObjects` gives them), or every
   * data object when `paths` is omitted: `fscache rm` and `fscache purge`. Objects in use here or
   * being written by another live process are left alone and counted.
   */
  async discard(paths?: ReadonlySet<string>): Promise<DiscardReport> {
    const report: DiscardReport = { discarded: 0, discardedBytes: 0, inUse: 0 };
    for (const c of await this.#candidates()) {
      if (paths && !paths.has(c.path)) continue;
      if (this.#disk.inUse(c.path) || (await this.#claimedElsewhere(c.path))) {
        report.inUse++;
        continue;
      }
      if (await this.#disk.dir.bury(c.path)) {
        await this.#disk.dir.bury(c.meta);
        report.discarded++;
        report.discardedBytes += c.bytes;
      }
    }
    await this.#disk.dir.reaped();
    return report;
  }

  /** The bytes the data objects take on disk. */
  async heldBytes(): Promise<number> {
    return (await this.#candidates()).reduce((n, c) => n + c.bytes, 0);
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
