/**
 * Random interleavings of the netfs and cache APIs with injected backend faults. After each run:
 * no object was run by two workers at once, every object reached DEAD once its cookie or cache
 * went away, no reference or operation leaked, and the stats add up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FscacheCache } from './cache.ts';
import type { FscacheCookie } from './cookie.ts';
import { FscacheError } from './errors.ts';
import { Fscache } from './fscache.ts';
import { MemoryCache, type MemoryCacheFaults } from './memory-cache.ts';
import type { FscacheObject } from './object.ts';
import { OBJECT_STATE_NAMES, ObjectState } from './object-state.ts';
import { TRANSITIONS } from './object-state-machine.ts';
import { type FileData, fileDef, page, taggedIndexDef } from './test-support/harness.ts';

const RUNS = Number(process.env.FSCACHE_PROPERTY_RUNS ?? 1000);
const SEED = process.env.FSCACHE_PROPERTY_SEED
  ? Number(process.env.FSCACHE_PROPERTY_SEED)
  : process.env.CI
    ? 20261122
    : undefined;

type Cmd =
  | { k: 'acquireIndex'; tag: number }
  | { k: 'acquireFile'; dir: number; name: number }
  | { k: 'relinquish'; slot: number; retire: boolean }
  | { k: 'update'; slot: number }
  | { k: 'read'; slot: number; page: number }
  | { k: 'write'; slot: number; page: number }
  | { k: 'uncache'; slot: number; page: number }
  | { k: 'attr'; slot: number }
  | { k: 'alloc'; slot: number; page: number }
  | { k: 'withdraw'; cache: number }
  | { k: 'addCache' }
  | { k: 'fault'; what: Fault }
  | { k: 'tick'; n: number };

type Fault = 'lookupError' | 'createError' | 'timeout' | 'writeError' | 'ioError' | 'slow' | 'nomem';
const FAULTS: Fault[] = ['lookupError', 'createError', 'timeout', 'writeError', 'ioError', 'slow', 'nomem'];

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ k: fc.constant('acquireIndex' as const), tag: fc.nat(2) }),
  {
    arbitrary: fc.record({ k: fc.constant('acquireFile' as const), dir: fc.nat(3), name: fc.nat(5) }),
    weight: 3,
  },
  fc.record({ k: fc.constant('relinquish' as const), slot: fc.nat(15), retire: fc.boolean() }),
  fc.record({ k: fc.constant('update' as const), slot: fc.nat(15) }),
  { arbitrary: fc.record({ k: fc.constant('read' as const), slot: fc.nat(15), page: fc.nat(3) }), weight: 3 },
  {
    arbitrary: fc.record({ k: fc.constant('write' as const), slot: fc.nat(15), page: fc.nat(3) }),
    weight: 3,
  },
  fc.record({ k: fc.constant('uncache' as const), slot: fc.nat(15), page: fc.nat(3) }),
  fc.record({ k: fc.constant('attr' as const), slot: fc.nat(15) }),
  fc.record({ k: fc.constant('alloc' as const), slot: fc.nat(15), page: fc.nat(3) }),
  fc.record({ k: fc.constant('withdraw' as const), cache: fc.nat(2) }),
  fc.record({ k: fc.constant('addCache' as const) }),
  fc.record({ k: fc.constant('fault' as const), what: fc.constantFrom(...FAULTS) }),
  { arbitrary: fc.record({ k: fc.constant('tick' as const), n: fc.integer({ min: 1, max: 4 }) }), weight: 3 },
);

const tick = () => new Promise<void>((r) => setImmediate(r));

interface Plan {
  nomem: number;
  lookupErrors: number;
  createErrors: number;
  timeouts: number;
  writeErrors: number;
  ioErrors: number;
  slow: number;
}

function faultsFor(plan: Plan): MemoryCacheFaults {
  const maybeSlow = async () => {
    for (let i = 0; i < plan.slow; i++) await tick();
  };
  const nomem = () => {
    if (plan.nomem > 0) {
      plan.nomem--;
      throw new FscacheError('ENOMEM', 'injected');
    }
  };
  return {
    alloc: nomem,
    read: () => nomem(),
    lookup: (o) => {
      if (plan.timeouts > 0 && o.type === 'data') {
        plan.timeouts--;
        throw new FscacheError('ETIMEDOUT');
      }
      if (plan.lookupErrors > 0) {
        plan.lookupErrors--;
        return Promise.reject(new FscacheError('ENOSPC', 'injected'));
      }
      return plan.slow ? maybeSlow() : undefined;
    },
    create: () => {
      if (plan.createErrors > 0) {
        plan.createErrors--;
        throw new FscacheError('EACCES' as 'EIO', 'injected');
      }
      return plan.slow ? maybeSlow() : undefined;
    },
    write: () => {
      if (plan.ioErrors > 0) {
        plan.ioErrors--;
        throw new FscacheError('EIO', 'injected');
      }
      nomem();
      if (plan.writeErrors > 0) {
        plan.writeErrors--;
        throw new FscacheError('ENOSPC', 'injected');
      }
      return plan.slow ? maybeSlow() : undefined;
    },
  };
}

async function settleAll(inflight: Promise<unknown>[], cmds: Cmd[], seen: Set<FscacheObject>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const status = inflight.map(() => 'pending');
  inflight.forEach((p, i) =>
    p.then(
      () => (status[i] = 'done'),
      () => (status[i] = 'rejected'),
    ),
  );
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => {
      const objs = [...seen].map(
        (o) =>
          `${o} ev=${o.events} mask=${o.eventMask} ops=${o.nOps} ch=${o.nChildren} pend=${o.pendingOps?.length ?? 0} ck=${o.cookie?.flags}`,
      );
      rej(
        new Error(
          `calls never settled: ${status
            .map((s, i) => `${i}:${s}`)
            .filter((x) => x.endsWith('pending'))
            .join(' ')}\ncmds=${JSON.stringify(cmds)}\n${objs.join('\n')}`,
        ),
      );
    }, 2000);
  });
  try {
    await Promise.race([Promise.all(inflight), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What every run together exercised: the transitions taken. */
const coverage = { transitions: new Set<string>() };

async function runScenario(cmds: Cmd[], workers: { min: number; max: number }): Promise<void> {
  const bugs: unknown[] = [];
  const fs = new Fscache({
    debug: 0,
    minWorkers: workers.min,
    maxWorkers: workers.max,
    onBug: (e) => bugs.push(e),
  });
  const plan: Plan = {
    nomem: 0,
    lookupErrors: 0,
    createErrors: 0,
    timeouts: 0,
    writeErrors: 0,
    ioErrors: 0,
    slow: 0,
  };
  const caches: FscacheCache[] = [];
  let tags = 0;
  const addCache = async () => {
    const tag = `c${tags++}`;
    caches.push(await fs.addCache(new MemoryCache({ faults: faultsFor(plan) }), tag));
  };
  await addCache();
  const netfs = fs.registerNetfs({ name: 'prop', version: 1 });

  // Invariant: one worker per object at a time, and every object seen ends DEAD.
  const running = new Set<FscacheObject>();
  const seen = new Set<FscacheObject>();
  fs.onRunStart = (o) => {
    assert.ok(!running.has(o), `${o} run by two workers at once`);
    running.add(o);
    seen.add(o);
  };
  fs.onRunEnd = (o) => running.delete(o);
  fs.onTransition = (o, from, to) => {
    seen.add(o);
    coverage.transitions.add(`${OBJECT_STATE_NAMES[from]}->${OBJECT_STATE_NAMES[to]}`);
  };

  const indexes: Array<FscacheCookie | null> = [];
  const slots: Array<FscacheCookie | null> = [];
  const busy = new Set<FscacheCookie>(); // cookies with a relinquish in flight
  const inflight: Promise<unknown>[] = [];
  const live = (slot: number) => {
    const c = slots[slot % Math.max(slots.length, 1)] ?? null;
    return c && !busy.has(c) && !c.relinquished ? c : null;
  };

  for (const c of cmds) {
    switch (c.k) {
      case 'acquireIndex':
        inflight.push(
          fs
            .acquireCookie(netfs.primaryIndex, taggedIndexDef, `c${c.tag}/dir${indexes.length}`)
            .then((x) => indexes.push(x)),
        );
        break;
      case 'acquireFile': {
        const dir = indexes[c.dir % Math.max(indexes.length, 1)] ?? netfs.primaryIndex;
        if (dir.relinquished || busy.has(dir)) break;
        const file: FileData = { name: `f${c.name}`, version: 1, size: 4 * 4096 };
        inflight.push(fs.acquireCookie(dir, fileDef, file).then((x) => slots.push(x)));
        break;
      }
      case 'relinquish': {
        const cookie = live(c.slot);
        if (!cookie || cookie.nChildren > 0) break;
        busy.add(cookie);
        inflight.push(fs.relinquishCookie(cookie, { retire: c.retire }));
        break;
      }
      case 'update': {
        const cookie = live(c.slot);
        if (cookie) {
          (cookie.netfsData as FileData).version++;
          fs.updateCookie(cookie);
        }
        break;
      }
      case 'read':
        inflight.push(fs.readOrAllocPage(live(c.slot), c.page));
        break;
      case 'write': {
        const cookie = live(c.slot);
        if (cookie?.pages?.has(c.page) || !cookie?.backingObjects.length) {
          inflight.push(fs.writePage(cookie, c.page, page(c.page + 1)));
        }
        break;
      }
      case 'uncache':
        fs.uncachePage(live(c.slot), c.page);
        break;
      case 'attr': {
        const cookie = live(c.slot);
        if (cookie) (cookie.netfsData as FileData).size = (c.slot % 4) * 4096;
        inflight.push(fs.attrChanged(cookie));
        break;
      }
      case 'alloc':
        inflight.push(fs.allocPage(live(c.slot), c.page));
        break;
      case 'withdraw': {
        const cache = caches[c.cache % caches.length]!;
        if (!cache.withdrawn) inflight.push(fs.withdrawCache(cache));
        break;
      }
      case 'addCache':
        if (tags < 3) inflight.push(addCache());
        break;
      case 'fault':
        if (c.what === 'lookupError') plan.lookupErrors++;
        else if (c.what === 'createError') plan.createErrors++;
        else if (c.what === 'timeout') plan.timeouts++;
        else if (c.what === 'writeError') plan.writeErrors++;
        else if (c.what === 'ioError') plan.ioErrors++;
        else if (c.what === 'nomem') plan.nomem++;
        else plan.slow = plan.slow ? 0 : 2;
        break;
      case 'tick':
        for (let i = 0; i < c.n; i++) await tick();
        break;
    }
  }
  await settleAll(inflight, cmds, seen);

  // Tear down: files, then indexes, then the netfs, then every cache.
  for (const cookie of slots)
    if (cookie && !busy.has(cookie) && !cookie.relinquished) await fs.relinquishCookie(cookie);
  for (const cookie of indexes) if (cookie && !cookie.relinquished) await fs.relinquishCookie(cookie);
  await fs.unregisterNetfs(netfs);
  await fs.close();
  for (let i = 0; i < 5; i++) await tick();

  assert.deepEqual(bugs, [], 'no assertion fired');
  assert.equal(running.size, 0);
  for (const o of seen) assert.equal(o.state, ObjectState.DEAD, `${o} reached DEAD`);
  assert.equal(fs.liveObjects, 0, 'no object leaked');
  assert.equal(fs.liveCookies, 1, 'only the master index is left');
  assert.equal(fs.masterIndex.usage, 1, 'no reference to the master index leaked');
  for (const o of seen) {
    assert.equal(o.usage, 0, `${o} holds no references`);
    assert.equal(o.nOps, 0, `${o} has no operations left`);
    assert.equal(o.pendingOps?.length ?? 0, 0);
  }
  const n = fs.stats.n;
  assert.equal(
    n.acquires,
    n.acquiresNull + n.acquiresOk + n.acquiresNobufs + n.acquiresOom,
    'acquires add up',
  );
  assert.equal(n.objectAlloc, n.objectDead, 'every object allocated died');
  // An object found or created may still be killed before its AVAILABLE action runs.
  assert.ok(
    n.objectAvail <= n.objectLookupsPositive + n.objectCreated,
    'every available object was found or created',
  );
  assert.equal(
    n.retrievals,
    n.retrievalsOk + n.retrievalsNodata + n.retrievalsNobufs + n.retrievalsIntr + n.retrievalsNomem,
    'retrievals add up',
  );
  assert.equal(n.stores, n.storesOk + n.storesAgain + n.storesNobufs, 'stores add up');
  assert.equal(n.attrChanged, n.attrChangedOk + n.attrChangedNobufs, 'attribute changes add up');
  assert.equal(n.allocs, n.allocsOk + n.allocsNobufs, 'allocations add up');
  assert.equal(n.opRun, n.opRelease, 'every operation that ran was released');
  assert.equal(n.opDeferredRelease, n.opGc, 'every deferred release was collected');
  assert.ok(n.storeCalls <= n.storesOk, 'no store ran that was not queued');
  assert.equal(
    fs.stats.objsProcessed.reduce((a, b) => a + b, 0),
    fs.histogram.series.objRuns.reduce((a, b) => a + b, 0),
    'every run is in the histogram',
  );
}

test(`${RUNS} random interleavings keep every invariant`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(cmd, { minLength: 5, maxLength: 60 }),
      fc.constantFrom({ min: 1, max: 1 }, { min: 1, max: 4 }, { min: 4, max: 32 }),
      runScenario,
    ),
    // CI replays one fixed sequence of runs; elsewhere each run explores new ones (set the seed to replay).
    { numRuns: RUNS, seed: SEED },
  );
});

test('together the runs take every legal transition', () => {
  if (RUNS < 500) return; // a short exploratory run proves nothing about coverage
  // DYING re-runs its action on every wake-up and the action consumes CLEARED first, so the event
  // table's CLEARED -> DYING fires only if CLEARED were raised during that action, which nothing
  // here does (in the kernel another CPU could).
  const consumedByAction = new Set(['DYING->DYING']);
  const missing: string[] = [];
  for (const [from, tos] of TRANSITIONS) {
    for (const to of tos) {
      const t = `${OBJECT_STATE_NAMES[from]}->${OBJECT_STATE_NAMES[to]}`;
      if (!coverage.transitions.has(t) && !consumedByAction.has(t)) missing.push(t);
    }
  }
  assert.deepEqual(missing, [], 'transitions never taken');
});
