/** Time as devices see it, injectable so tests control it. */

/** A handle to cancel a scheduled callback. */
export interface TimerHandle {
  cancel(): void;
}

/** Wall-clock time and one-shot timers. */
export interface DeviceClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  schedule(ms: number, fn: () => void): TimerHandle;
}

/** The longest delay `setTimeout` holds; Node fires a longer one at once (an RTC match years away). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The host's clock. Timers do not keep the process alive; long delays wait in steps. */
export const hostClock: DeviceClock = {
  now: () => Date.now(),
  schedule: (ms, fn) => {
    let timer: NodeJS.Timeout;
    const wait = (left: number): void => {
      const step = Math.min(left, MAX_TIMEOUT_MS);
      timer = setTimeout(() => (left > step ? wait(left - step) : fn()), step);
      timer.unref();
    };
    wait(Math.max(0, ms));
    return { cancel: () => clearTimeout(timer) };
  },
};

/** A clock that moves only when told to: for tests. */
export class ManualClock implements DeviceClock {
  #now: number;
  #timers: { at: number; fn: () => void; live: boolean }[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(ms: number, fn: () => void): TimerHandle {
    const timer = { at: this.#now + Math.max(0, ms), fn, live: true };
    this.#timers.push(timer);
    return { cancel: () => (timer.live = false) };
  }

  /** Moves time on by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.live = false;
      this.#now = due.at;
      due.fn();
    }
    this.#now = end;
    this.#timers = this.#timers.filter((t) => t.live);
  }
}
