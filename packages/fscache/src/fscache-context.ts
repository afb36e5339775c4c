/**
 * The FS-Cache instance as the rest of the core sees it: counters, clock, worker pool, tracer and
 * the object-reference calls. Operations, outcomes, page operations and the object state machine
 * take this (and caches a CacheContext, which extends it), not the `Fscache` class, so they do not
 * depend on the module that creates and drives them.
 */
import type { FscacheObject } from './object.ts';
import type { ObjectState } from './object-state.ts';
import type { OperationContext } from './operation.ts';

/** The members of `Fscache` that the core's other modules use (operations' among them). */
export interface FscacheContext extends OperationContext<FscacheObject> {
  /** Observers of the state machine (tests, tools). */
  readonly onTransition?: (object: FscacheObject, from: ObjectState, to: ObjectState) => void;
  readonly onRunStart?: (object: FscacheObject, worker: number) => void;
  readonly onRunEnd?: (object: FscacheObject, worker: number) => void;
  /** Takes a core reference on an object. */
  grabObject(object: FscacheObject): void;
  /** Drops a core reference on an object. */
  putObject(object: FscacheObject): void;
  /** Separates an object from its cookie. */
  detachCookie(object: FscacheObject): void;
  /** The state machine has finished with an object. */
  objectDead(object: FscacheObject): void;
}
