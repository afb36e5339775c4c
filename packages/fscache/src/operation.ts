/**
 * Operations on objects: shared or exclusive, run at once on an available object or held pending
 * until it becomes available (or until an exclusive operation finishes), cancelled if it dies.
 */
import type { FscacheContext } from './fscache-context.ts';
import type { FscacheObject } from './object.ts';
import { ObjectEvent, ObjectState } from './object-state.ts';
import type { MaybePromise, PoolItem } from './worker-pool.ts';

/** Where an operation is in its life. */
export type OperationState = 'init' | 'pending' | 'running' | 'done' | 'cancelled';

/** Work an operation does on a pool worker once it runs. */
export type OperationProcessor = (op: FscacheOperation, worker: number) => MaybePromise<void>;

/** One operation. Without a processor it runs in its submitter's context (it waits to start). */
export class FscacheOperation implements PoolItem {
  poolFlags = 0;
  readonly debugId: number;
  readonly exclusive: boolean;
  readonly processor: OperationProcessor | null;
  object: FscacheObject | null = null;
  state: OperationState = 'init';
  #onStart: ((started: boolean) => void) | null = null;
  #onEnd: (() => void) | null = null;
  #fs: FscacheContext;

  constructor(fs: FscacheContext, exclusive: boolean, processor: OperationProcessor | null) {
    this.#fs = fs;
    this.debugId = fs.nextDebugId();
    this.exclusive = exclusive;
    this.processor = processor;
  }

  /** Runs the processor on a pool worker, then releases the operation. */
  runWork(worker: number): MaybePromise<void> {
    const fs = this.#fs;
    fs.stats.opsProcessed[worker]!++;
    const t0 = fs.clock.now();
    const finish = () => {
      fs.histogram.record('opRuns', fs.clock.now() - t0);
      completeOperation(fs, this);
    };
    const r = this.processor!(this, worker);
    if (r instanceof Promise) return r.finally(finish);
    finish();
  }

  /** Resolves true when the operation runs, false if it is cancelled first. */
  waitStart(): Promise<boolean> {
    if (this.state === 'running' || this.state === 'done') return Promise.resolve(true);
    if (this.state === 'cancelled') return Promise.resolve(false);
    return new Promise((resolve) => (this.#onStart = resolve));
  }

  /** Resolves once the operation is released or cancelled. */
  waitEnd(): Promise<void> {
    if (this.state === 'done' || this.state === 'cancelled') return Promise.resolve();
    return new Promise((resolve) => (this.#onEnd = resolve));
  }

  /** @internal moves the operation on and wakes its waiters. */
  setState(state: OperationState): void {
    this.state = state;
    if (state === 'running' || state === 'cancelled') {
      const cb = this.#onStart;
      this.#onStart = null;
      cb?.(state === 'running');
    }
    if (state === 'done' || state === 'cancelled') {
      const cb = this.#onEnd;
      this.#onEnd = null;
      cb?.();
    }
  }
}

/** The outcome of submitting an operation. */
export type SubmitResult = 'running' | 'pending' | 'ENOBUFS';

/**
 * Submits `op` to `object`: it runs now if the object is available and nothing blocks it, waits
 * if the object is still being looked up or created (or an exclusive operation blocks it), and is
 * refused with ENOBUFS if the object is dying or its cache has had an I/O error.
 */
export function submitOperation(
  fs: FscacheContext,
  object: FscacheObject,
  op: FscacheOperation,
): SubmitResult {
  if (object.isActive) {
    op.object = object;
    object.nOps++;
    if (op.exclusive) {
      object.nExclusive++;
      if (object.nInProgress > 0 || object.pendingOps?.length) pend(fs, object, op);
      else runOperation(fs, object, op);
    } else if (object.nExclusive > 0 || object.pendingOps?.length) {
      pend(fs, object, op);
      if (object.nExclusive === 0) startOperations(fs, object);
    } else {
      runOperation(fs, object, op);
    }
  } else if (object.state < ObjectState.AVAILABLE && !object.cache.ioErrorSeen) {
    // Still being looked up or created: hold the operation until the object becomes available.
    op.object = object;
    object.nOps++;
    if (op.exclusive) object.nExclusive++;
    pend(fs, object, op);
  } else {
    return 'ENOBUFS';
  }
  return op.state === 'running' ? 'running' : 'pending';
}

function pend(fs: FscacheContext, object: FscacheObject, op: FscacheOperation): void {
  op.setState('pending');
  (object.pendingOps ??= []).push(op);
  fs.stats.n.opPend++;
}

function runOperation(fs: FscacheContext, object: FscacheObject, op: FscacheOperation): void {
  object.nInProgress++;
  fs.stats.n.opRun++;
  op.setState('running');
  if (op.processor) {
    fs.stats.n.opEnqueue++;
    fs.pool.enqueue(op);
  }
}

/** Starts pending operations in order, stopping at an exclusive one while others run. */
export function startOperations(fs: FscacheContext, object: FscacheObject): void {
  const pending = object.pendingOps;
  if (!pending || !object.isActive) return;
  while (pending.length > 0) {
    const op = pending[0]!;
    if (op.exclusive && object.nInProgress > 0) break;
    pending.shift();
    runOperation(fs, object, op);
    if (op.exclusive) break;
  }
}

/**
 * Releases a finished operation. If a worker is running the object's state machine, the release
 * is deferred until that run ends (the kernel defers when it cannot take the object's lock).
 */
export function completeOperation(fs: FscacheContext, op: FscacheOperation): void {
  const object = op.object!;
  if (fs.pool.isExecuting(object)) {
    (object.deferredOps ??= []).push(op);
    fs.stats.n.opDeferredRelease++;
    return;
  }
  releaseOperation(fs, op);
}

/** Releases operations deferred while the object ran (the kernel's operation GC). */
export function collectDeferredOperations(fs: FscacheContext, object: FscacheObject): void {
  const ops = object.deferredOps;
  if (!ops) return;
  object.deferredOps = null;
  for (const op of ops) {
    releaseOperation(fs, op);
    fs.stats.n.opGc++;
  }
}

function releaseOperation(fs: FscacheContext, op: FscacheOperation): void {
  const object = op.object!;
  fs.stats.n.opRelease++;
  object.nInProgress--;
  if (op.exclusive) object.nExclusive--;
  object.nOps--;
  op.setState('done');
  if (object.nInProgress === 0) startOperations(fs, object);
  if (object.nOps === 0) fs.raiseEvent(object, ObjectEvent.CLEARED);
}

/** Cancels every pending operation of a dying object; their submitters see ENOBUFS. */
export function cancelPendingOperations(object: FscacheObject): void {
  const pending = object.pendingOps;
  if (!pending?.length) return;
  object.pendingOps = null;
  for (const op of pending) {
    object.nOps--;
    if (op.exclusive) object.nExclusive--;
    op.setState('cancelled');
  }
}
