/**
 * Operations on objects: shared or exclusive, run at once on an available object or held pending
 * until it becomes available (or until an exclusive operation finishes), cancelled if it dies or
 * its cache fails.
 */
import type { Clock } from './clock.ts';
import type { FscacheHistogram } from './histogram.ts';
import { ObjectEvent, ObjectState } from './object-state.ts';
import type { FscacheStats } from './stats.ts';
import type { MaybePromise, PoolItem, WorkerPool } from './worker-pool.ts';

/**
 * What an operation sees of the object it runs on: its state and its operation counts and queues.
 * FscacheObject has these members; naming only them keeps this module from importing the object's.
 */
export interface OperationObject extends PoolItem {
  readonly state: ObjectState;
  readonly isActive: boolean;
  readonly cache: { readonly ioErrorSeen: boolean };
  nOps: number;
  nInProgress: number;
  nExclusive: number;
  pendingOps: FscacheOperation[] | null;
  deferredOps: FscacheOperation[] | null;
}

/** What operations use of the FS-Cache instance; `O` is the object type it raises events on. */
export interface OperationContext<O extends OperationObject> {
  readonly stats: FscacheStats;
  readonly histogram: FscacheHistogram;
  readonly pool: WorkerPool;
  readonly clock: Clock;
  /** A fresh debug id. */
  nextDebugId(): number;
  /** Raises `event` on `object` (queues it if the event is unmasked). */
  raiseEvent(object: O, event: ObjectEvent): void;
}

/** Where an operation is in its life. */
export type OperationState = 'init' | 'pending' | 'running' | 'done' | 'cancelled';

/** Work an operation does on a pool worker once it runs. */
export type OperationProcessor = (op: FscacheOperation, worker: number) => MaybePromise<void>;

/**
 * One operation on an object of type `O`. Without a processor it runs in its submitter's context
 * (it waits to start).
 */
export class FscacheOperation<O extends OperationObject = OperationObject> implements PoolItem {
  poolFlags = 0;
  readonly debugId: number;
  readonly exclusive: boolean;
  readonly processor: OperationProcessor | null;
  object: O | null = null;
  state: OperationState = 'init';
  #onStart: ((started: boolean) => void) | null = null;
  #onEnd: (() => void) | null = null;
  #fs: OperationContext<O>;

  constructor(fs: OperationContext<O>, exclusive: boolean, processor: OperationProcessor | null) {
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
export function submitOperation<O extends OperationObject>(
  fs: OperationContext<O>,
  object: O,
  op: FscacheOperation<O>,
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

function pend<O extends OperationObject>(fs: OperationContext<O>, object: O, op: FscacheOperation): void {
  op.setState('pending');
  (object.pendingOps ??= []).push(op);
  fs.stats.n.opPend++;
}

function runOperation<O extends OperationObject>(
  fs: OperationContext<O>,
  object: O,
  op: FscacheOperation,
): void {
  object.nInProgress++;
  fs.stats.n.opRun++;
  op.setState('running');
  if (op.processor) {
    fs.stats.n.opEnqueue++;
    fs.pool.enqueue(op);
  }
}

/**
 * Starts pending operations in order, stopping at an exclusive one while others run. An object
 * past lookup that can no longer run them (its cache had an I/O error, or it is dying) cancels
 * them instead: nothing else would ever start them, and their submitters would wait for ever.
 */
export function startOperations<O extends OperationObject>(fs: OperationContext<O>, object: O): void {
  const pending = object.pendingOps;
  if (!pending) return;
  if (!object.isActive) {
    // Before AVAILABLE they wait for the lookup; it ends in AVAILABLE (back here) or DYING.
    if (object.state >= ObjectState.AVAILABLE) cancelPendingOperations(object);
    return;
  }
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
export function completeOperation<O extends OperationObject>(
  fs: OperationContext<O>,
  op: FscacheOperation<O>,
): void {
  const object = op.object!;
  if (fs.pool.isExecuting(object)) {
    (object.deferredOps ??= []).push(op);
    fs.stats.n.opDeferredRelease++;
    return;
  }
  releaseOperation(fs, object, op);
}

/** Releases operations deferred while the object ran (the kernel's operation GC). */
export function collectDeferredOperations<O extends OperationObject>(
  fs: OperationContext<O>,
  object: O,
): void {
  const ops = object.deferredOps;
  if (!ops) return;
  object.deferredOps = null;
  for (const op of ops) {
    releaseOperation(fs, object, op);
    fs.stats.n.opGc++;
  }
}

// The object is passed beside the operation: the deferred list keeps operations by their view.
function releaseOperation<O extends OperationObject>(
  fs: OperationContext<O>,
  object: O,
  op: FscacheOperation,
): void {
  fs.stats.n.opRelease++;
  object.nInProgress--;
  if (op.exclusive) object.nExclusive--;
  object.nOps--;
  op.setState('done');
  if (object.nInProgress === 0) startOperations(fs, object);
  if (object.nOps === 0) fs.raiseEvent(object, ObjectEvent.CLEARED);
}

/** Cancels every pending operation of an object that cannot run them; their submitters see ENOBUFS. */
export function cancelPendingOperations(object: OperationObject): void {
  const pending = object.pendingOps;
  if (!pending?.length) return;
  object.pendingOps = null;
  for (const op of pending) {
    object.nOps--;
    if (op.exclusive) object.nExclusive--;
    op.setState('cancelled');
  }
}
