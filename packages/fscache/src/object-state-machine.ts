/**
 * The object state machine. Each state is data, keyed by its name: an optional action run when the
 * machine wakes in that state, a table of where each event leads once the action is done, and the
 * states it may move to. One dispatcher, `runObject`, executes it: an action returns the next
 * state, and backends only report outcomes (flags) that the action reads. `setObjectState` is the
 * only place an object's state changes.
 */

import { CookieFlag } from './cookie.ts';
import { assert, FscacheAssertionError, hasCode } from './errors.ts';
import type { FscacheContext } from './fscache-context.ts';
import type { FscacheCounters } from './stats.ts';
import { type FscacheObject, HOLDS_PARENT_OP, NEGATIVE, OBTAINED } from './object.ts';
import {
  eventBit,
  eventNames,
  KILL_EVENTS,
  OBJECT_EVENT_NAMES,
  OBJECT_STATE_NAMES,
  ObjectEvent,
  ObjectState,
  type ObjectStateName,
  stateName,
  winningEvent,
} from './object-state.ts';
import { cancelPendingOperations, startOperations } from './operation.ts';
import { TraceStream } from './trace.ts';
import type { MaybePromise } from './worker-pool.ts';

/** An action's verdict: a state to go to now, or one of these. */
export const WAIT = -1; // consult the state's event table; sleep if no event is pending
export const REQUEUE = -2; // go round the pool again (the backend asked for time)
type Next = ObjectState | typeof WAIT | typeof REQUEUE;

/** Where each event leads from a waiting state. */
export type EventTable = Partial<Record<ObjectEvent, ObjectState>>;

/** A state: its action, its event table, every state it may move to, and what entering it counts. */
export interface StateSpec {
  readonly action?: (fs: FscacheContext, object: FscacheObject) => MaybePromise<Next>;
  readonly onEvent: EventTable;
  /** The legal moves out of this state; anything else is a bug. */
  readonly next: readonly ObjectState[];
  /** The counter an object entering this state moves (the kernel's `fscache_n_object_*`). */
  readonly counts?: keyof FscacheCounters;
}

const S = ObjectState;
const E = ObjectEvent;
const UPDATE_BIT = eventBit(E.UPDATE);
const CLEARED_BIT = eventBit(E.CLEARED);

const LOOKUP_EVENTS: EventTable = {
  [E.WITHDRAW]: S.LC_DYING,
  [E.RETIRE]: S.LC_DYING,
  [E.RELEASE]: S.LC_DYING,
  [E.ERROR]: S.LC_DYING,
};
const ACTIVE_EVENTS: EventTable = {
  [E.WITHDRAW]: S.DYING,
  [E.RETIRE]: S.DYING,
  [E.RELEASE]: S.DYING,
  [E.ERROR]: S.DYING,
  [E.UPDATE]: S.UPDATING,
};
const TERMINAL_EVENTS: EventTable = {
  [E.WITHDRAW]: S.WITHDRAWING,
  [E.RETIRE]: S.RECYCLING,
  [E.RELEASE]: S.RELEASING,
  [E.ERROR]: S.WITHDRAWING,
  [E.CLEARED]: S.DYING,
};

/** The machine, keyed by state name. */
export const STATE_TABLE: Readonly<Record<ObjectStateName, StateSpec>> = {
  /** Wait for the parent to become available, then hand over to lookup. A cache's root has
   *  nothing to look up: it goes straight to ACTIVE when the cache is added. */
  INIT: {
    action: initialise,
    onEvent: {
      [E.WITHDRAW]: S.ABORT_INIT,
      [E.RETIRE]: S.ABORT_INIT,
      [E.RELEASE]: S.ABORT_INIT,
      [E.ERROR]: S.ABORT_INIT,
    },
    next: [S.LOOKING_UP, S.ABORT_INIT, S.ACTIVE],
  },
  /** The backend looks the object up; if it reports it absent or stale, the object is created. */
  LOOKING_UP: { action: lookUp, onEvent: LOOKUP_EVENTS, next: [S.CREATING, S.AVAILABLE, S.LC_DYING] },
  /** The backend is called again, to make the object on its medium. */
  CREATING: { action: lookUp, onEvent: LOOKUP_EVENTS, next: [S.AVAILABLE, S.LC_DYING] },
  /** Transient: start pending operations and let children out of INIT. */
  AVAILABLE: { action: becomeAvailable, onEvent: {}, next: [S.ACTIVE], counts: 'objectAvail' },
  /** The normal running state; no action. */
  ACTIVE: { onEvent: ACTIVE_EVENTS, next: [S.UPDATING, S.DYING] },
  /** Store the netfs's new aux data, then back to ACTIVE (whose table decides what next). */
  UPDATING: { action: update, onEvent: {}, next: [S.ACTIVE], counts: 'updatesRun' },
  /** Cancel what waits, kick children, and wait for operations and children to end. */
  DYING: {
    action: dying,
    onEvent: TERMINAL_EVENTS,
    next: [S.DYING, S.RELEASING, S.RECYCLING, S.WITHDRAWING],
  },
  /** Lookup or creation failed or was interrupted. */
  LC_DYING: { action: lookupCreateDying, onEvent: {}, next: [S.DYING] },
  /** The object died waiting on its parent. */
  ABORT_INIT: { action: abortInit, onEvent: {}, next: [S.DYING] },
  /** The netfs let go: drop the object and keep its data. */
  RELEASING: { action: release, onEvent: {}, next: [S.DEAD] },
  /** The netfs let go and retired the data: drop the object and delete it. */
  RECYCLING: { action: release, onEvent: {}, next: [S.DEAD] },
  /** The cache takes the object away from its cookie. */
  WITHDRAWING: { action: withdraw, onEvent: {}, next: [S.DEAD] },
  /** Never processed. */
  DEAD: { onEvent: {}, next: [], counts: 'objectDead' },
};

// The table by state number, for the dispatcher's hot path.
const SPECS: readonly StateSpec[] = OBJECT_STATE_NAMES.map((name) => STATE_TABLE[name]);

/** Every legal move, from → to, as the table gives them. Anything else is a bug. */
export const TRANSITIONS: ReadonlyMap<ObjectState, readonly ObjectState[]> = new Map(
  SPECS.map((spec, state) => [state as ObjectState, spec.next]),
);

/** Moves `object` to `next`: the only place a state changes. */
export function setObjectState(fs: FscacheContext, object: FscacheObject, next: ObjectState): void {
  const from = object.state;
  const spec = SPECS[next]!;
  if (!SPECS[from]!.next.includes(next)) {
    throw new FscacheAssertionError(`illegal transition to ${stateName(next)}`, {
      objectId: object.debugId,
      state: stateName(from),
    });
  }
  (object as { state: ObjectState }).state = next; // the one writer of the readonly field
  if (spec.counts) fs.stats.n[spec.counts]++;
  if (fs.tracer.mask) fs.tracer.debug(TraceStream.CACHE, 'fsobj', `${object} from ${stateName(from)}`);
  fs.onTransition?.(object, from, next);
}

/** Raises `event` on `object`, queueing it if the event is new and not masked. */
export function raiseEvent(fs: FscacheContext, object: FscacheObject, event: ObjectEvent): void {
  const bit = 1 << event;
  if (object.events & bit) return;
  object.events |= bit;
  if (object.eventMask & bit) fs.pool.enqueue(object);
}

/** Runs an object's state machine once: called by a worker. */
export function runObject(fs: FscacheContext, object: FscacheObject, worker: number): MaybePromise<void> {
  fs.stats.objsProcessed[worker]!++;
  fs.onRunStart?.(object, worker);
  if (fs.tracer.mask)
    fs.tracer.enter(TraceStream.CACHE, `w${worker}`, 'fscache_object_state_machine', `${object}`);
  return step(fs, object, worker, fs.clock.now());
}

function step(fs: FscacheContext, object: FscacheObject, worker: number, start: number): MaybePromise<void> {
  for (;;) {
    if (object.state === S.DEAD) {
      throw new FscacheAssertionError('Unexpected event in dead state', {
        objectId: object.debugId,
        state: 'DEAD',
        events: object.events & object.eventMask,
      });
    }
    const spec = SPECS[object.state]!;
    let next: Next = WAIT;
    if (spec.action) {
      const r = spec.action(fs, object);
      if (r instanceof Promise) {
        return r.then((n) =>
          dispatch(fs, object, n) ? step(fs, object, worker, start) : finish(fs, object, worker, start),
        );
      }
      next = r;
    }
    if (!dispatch(fs, object, next)) return finish(fs, object, worker, start);
  }
}

// Applies an action's verdict; returns true to keep running in the new state.
function dispatch(fs: FscacheContext, object: FscacheObject, next: Next): boolean {
  if (next === REQUEUE) {
    fs.pool.enqueue(object);
    return false;
  }
  if (next === WAIT) {
    const pending = object.events & object.eventMask;
    const event = winningEvent(pending);
    if (event === -1) return false;
    const target = SPECS[object.state]!.onEvent[event];
    if (target === undefined) {
      throw new FscacheAssertionError('Unsupported event', {
        objectId: object.debugId,
        state: stateName(object.state),
        event: OBJECT_EVENT_NAMES[event],
        events: object.events,
        mask: object.eventMask,
      });
    }
    setObjectState(fs, object, target);
    return true;
  }
  setObjectState(fs, object, next);
  return next !== S.DEAD;
}

function finish(fs: FscacheContext, object: FscacheObject, worker: number, start: number): void {
  fs.histogram.record('objRuns', fs.clock.now() - start);
  if (object.state === S.DEAD)
    fs.pool.cancelRequeue(object); // events raised on the way down are moot
  else if (object.events & object.eventMask) fs.pool.enqueue(object);
  if (fs.tracer.mask)
    fs.tracer.leave(
      TraceStream.CACHE,
      `w${worker}`,
      'fscache_object_state_machine',
      ` [->${stateName(object.state)}] ev=${eventNames(object.events)}`,
    );
  fs.onRunEnd?.(object, worker);
  if (object.state === S.DEAD) fs.objectDead(object);
}

// INIT: wait for the parent; a kill event already pending sends us to ABORT_INIT.
function initialise(fs: FscacheContext, object: FscacheObject): Next {
  object.eventMask = KILL_EVENTS; // updates wait until the object is active
  if (object.events & KILL_EVENTS) return WAIT;
  const parent = object.parent;
  if (!parent || parent.state >= S.DYING || object.cache.withdrawn) {
    raiseEvent(fs, object, E.WITHDRAW);
    return WAIT;
  }
  if (parent.state < S.AVAILABLE) {
    if (object.waitingOn !== parent) {
      fs.grabObject(object); // the dependents list holds a reference
      (parent.dependents ??= []).push(object);
      object.waitingOn = parent;
    }
    if (parent.state === S.INIT) fs.pool.enqueue(parent);
    return WAIT;
  }
  unlinkDependent(fs, object);
  parent.nOps++;
  parent.nObjOps++;
  object.flags |= HOLDS_PARENT_OP;
  object.lookupStart = fs.clock.now();
  return S.LOOKING_UP;
}

// LOOKING_UP and CREATING: ask the backend; what it reported decides the next state.
function lookUp(fs: FscacheContext, object: FscacheObject): MaybePromise<Next> {
  object.eventMask = KILL_EVENTS;
  if (object.events & KILL_EVENTS) return S.LC_DYING;
  const parent = object.parent!;
  if (parent.state >= S.DYING || object.cache.ioErrorSeen || object.cache.withdrawn) {
    raiseEvent(fs, object, E.WITHDRAW);
    return S.LC_DYING;
  }
  if (object.state === S.LOOKING_UP) fs.stats.n.objectLookups++; // creation is not a second lookup
  let r: MaybePromise<void>;
  try {
    r = object.cache.backend.lookupObject(object);
  } catch (err) {
    return lookupFailed(fs, object, err);
  }
  if (r instanceof Promise) {
    return r.then(
      () => lookupDone(object),
      (err: unknown) => lookupFailed(fs, object, err),
    );
  }
  return lookupDone(object);
}

function lookupDone(object: FscacheObject): Next {
  if (object.events & KILL_EVENTS) return S.LC_DYING;
  if (object.flags & OBTAINED) return S.AVAILABLE;
  if (object.flags & NEGATIVE && object.state === S.LOOKING_UP) return S.CREATING;
  throw new FscacheAssertionError('backend lookup returned without obtaining the object', {
    objectId: object.debugId,
    state: stateName(object.state),
  });
}

function lookupFailed(fs: FscacheContext, object: FscacheObject, err: unknown): Next {
  if (hasCode(err, 'ETIMEDOUT')) return REQUEUE; // the backend wants to be called again later
  if (err instanceof FscacheAssertionError) throw err;
  fs.objectIoFailed(object, 'lookup', err);
  return S.LC_DYING;
}

/** Backend report: the object was found, or made after a negative report. Sets flags only. */
export function objectObtained(fs: FscacheContext, object: FscacheObject): void {
  assert(
    object.state === S.LOOKING_UP || object.state === S.CREATING,
    'object obtained outside lookup or creation',
    {
      objectId: object.debugId,
      state: stateName(object.state),
    },
  );
  if (object.flags & NEGATIVE) {
    fs.stats.n.objectCreated++;
  } else {
    fs.stats.n.objectLookupsPositive++;
    object.cookie?.clearFlags(CookieFlag.NO_DATA_YET | CookieFlag.LOOKING_UP);
  }
  object.flags |= OBTAINED;
}

/**
 * Backend report: the object was not found (or was stale). Sets flags only: reads get ENODATA
 * from now on, without waiting for creation, and once the backend returns the dispatcher moves
 * the object to CREATING, where the backend is called again to make it.
 */
export function objectLookupNegative(fs: FscacheContext, object: FscacheObject): void {
  if (object.state !== S.LOOKING_UP || object.flags & NEGATIVE) return; // only the first call counts
  object.flags |= NEGATIVE;
  fs.stats.n.objectLookupsNegative++;
  const cookie = object.cookie;
  if (cookie) {
    cookie.flags |= CookieFlag.NO_DATA_YET;
    cookie.clearFlags(CookieFlag.LOOKING_UP);
  }
}

/** A cache's root backs the master index, which exists before the cache: it starts ACTIVE. */
export function activateRoot(fs: FscacheContext, root: FscacheObject): void {
  root.eventMask = KILL_EVENTS | UPDATE_BIT;
  root.flags |= OBTAINED;
  setObjectState(fs, root, S.ACTIVE);
}

// AVAILABLE: release the parent, start what waited, let children out of INIT.
function becomeAvailable(fs: FscacheContext, object: FscacheObject): Next {
  object.eventMask = KILL_EVENTS | UPDATE_BIT;
  object.cookie?.clearFlags(CookieFlag.CREATING | CookieFlag.LOOKING_UP);
  doneParentOp(fs, object);
  startOperations(fs, object);
  object.cache.backend.lookupComplete?.(object);
  enqueueDependents(fs, object);
  fs.histogram.record('objInstantiate', fs.clock.now() - object.lookupStart);
  return S.ACTIVE;
}

// UPDATING: hand the netfs's new aux data to the backend.
function update(fs: FscacheContext, object: FscacheObject): MaybePromise<Next> {
  object.events &= ~UPDATE_BIT;
  const failed = (err: unknown): Next => {
    fs.objectIoFailed(object, 'update', err);
    return S.ACTIVE;
  };
  try {
    const r = object.cache.backend.updateObject?.(object);
    if (r instanceof Promise) return r.then(() => S.ACTIVE, failed);
  } catch (err) {
    return failed(err);
  }
  return S.ACTIVE;
}

// LC_DYING: undo what lookup set up, then die.
function lookupCreateDying(fs: FscacheContext, object: FscacheObject): Next {
  object.eventMask &= ~UPDATE_BIT;
  object.cache.backend.lookupComplete?.(object);
  object.cookie?.clearFlags(CookieFlag.LOOKING_UP | CookieFlag.CREATING);
  doneParentOp(fs, object);
  return S.DYING;
}

// ABORT_INIT: leave the parent's dependents list, then die.
function abortInit(fs: FscacheContext, object: FscacheObject): Next {
  object.eventMask &= ~UPDATE_BIT;
  unlinkDependent(fs, object);
  object.cookie?.clearFlags(CookieFlag.LOOKING_UP | CookieFlag.CREATING);
  return S.DYING;
}

// DYING: cancel pending operations, kick waiting children, then wait for everything to end.
function dying(fs: FscacheContext, object: FscacheObject): Next {
  object.events &= ~CLEARED_BIT;
  cancelPendingOperations(object);
  enqueueDependents(fs, object);
  // Only the end of its operations and children, then the kill event, move a dying object on;
  // an update raised while it waits is moot, so UPDATE stays masked.
  object.eventMask = object.nOps === 0 && object.nChildren === 0 ? KILL_EVENTS : CLEARED_BIT;
  return WAIT;
}

// RELEASING and RECYCLING: drop the object; the backend deletes the data when recycling.
function release(fs: FscacheContext, object: FscacheObject): MaybePromise<Next> {
  object.eventMask = 0;
  fs.detachCookie(object);
  return dropObject(fs, object);
}

// WITHDRAWING: detach from the cookie (telling the netfs it is uncached), then drop.
function withdraw(fs: FscacheContext, object: FscacheObject): MaybePromise<Next> {
  object.eventMask = 0;
  fs.detachCookie(object);
  return dropObject(fs, object);
}

function dropObject(fs: FscacheContext, object: FscacheObject): MaybePromise<Next> {
  object.cache.objects.delete(object);
  let r: MaybePromise<void>;
  try {
    r = object.cache.backend.dropObject?.(object);
  } catch (err) {
    fs.objectIoFailed(object, 'drop', err);
    return dropped(fs, object);
  }
  if (r instanceof Promise) {
    return r.then(
      () => dropped(fs, object),
      (err: unknown) => {
        fs.objectIoFailed(object, 'drop', err);
        return dropped(fs, object);
      },
    );
  }
  return dropped(fs, object);
}

function dropped(fs: FscacheContext, object: FscacheObject): Next {
  const parent = object.parent;
  if (parent) {
    parent.nChildren--;
    if (parent.nChildren === 0) raiseEvent(fs, parent, E.CLEARED);
  }
  return S.DEAD;
}

// The parent's count of lookups in progress drops; at zero it may proceed if dying.
function doneParentOp(fs: FscacheContext, object: FscacheObject): void {
  if (!(object.flags & HOLDS_PARENT_OP)) return;
  object.flags &= ~HOLDS_PARENT_OP;
  const parent = object.parent!;
  parent.nObjOps--;
  parent.nOps--;
  if (parent.nOps === 0) raiseEvent(fs, parent, E.CLEARED);
}

// Gives every child waiting in INIT a turn: it proceeds, or dies if this object is dying.
function enqueueDependents(fs: FscacheContext, object: FscacheObject): void {
  const deps = object.dependents;
  if (!deps) return;
  object.dependents = null;
  for (const child of deps) {
    child.waitingOn = null;
    fs.pool.enqueue(child);
    fs.putObject(child);
  }
}

function unlinkDependent(fs: FscacheContext, object: FscacheObject): void {
  const parent = object.waitingOn;
  if (!parent) return;
  object.waitingOn = null;
  const deps = parent.dependents;
  if (deps) {
    const i = deps.indexOf(object);
    if (i >= 0) deps.splice(i, 1);
    if (deps.length === 0) parent.dependents = null;
  }
  fs.putObject(object);
}
