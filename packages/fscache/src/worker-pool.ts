/**
 * A bounded pool of asynchronous workers, in the manner of the kernel's slow-work threads: an item
 * is never run by two workers at once, repeated enqueues merge, and an item enqueued while it runs
 * is run again once it finishes. Work that waits on something else requeues instead of holding a
 * worker.
 */

/** A value or a promise of it: backends and state actions may finish synchronously. */
export type MaybePromise<T> = T | Promise<T>;

const QUEUED = 1;
const EXECUTING = 2;
const REQUEUE = 4;

/** Something a worker can run. The pool keeps its scheduling flags on the item itself. */
export interface PoolItem {
  /** Scheduling flags owned by the pool; start at 0. */
  poolFlags: number;
  /** Does one unit of work as worker number `worker`. */
  runWork(worker: number): MaybePromise<void>;
  /** Called once the pool no longer counts the item as running. */
  afterWork?(): void;
}

/** Pool sizing and error handling. */
export interface WorkerPoolOptions {
  /** Workers kept ready even when idle (default 4). */
  minWorkers?: number;
  /** Most workers running at once (default 32). */
  maxWorkers?: number;
  /** Called with anything a work item throws. */
  onError: (err: unknown, item: PoolItem) => void;
}

// Synchronous items a worker runs before yielding to the event loop, so I/O is not starved.
const YIELD_EVERY = 128;

/** The pool. */
export class WorkerPool {
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly #onError: WorkerPoolOptions['onError'];
  #queue: PoolItem[] = [];
  #head = 0;
  #workers = 0;
  #busy = 0;
  #idle: Array<() => void> = [];
  #freeIds: number[] = [];
  #drainWaiters: Array<() => void> = [];

  constructor(options: WorkerPoolOptions) {
    const min = options.minWorkers ?? 4;
    const max = options.maxWorkers ?? 32;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
      throw new RangeError(`worker pool needs 1 <= minWorkers <= maxWorkers (got ${min} and ${max})`);
    }
    this.minWorkers = min;
    this.maxWorkers = max;
    this.#onError = options.onError;
    for (let i = max - 1; i >= 0; i--) this.#freeIds.push(i);
  }

  /** Workers alive now. */
  get workers(): number {
    return this.#workers;
  }

  /** Workers running an item now. */
  get busy(): number {
    return this.#busy;
  }

  /** Items waiting for a worker. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Queues `item` unless it is already queued. If it is running, it will run again when it
   * finishes. Returns true if this call queued it.
   */
  enqueue(item: PoolItem): boolean {
    const f = item.poolFlags;
    if (f & EXECUTING) {
      item.poolFlags = f | REQUEUE;
      return false;
    }
    if (f & QUEUED) return false;
    item.poolFlags = f | QUEUED;
    this.#queue.push(item);
    this.#kick();
    return true;
  }

  /** Forgets a run-again request made while `item` was running (it has nothing left to do). */
  cancelRequeue(item: PoolItem): void {
    item.poolFlags &= ~REQUEUE;
  }

  /** True while `item` is being run by a worker. */
  isExecuting(item: PoolItem): boolean {
    return (item.poolFlags & EXECUTING) !== 0;
  }

  /** Resolves once no item is queued or running. */
  drain(): Promise<void> {
    if (this.queued === 0 && this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #kick(): void {
    const wake = this.#idle.pop();
    if (wake) {
      wake();
      return;
    }
    if (this.#workers < this.maxWorkers && this.#workers - this.#busy < this.queued) {
      const id = this.#freeIds.pop()!;
      this.#workers++;
      // Start on a microtask: never run work on the stack of whoever enqueued it.
      queueMicrotask(() => void this.#worker(id));
    }
  }

  #dequeue(): PoolItem | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const item = this.#queue[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  async #worker(id: number): Promise<void> {
    let sinceYield = 0;
    for (;;) {
      const item = this.#dequeue();
      if (!item) {
        this.#checkDrained();
        if (this.#workers > this.minWorkers) break;
        await new Promise<void>((resolve) => this.#idle.push(resolve));
        continue;
      }
      item.poolFlags = (item.poolFlags & ~QUEUED) | EXECUTING;
      this.#busy++;
      try {
        const r = item.runWork(id);
        if (r instanceof Promise) {
          sinceYield = 0;
          await r;
        } else if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } catch (err) {
        this.#onError(err, item);
      }
      this.#busy--;
      const f = item.poolFlags & ~EXECUTING;
      item.poolFlags = f & ~REQUEUE;
      try {
        item.afterWork?.();
      } catch (err) {
        this.#onError(err, item);
      }
      if (f & REQUEUE) this.enqueue(item);
    }
    this.#workers--;
    this.#freeIds.push(id);
  }

  #checkDrained(): void {
    if (this.#busy === 0 && this.queued === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w();
    }
  }
}
