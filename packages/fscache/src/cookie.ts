/** The netfs's handle on a cacheable thing: a cookie, with its flags and backing objects. */

import type { CookieDef, CookieType } from './cookie-def.ts';
import { blobBytes } from './cookie-def.ts';
import type { FscacheObject, ObjectCookie } from './object.ts';

/** Cookie flags. */
export const CookieFlag = {
  /** A lookup is in progress: reads wait for it. */
  LOOKING_UP: 1,
  /** Creation is in progress: relinquishing waits for it. */
  CREATING: 2,
  /** The cache holds no data for this cookie yet: reads fail fast with ENODATA. */
  NO_DATA_YET: 4,
  /** The netfs has let go of this cookie. */
  RELINQUISHED: 8,
} as const;

interface FlagWaiter {
  flag: number;
  resolve: (cleared: boolean) => void;
}

/** A cookie. The netfs sees only cookies; objects stay hidden behind them. */
export class FscacheCookie implements ObjectCookie {
  readonly debugId: number;
  readonly parent: FscacheCookie | null;
  readonly type: CookieType;
  /** The definition (kept after relinquishment for tracing; check RELINQUISHED before calling it). */
  readonly def: CookieDef<never>;
  /** The netfs's data for this cookie; null once relinquished. */
  netfsData: unknown;
  /** References: the netfs's, one per child cookie, one per backing object. */
  usage = 1;
  /** Child cookies not yet relinquished. */
  nChildren = 0;
  /** The objects representing this cookie, at most one per cache. */
  backingObjects: FscacheObject[] = [];
  flags = 0;
  /** Pages the netfs has read or had reserved through this cookie (the PG_fscache marks). */
  pages: Set<number> | null = null;
  #waiters: FlagWaiter[] | null = null;

  constructor(debugId: number, parent: FscacheCookie | null, def: CookieDef<never>, netfsData: unknown) {
    this.debugId = debugId;
    this.parent = parent;
    this.def = def;
    this.type = def.type;
    this.netfsData = netfsData;
  }

  /** True once the netfs has relinquished the cookie. */
  get relinquished(): boolean {
    return (this.flags & CookieFlag.RELINQUISHED) !== 0;
  }

  /** The definition's name. */
  get name(): string {
    return this.def.name;
  }

  /** The key bytes, from the definition. */
  key(): Uint8Array {
    return blobBytes(this.def.getKey(this.netfsData as never));
  }

  /** The aux bytes to store, or null for none (also once relinquished). */
  aux(): Uint8Array | null {
    if (this.relinquished || !this.def.getAux) return null;
    const aux = this.def.getAux(this.netfsData as never);
    return aux === null ? null : blobBytes(aux);
  }

  /** The object's size in bytes, from the definition. */
  objectSize(): number {
    if (this.relinquished || !this.def.getAttr) return 0;
    return this.def.getAttr(this.netfsData as never);
  }

  /** The object backing this cookie in `cache`, if any. */
  objectIn(cache: FscacheObject['cache']): FscacheObject | undefined {
    for (const o of this.backingObjects) if (o.cache === cache) return o;
    return undefined;
  }

  /** Clears flag bits and wakes whoever waits for them. */
  clearFlags(bits: number): void {
    if (!(this.flags & bits)) return;
    this.flags &= ~bits;
    const waiters = this.#waiters;
    if (!waiters) return;
    const still: FlagWaiter[] = [];
    for (const w of waiters) {
      if (this.flags & w.flag) still.push(w);
      else w.resolve(true);
    }
    this.#waiters = still.length ? still : null;
  }

  /**
   * Waits until `flag` is clear. Resolves false if `signal` aborts first; true otherwise (at
   * once when the flag is already clear).
   */
  waitFlagClear(flag: number, signal?: AbortSignal): Promise<boolean> {
    if (!(this.flags & flag)) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: FlagWaiter = { flag, resolve };
      (this.#waiters ??= []).push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          if (this.#waiters) this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve(false);
        },
        { once: true },
      );
    });
  }

  /** Marks pages as known to the cache. */
  markPages(pages: readonly number[]): void {
    const set = (this.pages ??= new Set());
    for (const p of pages) set.add(p);
  }
}
