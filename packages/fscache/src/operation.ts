/**
 * Operations on objects: one kind of operation for reads, reservations, stores and attribute
 * changes. An operation carries its kind, the work it does (a call into the backend) and, once it
 * ends, a typed result. Submission, start, run, release, the counting of its outcome and the
 * timing of its run happen here alone; what differs between kinds is declared in
 * OPERATION_MODES, not coded as another path. An operation is shared or exclusive; it runs at
 * once on an available object or is held pending until the object becomes available (or an
 * exclusive operation finishes), and is cancelled if the object dies or its cache fails first.
 */
import type { Clock } from './clock.ts';
import type { FscacheHistogram, HistogramSeries } from './histogram.ts';
import { ObjectEvent, ObjectState } from './object-state.ts';
import {
  backendFailure,
  countCall,
  countOutcome,
  countWait,
  type OperationKind,
  type OutcomeContext,
  RUN_KIND,
} from './outcome.ts';
import { type Tracer, TraceStream } from './trace.ts';
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
export interface OperationContext<O extends OperationObject> extends OutcomeContext<O> {
  readonly histogram: FscacheHistogram;
  readonly pool: WorkerPool;
  readonly clock: Clock;
  readonly tracer: Tracer;
  /** A fresh debug id. */
  nextDebugId(): number;
  /** Raises `event` on `object` (queues it if the event is unmasked). */
  raiseEvent(object: O, event: ObjectEvent): void;
}

/** Where an operation is in its life. */
export type OperationState = 'init' | 'pending' | 'running' | 'done' | 'cancelled';

/**
 * Where an operation's work runs: `'caller'` in its submitter's turn as soon as it may start (no
 * queueing, so reads stay cheap), `'pool'` queued for a pool worker (the submitter waits for its
 * end).
 */
export type OperationRunsOn = 'caller' | 'pool';

/** How the operations of one kind run (the kernel's FSCACHE_OP_MYTHREAD, _ASYNC, _EXCLUSIVE). */
export interface OperationMode {
  readonly runsOn: OperationRunsOn;
  /** Runs alone on its object: shared operations wait for it, and it for them. */
  readonly exclusive: boolean;
  /** The histogram of an operation's life from its netfs call to its release, if any. */
  readonly lifetime: HistogramSeries | null;
}

/** The kinds of operation that are submitted to objects, and how each runs. */
export const OPERATION_MODES = {
  retrieval: { runsOn: 'caller', exclusive: false, lifetime: 'retrievals' },
  alloc: { runsOn: 'caller', exclusive: false, lifetime: null },
  store: { runsOn: 'pool', exclusive: false, lifetime: null },
  attrChanged: { runsOn: 'pool', exclusive: true, lifetime: null },
} as const satisfies Partial<Record<OperationKind, OperationMode>>;

/** A kind of operation submitted to objects. */
export type SubmittedKind = keyof typeof OPERATION_MODES;

// Each kind's mode with the kind whose counters count its run (itself, or its `run` kind when
// the submission was already counted), in one shape for every kind.
interface Mode extends OperationMode {
  readonly counted: OperationKind;
}
const MODES = {} as Record<SubmittedKind, Mode>;
for (const kind of Object.keys(OPERATION_MODES) as SubmittedKind[]) {
  const m: OperationMode = OPERATION_MODES[kind];
  const run = (RUN_KIND as Partial<Record<OperationKind, OperationKind>>)[kind];
  MODES[kind] = { runsOn: m.runsOn, exclusive: m.exclusive, lifetime: m.lifetime, counted: run ?? kind };
}

/** What an operation's work produces: a value whose status its kind counts. */
export interface WorkResult {
  readonly status: 'ok' | 'ENODATA';
}

/** Why an operation produced nothing: refused or failed (classified), or cancelled unstarted. */
export type OperationFailure = { readonly status: 'ENOBUFS' | 'ENOMEM' } | { readonly status: 'cancelled' };

/** How an operation ended. */
export type OperationResult<R extends WorkResult> = R | OperationFailure;

/**
 * An operation's work: calls the backend with the operation (its object, of type `O`, is
 * `op.object`) and its input. Written as a method type so that operations of every object type and
 * input share one type.
 */
export type OperationWork<O extends OperationObject, R extends WorkResult, I> = {
  work(op: FscacheOperation<O>, input: I): MaybePromise<R>;
}['work'];

// Wakes a submitter with the operation's result (null: it has started and not yet run).
type Waiter = (result: OperationResult<WorkResult> | null) => void;

const NOBUFS = Object.freeze({ status: 'ENOBUFS' }) as OperationFailure;
const NOMEM = Object.freeze({ status: 'ENOMEM' }) as OperationFailure;
const CANCELLED = Object.freeze({ status: 'cancelled' }) as OperationFailure;

/**
 * One operation on an object of type `O`, producing `R` from `I`. It carries its input (a read's
 * pages, a store's data) rather than a closure, so that building one on the read path allocates no
 * function context.
 */
export class FscacheOperation<
  O extends OperationObject = OperationObject,
  R extends WorkResult = WorkResult,
  I = unknown,
> implements PoolItem {
  poolFlags = 0;
  readonly debugId: number;
  readonly kind: SubmittedKind;
  readonly exclusive: boolean;
  /** @internal how the operation runs and is counted. */
  readonly mode: Mode;
  /** @internal the work, run once the operation has started. */
  readonly work: OperationWork<O, R, I>;
  /** What the work works on. */
  readonly input: I;
  /** @internal when the netfs call began (the start of the kind's lifetime histogram). */
  readonly since: number;
  /** @internal when a pool worker started the work. */
  runStart = 0;
  object: O | null = null;
  state: OperationState = 'init';
  /** How it ended; null until then. */
  result: OperationResult<R> | null = null;
  /** @internal wakes the submitter: at the start of a caller operation, at the end of a pool one. */
  waiter: Waiter | null = null;
  readonly #fs: OperationContext<O>;

  /** An operation of `kind` doing `work` on `input`; `since` is when the netfs call began. */
  constructor(
    fs: OperationContext<O>,
    kind: SubmittedKind,
    work: OperationWork<O, R, I>,
    input: I,
    since = 0,
  ) {
    this.#fs = fs;
    this.debugId = fs.nextDebugId();
    this.kind = kind;
    this.mode = MODES[kind];
    this.exclusive = this.mode.exclusive;
    this.work = work;
    this.input = input;
    this.since = since;
  }

  /** Runs the work on pool worker `worker`, then ends the operation. */
  runWork(worker: number): MaybePromise<void> {
    const fs = this.#fs;
    fs.stats.opsProcessed[worker]!++;
    this.runStart = fs.clock.now();
    return run(fs, this) as MaybePromise<unknown> as MaybePromise<void>;
  }

  /** @internal moves the operation on and wakes its submitter when it may go on. */
  setState(state: OperationState): void {
    const fs = this.#fs;
    if (fs.tracer.mask) fs.tracer.debug(TraceStream.OPERATION, 'fsop', `${this} ${this.state} -> ${state}`);
    this.state = state;
    const waiter = this.waiter;
    if (waiter === null) return;
    if (state === 'cancelled' || state === (this.mode.runsOn === 'caller' ? 'running' : 'done')) {
      this.waiter = null;
      waiter(this.result);
    }
  }

  /** @internal cancels the unstarted operation; its outcome is counted unless it already was. */
  cancel(): void {
    if (this.mode.counted === this.kind) countOutcome(this.#fs, this.kind, 'ENOBUFS');
    this.result = CANCELLED;
    this.setState('cancelled');
  }

  /** `OP1f{retrieval}` for messages. */
  toString(): string {
    return `OP${this.debugId.toString(16)}{${this.kind}}`;
  }
}

/**
 * Submits `op` to `object` and sees it through: the one life cycle of every operation. It is
 * refused with ENOBUFS if the object is dying or its cache has had an I/O error; otherwise it
 * starts now if the object is available and nothing blocks it, or waits. Once started, its work
 * runs in the caller's turn or on a pool worker, as its kind declares; the outcome is counted, the
 * operation released and its times recorded. A caller operation that starts at once and whose
 * backend answers synchronously gives its result synchronously.
 */
export function submitOperation<O extends OperationObject, R extends WorkResult>(
  fs: OperationContext<O>,
  object: O,
  op: FscacheOperation<O, R>,
): MaybePromise<OperationResult<R>> {
  const kind = op.kind;
  if (!submit(fs, object, op)) {
    countOutcome(fs, kind, 'ENOBUFS');
    return (op.result = NOBUFS);
  }
  countWait(fs, kind, 'ops');
  const pending = op.state === 'pending';
  if (pending) countWait(fs, kind, 'opWaits');
  // A kind whose run is counted apart is counted ok once accepted.
  if (op.mode.counted !== kind) countOutcome(fs, kind, 'ok');
  if (op.mode.runsOn === 'pool') return waitFor(op) as Promise<OperationResult<R>>;
  if (!pending) return run(fs, op);
  return waitFor(op).then((r) => (r === null ? run(fs, op) : r));
}

// Resolves when `op` wakes its submitter.
function waitFor<R extends WorkResult>(
  op: FscacheOperation<OperationObject, R>,
): Promise<OperationResult<R> | null> {
  return new Promise((resolve) => (op.waiter = resolve as Waiter));
}

// Runs a started operation's work and ends it. Whatever the backend throws is classified.
function run<O extends OperationObject, R extends WorkResult>(
  fs: OperationContext<O>,
  op: FscacheOperation<O, R>,
): MaybePromise<OperationResult<R>> {
  const counted = op.mode.counted;
  if (counted !== op.kind) countCall(fs, counted);
  let value: MaybePromise<R>;
  try {
    value = op.work(op, op.input);
  } catch (err) {
    return end(fs, op, failed(fs, op, err));
  }
  if (value instanceof Promise) {
    return value.then(
      (v) => end(fs, op, v),
      (err) => end(fs, op, failed(fs, op, err)),
    );
  }
  return end(fs, op, value);
}

function failed<O extends OperationObject>(
  fs: OperationContext<O>,
  op: FscacheOperation<O>,
  err: unknown,
): OperationFailure {
  return backendFailure(fs, op.mode.counted, op.object!, err) === 'ENOMEM' ? NOMEM : NOBUFS;
}

// Ends a run: counts the outcome, releases the operation and records its times.
function end<O extends OperationObject, R extends WorkResult>(
  fs: OperationContext<O>,
  op: FscacheOperation<O, R>,
  result: OperationResult<R>,
): OperationResult<R> {
  const mode = op.mode;
  // A failure was counted when it was classified.
  if (result.status === 'ok' || result.status === 'ENODATA') countOutcome(fs, mode.counted, result.status);
  op.result = result;
  completeOperation(fs, op);
  if (mode.runsOn === 'pool') fs.histogram.record('opRuns', fs.clock.now() - op.runStart);
  if (mode.lifetime !== null) fs.histogram.record(mode.lifetime, fs.clock.now() - op.since);
  return result;
}

// Adds `op` to `object`'s operations, running or pending; false if the object cannot take it.
function submit<O extends OperationObject>(
  fs: OperationContext<O>,
  object: O,
  op: FscacheOperation<O>,
): boolean {
  if (object.isActive) {
    op.object = object;
    object.nOps++;
    if (op.exclusive) {
      object.nExclusive++;
      if (object.nInProgress > 0 || object.pendingOps?.length) pend(fs, object, op);
      else startOperation(fs, object, op);
    } else if (object.nExclusive > 0 || object.pendingOps?.length) {
      pend(fs, object, op);
      if (object.nExclusive === 0) startOperations(fs, object);
    } else {
      startOperation(fs, object, op);
    }
  } else if (object.state < ObjectState.AVAILABLE && !object.cache.ioErrorSeen) {
    // Still being looked up or created: hold the operation until the object becomes available.
    op.object = object;
    object.nOps++;
    if (op.exclusive) object.nExclusive++;
    pend(fs, object, op);
  } else {
    return false;
  }
  return true;
}

function pend<O extends OperationObject>(fs: OperationContext<O>, object: O, op: FscacheOperation): void {
  op.setState('pending');
  (object.pendingOps ??= []).push(op);
  fs.stats.n.opPend++;
}

// Starts an operation: a pool operation is queued for a worker; a caller one is run by its
// submitter, now or once woken.
function startOperation<O extends OperationObject>(
  fs: OperationContext<O>,
  object: O,
  op: FscacheOperation,
): void {
  object.nInProgress++;
  fs.stats.n.opRun++;
  op.setState('running');
  if (op.mode.runsOn === 'pool') {
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
    startOperation(fs, object, op);
    if (op.exclusive) break;
  }
}

/**
 * Releases a finished operation. If a worker is running the object's state machine, the release
 * is deferred until that run ends (the kernel defers when it cannot take the object's lock).
 */
function completeOperation<O extends OperationObject>(
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

/**
 * Cancels every pending operation of an object that cannot run them (it is dying, or its cache
 * failed); their submitters see them cancelled.
 */
export function cancelPendingOperations(object: OperationObject): void {
  const pending = object.pendingOps;
  if (!pending?.length) return;
  object.pendingOps = null;
  for (const op of pending) {
    object.nOps--;
    if (op.exclusive) object.nExclusive--;
    op.cancel();
  }
}
