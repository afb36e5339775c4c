/**
 * The FS-Cache instance as the rest of the core sees it: counters, clock, worker pool, tracer and
 * the object-reference calls. Operations, outcomes, page operations and the object state machine
 * take this (and caches a CacheContext, which extends it), not the `Fscache` class, so they do not
 * depend on the module that creates and drives them.
 */
import type { Clock } from './clock.ts';
import type { FscacheHistogram } from './histogram.ts';
import type { FscacheObject } from './object.ts';
import type { ObjectEvent, ObjectState } from './object-state.ts';
import type { FscacheStats } from './stats.ts';
import type { Tracer } from './trace.ts';
import type { WorkerPool } from './worker-pool.ts';

/** The members of `Fscache` that the core's other modules use. */
export interface FscacheContext {
  readonly stats: FscacheStats;
  readonly histogram: FscacheHistogram;
  readonly tracer: Tracer;
  readonly pool: WorkerPool;
  readonly clock: Clock;
  /** Observers of the state machine (tests, tools). */
  readonly onTransition?: (object: FscacheObject, from: ObjectState, to: ObjectState) => void;
  readonly onRunStart?: (object: FscacheObject, worker: number) => void;
  readonly onRunEnd?: (object: FscacheObject, worker: number) => void;
  /** A fresh debug id. */
  nextDebugId(): number;
  /** Raises `event` on `object` (queues it if the event is unmasked). */
  raiseEvent(object: FscacheObject, event: ObjectEvent): void;
  /** Takes a core reference on an object. */
  grabObject(object: FscacheObject): void;
  /** Drops a core reference on an object. */
  putObject(object: FscacheObject): void;
  /** A backend call failed on `object`: record it and fail the object. */
  objectIoFailed(object: FscacheObject, what: string, err: unknown): void;
  /** Separates an object from its cookie. */
  detachCookie(object: FscacheObject): void;
  /** The state machine has finished with an object. */
  objectDead(object: FscacheObject): void;
}
