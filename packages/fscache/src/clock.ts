/**
 * Time, as the cache, its backends, its netfs and the VMM's devices see it. Everything that reads
 * the time or waits takes a Clock in its options, defaulting to the real one, so a test can pass a
 * ManualClock and move time itself instead of sleeping.
 */

/** A pending call from a clock; `unref` makes it not keep the process alive (as Node's timers). */
export interface Timer {
  cancel(): void;
  unref(): this;
}

/** Milliseconds since the Unix epoch (compared with file times), and timers on the same time. */
export interface Clock {
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Calls `fn` every `ms`. */
  setInterval(fn: () => void, ms: number): Timer;
}

function nodeTimer(t: NodeJS.Timeout): Timer {
  return {
    cancel: () => clearTimeout(t),
    unref() {
      t.unref();
      return this;
    },
  };
}

/** The longest delay Node's setTimeout holds; it fires a longer one at once (an RTC match years away). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

// A one-shot timer on Node's timers that waits in steps when the delay is longer than one holds.
function realTimeout(fn: () => void, ms: number): Timer {
  let t: NodeJS.Timeout;
  let unref = false;
  const wait = (left: number): void => {
    const step = Math.min(left, MAX_TIMEOUT_MS);
    t = setTimeout(() => (left > step ? wait(left - step) : fn()), step);
    if (unref) t.unref();
  };
  wait(Math.max(0, ms));
  return {
    cancel: () => clearTimeout(t),
    unref() {
      unref = true;
      t.unref();
      return this;
    },
  };
}

/** The real clock: Date.now and Node's timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: realTimeout,
  setInterval: (fn, ms) => nodeTimer(setInterval(fn, ms)),
};

/** Resolves `ms` from now on `clock`, or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = clock.setTimeout(done, ms);
    function done() {
      t.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface ManualTimer {
  at: number;
  seq: number;
  every: number;
  fn: () => void;
}

/** A clock that moves only when told to: for tests, which then need no sleeps. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Set<ManualTimer>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.#add(fn, ms, 0);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time on by `ms`, calling each timer that falls due, in order, at its own time. */
  advance(ms: number): void {
    const end = this.#now + ms;
    while (this.#fireNext(end));
    this.#now = end;
  }

  /** Moves time on to the next timer and calls it; false when none is waiting. */
  next(): boolean {
    return this.#fireNext(Infinity);
  }

  #add(fn: () => void, ms: number, every: number): Timer {
    const t: ManualTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, every, fn };
    this.#timers.add(t);
    const timers = this.#timers;
    return {
      cancel: () => void timers.delete(t),
      unref() {
        return this;
      },
    };
  }

  #fireNext(limit: number): boolean {
    let first: ManualTimer | null = null;
    for (const t of this.#timers)
      if (!first || t.at < first.at || (t.at === first.at && t.seq < first.seq)) first = t;
    if (!first || first.at > limit) return false;
    this.#now = Math.max(this.#now, first.at);
    if (first.every > 0) {
      first.at += first.every;
      first.seq = this.#seq++;
    } else {
      this.#timers.delete(first);
    }
    first.fn();
    return true;
  }
}
