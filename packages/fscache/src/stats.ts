/**
 * The FS-Cache counters, one per counter of the kernel's internal.h, and their rendering in the
 * text format of /proc/fs/fscache/stats. One table drives both the text and the plain object.
 */

/** Every counter, named after the kernel's `fscache_n_*` in camelCase. */
export interface FscacheCounters {
  cookieIndex: number;
  cookieData: number;
  cookieSpecial: number;
  objectAlloc: number;
  objectNoAlloc: number;
  objectAvail: number;
  objectDead: number;
  checkauxNone: number;
  checkauxOkay: number;
  checkauxUpdate: number;
  checkauxObsolete: number;
  marks: number;
  uncaches: number;
  acquires: number;
  acquiresNull: number;
  acquiresNoCache: number;
  acquiresOk: number;
  acquiresNobufs: number;
  acquiresOom: number;
  objectLookups: number;
  objectLookupsNegative: number;
  objectLookupsPositive: number;
  objectCreated: number;
  updates: number;
  updatesNull: number;
  updatesRun: number;
  relinquishes: number;
  relinquishesNull: number;
  relinquishesWaitcrt: number;
  attrChanged: number;
  attrChangedOk: number;
  attrChangedNobufs: number;
  attrChangedNomem: number;
  attrChangedCalls: number;
  allocs: number;
  allocsOk: number;
  allocsWait: number;
  allocsNobufs: number;
  allocOps: number;
  allocOpWaits: number;
  retrievals: number;
  retrievalsOk: number;
  retrievalsWait: number;
  retrievalsNodata: number;
  retrievalsNobufs: number;
  retrievalsIntr: number;
  retrievalsNomem: number;
  retrievalOps: number;
  retrievalOpWaits: number;
  stores: number;
  storesOk: number;
  storesAgain: number;
  storesNobufs: number;
  storesOom: number;
  storeOps: number;
  storeCalls: number;
  opPend: number;
  opRun: number;
  opEnqueue: number;
  opDeferredRelease: number;
  opRelease: number;
  opGc: number;
}

/** The counters plus the per-worker tallies (`fscache_n_{objs,ops}_processed[]`). */
export interface FscacheStatsSnapshot extends FscacheCounters {
  /** State-machine runs done by each worker, indexed by worker number. */
  objsProcessed: number[];
  /** Pool operations run by each worker, indexed by worker number. */
  opsProcessed: number[];
}

type Line = readonly [
  label: string,
  fields: ReadonlyArray<readonly [tag: string, key: keyof FscacheCounters]>,
];

/** The lines of /proc/fs/fscache/stats, in order, each field with its tag. */
export const STATS_LINES: readonly Line[] = [
  [
    'Cookies',
    [
      ['idx', 'cookieIndex'],
      ['dat', 'cookieData'],
      ['spc', 'cookieSpecial'],
    ],
  ],
  [
    'Objects',
    [
      ['alc', 'objectAlloc'],
      ['nal', 'objectNoAlloc'],
      ['avl', 'objectAvail'],
      ['ded', 'objectDead'],
    ],
  ],
  [
    'ChkAux ',
    [
      ['non', 'checkauxNone'],
      ['ok', 'checkauxOkay'],
      ['upd', 'checkauxUpdate'],
      ['obs', 'checkauxObsolete'],
    ],
  ],
  [
    'Pages  ',
    [
      ['mrk', 'marks'],
      ['unc', 'uncaches'],
    ],
  ],
  [
    'Acquire',
    [
      ['n', 'acquires'],
      ['nul', 'acquiresNull'],
      ['noc', 'acquiresNoCache'],
      ['ok', 'acquiresOk'],
      ['nbf', 'acquiresNobufs'],
      ['oom', 'acquiresOom'],
    ],
  ],
  [
    'Lookups',
    [
      ['n', 'objectLookups'],
      ['neg', 'objectLookupsNegative'],
      ['pos', 'objectLookupsPositive'],
      ['crt', 'objectCreated'],
    ],
  ],
  [
    'Updates',
    [
      ['n', 'updates'],
      ['nul', 'updatesNull'],
      ['run', 'updatesRun'],
    ],
  ],
  [
    'Relinqs',
    [
      ['n', 'relinquishes'],
      ['nul', 'relinquishesNull'],
      ['wcr', 'relinquishesWaitcrt'],
    ],
  ],
  [
    'AttrChg',
    [
      ['n', 'attrChanged'],
      ['ok', 'attrChangedOk'],
      ['nbf', 'attrChangedNobufs'],
      ['oom', 'attrChangedNomem'],
      ['run', 'attrChangedCalls'],
    ],
  ],
  [
    'Allocs ',
    [
      ['n', 'allocs'],
      ['ok', 'allocsOk'],
      ['wt', 'allocsWait'],
      ['nbf', 'allocsNobufs'],
    ],
  ],
  [
    'Allocs ',
    [
      ['ops', 'allocOps'],
      ['owt', 'allocOpWaits'],
    ],
  ],
  [
    'Retrvls',
    [
      ['n', 'retrievals'],
      ['ok', 'retrievalsOk'],
      ['wt', 'retrievalsWait'],
      ['nod', 'retrievalsNodata'],
      ['nbf', 'retrievalsNobufs'],
      ['int', 'retrievalsIntr'],
      ['oom', 'retrievalsNomem'],
    ],
  ],
  [
    'Retrvls',
    [
      ['ops', 'retrievalOps'],
      ['owt', 'retrievalOpWaits'],
    ],
  ],
  [
    'Stores ',
    [
      ['n', 'stores'],
      ['ok', 'storesOk'],
      ['agn', 'storesAgain'],
      ['nbf', 'storesNobufs'],
      ['oom', 'storesOom'],
    ],
  ],
  [
    'Stores ',
    [
      ['ops', 'storeOps'],
      ['run', 'storeCalls'],
    ],
  ],
  [
    'Ops    ',
    [
      ['pend', 'opPend'],
      ['run', 'opRun'],
      ['enq', 'opEnqueue'],
    ],
  ],
  [
    'Ops    ',
    [
      ['dfr', 'opDeferredRelease'],
      ['rel', 'opRelease'],
      ['gc', 'opGc'],
    ],
  ],
];

/** The counter names, in /proc order. */
export const COUNTER_NAMES: readonly (keyof FscacheCounters)[] = STATS_LINES.flatMap(([, f]) =>
  f.map(([, k]) => k),
);

/** A fresh set of zeroed counters. */
export function createCounters(): FscacheCounters {
  const c = {} as Record<keyof FscacheCounters, number>;
  for (const k of COUNTER_NAMES) c[k] = 0;
  return c;
}

/** Live counters of one FS-Cache instance. Fields are incremented directly on hot paths. */
export class FscacheStats {
  /** The counters; increment in place. */
  readonly n: FscacheCounters = createCounters();
  readonly objsProcessed: Uint32Array;
  readonly opsProcessed: Uint32Array;

  constructor(maxWorkers: number) {
    this.objsProcessed = new Uint32Array(maxWorkers);
    this.opsProcessed = new Uint32Array(maxWorkers);
  }

  /** A copy of every counter as a plain object. */
  snapshot(): FscacheStatsSnapshot {
    return { ...this.n, objsProcessed: [...this.objsProcessed], opsProcessed: [...this.opsProcessed] };
  }

  /** The counters in the format of /proc/fs/fscache/stats. */
  text(): string {
    return formatStats(this.n);
  }
}

/** Renders counters in the format of /proc/fs/fscache/stats. */
export function formatStats(c: FscacheCounters): string {
  let out = 'FS-Cache statistics\n';
  for (const [label, fields] of STATS_LINES) {
    out += `${label}: ${fields.map(([tag, key]) => `${tag}=${c[key] >>> 0}`).join(' ')}\n`;
  }
  return out;
}
