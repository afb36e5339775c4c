/**
 * Disk limits while writing. The culler keeps free space between its limits on a timer; this
 * keeps them between two checks: every block written is counted against the room left above the
 * stop limit, measured with statfs at most every CHECK_BYTES written, so a cache never takes a
 * shared file system below its stop limit, however fast a download runs. Below the cull limit it
 * asks the culler to make room first; only when that is not enough is a write declined.
 */
import type { StatsFs } from 'node:fs';

/** Bytes written between two statfs calls at most (so each process overshoots by at most this). */
export const CHECK_BYTES = 4 << 20;

/** Free space and files as statfs reports them, in bytes and counts. */
interface Room {
  /** Bytes that may still be written before free space falls to the stop limit. */
  aboveStop: number;
  /** Bytes that may still be written before free space falls to the cull limit. */
  aboveCull: number;
  /** Files that may still be created before free files fall to the stop limit. */
  filesAboveStop: number;
}

/** What a guard needs to know: statfs, the limits, and a culler to call. */
export interface SpaceGuardOptions {
  statfs: () => Promise<StatsFs>;
  /** Percentages of blocks and files kept free (cachefilesd's bstop/bcull and fstop). */
  bstop: number;
  bcull: number;
  fstop: number;
  /** Makes room (a cull); resolves when done. */
  cull: () => Promise<unknown>;
}

/** Counts writes against the room above the stop limit. */
export class SpaceGuard {
  readonly #o: SpaceGuardOptions;
  // Bytes that may be written before the next statfs.
  #budget = 0;

  constructor(options: SpaceGuardOptions) {
    this.#o = options;
  }

  /** The room now, from statfs. */
  async room(): Promise<Room> {
    const s = await this.#o.statfs();
    const bytes = (n: number) => n * s.bsize;
    const above = (pct: number) => bytes(s.bavail) - bytes(s.blocks) * (pct / 100);
    return {
      aboveStop: above(this.#o.bstop),
      aboveCull: above(this.#o.bcull),
      filesAboveStop: s.files > 0 ? s.ffree - s.files * (this.#o.fstop / 100) : Infinity,
    };
  }

  /**
   * May `bytes` more be written? Culls first when the write would pass the cull limit; false when
   * even then it would pass the stop limit.
   */
  async admit(bytes: number): Promise<boolean> {
    if (bytes <= this.#budget) {
      this.#budget -= bytes;
      return true;
    }
    let r = await this.room();
    if (r.aboveCull < bytes + CHECK_BYTES) {
      await this.#o.cull();
      r = await this.room();
    }
    if (r.aboveStop < bytes || r.filesAboveStop < 1) {
      this.#budget = 0;
      return false;
    }
    this.#budget = Math.min(CHECK_BYTES, r.aboveStop) - bytes;
    return true;
  }

  /**
   * Could an object of `size` bytes ever fit: the room above the stop limit plus what culling
   * everything else (`held` bytes) would free? An object that could not is not cached at all,
   * rather than culling everything else and then failing.
   */
  async couldHold(size: number, held: () => Promise<number>): Promise<boolean> {
    const r = await this.room();
    if (size <= r.aboveStop) return true;
    return size <= r.aboveStop + (await held());
  }
}
