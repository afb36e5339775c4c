/**
 * The outcomes of the netfs's calls and the counters they move. Each kind of operation, and each
 * cookie call, names its counters once, here; a submitted operation's outcome is counted by the
 * operation's life cycle (operation.ts), and a backend's failure is classified in one place
 * (`backendFailure`).
 */
import type { CheckAux } from './cookie-def.ts';
import { hasCode } from './errors.ts';
import type { FscacheCounters, FscacheStats } from './stats.ts';

/** What counting uses of the FS-Cache instance: its counters. */
export interface CountingContext {
  readonly stats: FscacheStats;
}

/**
 * What classifying a backend's failure uses of the FS-Cache instance; `O` is the object type a
 * failure is reported on. FscacheContext extends it (through OperationContext), so this module
 * names neither.
 */
export interface OutcomeContext<O> extends CountingContext {
  /** A backend call failed on `object`: record it and fail the object. */
  objectIoFailed(object: O, what: string, err: unknown): void;
}

/** Every status an operation can end with. */
export type OutcomeStatus = 'ok' | 'ENODATA' | 'ENOBUFS' | 'ENOMEM' | 'EINTR';

type Counter = keyof FscacheCounters;

/** The counters of one kind of operation: its calls, its waits, and one per outcome it can have. */
export interface OutcomeCounters {
  /** Calls made. */
  readonly calls: Counter;
  /** Calls that waited for the object's lookup. */
  readonly waits?: Counter;
  /** Operations submitted to an object. */
  readonly ops?: Counter;
  /** Submitted operations that had to wait to start. */
  readonly opWaits?: Counter;
  /** The counter each outcome moves; an outcome with none is not counted (it was already). */
  readonly outcomes: Readonly<Partial<Record<OutcomeStatus, Counter>>>;
}

/** The kinds of operation, each with its counters (the kernel's `fscache_n_*`). */
export const OPERATION_COUNTERS = {
  retrieval: {
    calls: 'retrievals',
    waits: 'retrievalsWait',
    ops: 'retrievalOps',
    opWaits: 'retrievalOpWaits',
    outcomes: {
      ok: 'retrievalsOk',
      ENODATA: 'retrievalsNodata',
      ENOBUFS: 'retrievalsNobufs',
      ENOMEM: 'retrievalsNomem',
      EINTR: 'retrievalsIntr',
    },
  },
  // The kernel counts no allocation ENOMEM: the netfs sees ENOBUFS.
  alloc: {
    calls: 'allocs',
    waits: 'allocsWait',
    ops: 'allocOps',
    opWaits: 'allocOpWaits',
    outcomes: { ok: 'allocsOk', ENOBUFS: 'allocsNobufs', ENOMEM: 'allocsNobufs' },
  },
  // A store is counted ok once queued; when it runs, only running out of memory is counted again.
  store: { calls: 'stores', ops: 'storeOps', outcomes: { ok: 'storesOk', ENOBUFS: 'storesNobufs' } },
  storeRun: { calls: 'storeCalls', outcomes: { ENOMEM: 'storesOom' } },
  // The same for attribute changes.
  attrChanged: { calls: 'attrChanged', outcomes: { ok: 'attrChangedOk', ENOBUFS: 'attrChangedNobufs' } },
  attrChangedRun: { calls: 'attrChangedCalls', outcomes: { ENOMEM: 'attrChangedNomem' } },
} as const satisfies Record<string, OutcomeCounters>;

/** A kind of operation. */
export type OperationKind = keyof typeof OPERATION_COUNTERS;

/**
 * The kinds counted ok once accepted, each with the kind that counts its run (the backend call):
 * only a failure of the run is counted again.
 */
export const RUN_KIND = {
  store: 'storeRun',
  attrChanged: 'attrChangedRun',
} as const satisfies Partial<Record<OperationKind, OperationKind>>;

// The same counters with one shape for every kind (null where a kind has none), so that the
// counting functions below stay monomorphic on the hot paths.
type Slot = 'calls' | 'waits' | 'ops' | 'opWaits' | OutcomeStatus;
type Slots = Readonly<Record<Slot, Counter | null>>;
const SLOTS = {} as Record<OperationKind, Slots>;
for (const kind of Object.keys(OPERATION_COUNTERS) as OperationKind[]) {
  const c: OutcomeCounters = OPERATION_COUNTERS[kind];
  const o = c.outcomes;
  SLOTS[kind] = {
    calls: c.calls,
    waits: c.waits ?? null,
    ops: c.ops ?? null,
    opWaits: c.opWaits ?? null,
    ok: o.ok ?? null,
    ENODATA: o.ENODATA ?? null,
    ENOBUFS: o.ENOBUFS ?? null,
    ENOMEM: o.ENOMEM ?? null,
    EINTR: o.EINTR ?? null,
  };
}

/** Counts a call of `kind`. */
export function countCall(fs: CountingContext, kind: OperationKind): void {
  fs.stats.n[SLOTS[kind].calls!]++;
}

/** Counts one wait of `kind` (`waits`, `ops` or `opWaits`). */
export function countWait(fs: CountingContext, kind: OperationKind, what: 'waits' | 'ops' | 'opWaits'): void {
  const counter = SLOTS[kind][what];
  if (counter !== null) fs.stats.n[counter]++;
}

/** Counts an operation of `kind` ending with `status`, and returns the status. */
export function countOutcome<S extends OutcomeStatus>(
  fs: CountingContext,
  kind: OperationKind,
  status: S,
): S {
  const counter = SLOTS[kind][status];
  if (counter !== null) fs.stats.n[counter]++;
  return status;
}

/**
 * Classifies a backend's failure during an operation of `kind` on `object` and counts it. ENOMEM
 * stays ENOMEM; ENOBUFS and ENOSPC mean the cache declined (no room); anything else is a failure
 * of the medium, which also fails the object (and an EIO the cache).
 */
export function backendFailure<O>(
  fs: OutcomeContext<O>,
  kind: OperationKind,
  object: O,
  err: unknown,
): 'ENOMEM' | 'ENOBUFS' {
  if (hasCode(err, 'ENOMEM')) return countOutcome(fs, kind, 'ENOMEM');
  if (!hasCode(err, 'ENOBUFS') && !hasCode(err, 'ENOSPC')) fs.objectIoFailed(object, kind, err);
  return countOutcome(fs, kind, 'ENOBUFS');
}

/** The netfs's cookie calls: the counter of calls, of calls with a null cookie, and of outcomes. */
export const COOKIE_CALL_COUNTERS = {
  acquire: {
    calls: 'acquires',
    nulls: 'acquiresNull',
    outcomes: { ok: 'acquiresOk', ENOBUFS: 'acquiresNobufs', ENOMEM: 'acquiresOom' },
  },
  relinquish: { calls: 'relinquishes', nulls: 'relinquishesNull', outcomes: {} },
  update: { calls: 'updates', nulls: 'updatesNull', outcomes: {} },
} as const satisfies Record<
  string,
  { calls: Counter; nulls: Counter; outcomes: Partial<Record<'ok' | 'ENOBUFS' | 'ENOMEM', Counter>> }
>;

/** A cookie call. */
export type CookieCall = keyof typeof COOKIE_CALL_COUNTERS;

/** The counter of cookies made, by type. */
export const COOKIE_TYPE_COUNTERS = {
  index: 'cookieIndex',
  data: 'cookieData',
  special: 'cookieSpecial',
} as const satisfies Record<string, Counter>;

/** The counter of each verdict a netfs's checkAux gives (none asked: `checkauxNone`). */
export const CHECK_AUX_COUNTERS = {
  okay: 'checkauxOkay',
  needsUpdate: 'checkauxUpdate',
  obsolete: 'checkauxObsolete',
} as const satisfies Record<CheckAux, Counter>;

/** Counts a cookie call; returns false, counted as a null call, when `cookie` is null. */
export function countCookieCall<C extends object>(
  fs: CountingContext,
  call: CookieCall,
  cookie: C | null,
): cookie is C {
  const c = COOKIE_CALL_COUNTERS[call];
  fs.stats.n[c.calls]++;
  if (cookie !== null) return true;
  fs.stats.n[c.nulls]++;
  return false;
}

/** Counts how an acquire with a parent ended, and returns the status. */
export function countAcquired<S extends keyof typeof COOKIE_CALL_COUNTERS.acquire.outcomes>(
  fs: CountingContext,
  status: S,
): S {
  fs.stats.n[COOKIE_CALL_COUNTERS.acquire.outcomes[status]]++;
  return status;
}
