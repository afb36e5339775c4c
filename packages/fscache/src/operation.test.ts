/**
 * The one life cycle of operations: reads, reservations, stores and attribute changes are all
 * submitted, started, run, released and counted by operation.ts, whatever runs their work.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FscacheCookie } from './cookie.ts';
import { FscacheError } from './errors.ts';
import { OPERATION_MODES } from './operation.ts';
import { type FileData, fileDef, page, settle, setup } from './test-support/harness.ts';

/** Collects each operation's path through its states from the operation trace. */
function tracedPaths() {
  const paths = new Map<string, string[]>();
  const traceSink = (line: string) => {
    const m = /(OP[0-9a-f]+)\{(\w+)\} (\w+) -> (\w+)$/.exec(line);
    if (!m) return;
    const key = `${m[1]} ${m[2]}`;
    if (!paths.has(key)) paths.set(key, [m[3]!]);
    paths.get(key)!.push(m[4]!);
  };
  /** The paths of operations of `kind`, in submission order. */
  const of = (kind: string) => [...paths].filter(([k]) => k.endsWith(` ${kind}`)).map(([, p]) => p.join(' '));
  return { traceSink, paths, of };
}

// A cookie whose page 0 holds data and page 1 is reserved.
async function populated(fs: Awaited<ReturnType<typeof setup>>['fs'], root: FscacheCookie) {
  const c = await fs.acquireCookie(root, fileDef, { name: 'f', version: 1, size: 8192 });
  await settle(fs);
  await fs.readOrAllocPage(c, 0);
  await fs.writePage(c, 0, page(1));
  fs.uncachePage(c, 0);
  await fs.allocPage(c, 1);
  return c!;
}

test('the kinds declare where their work runs; reads never queue for a worker', () => {
  assert.equal(OPERATION_MODES.retrieval.runsOn, 'caller');
  assert.equal(OPERATION_MODES.alloc.runsOn, 'caller');
  assert.equal(OPERATION_MODES.store.runsOn, 'pool');
  assert.equal(OPERATION_MODES.attrChanged.runsOn, 'pool');
  assert.equal(OPERATION_MODES.attrChanged.exclusive, true);
});

test('a read and a write go init -> (pending) -> running -> done through the same submission', async () => {
  const t = tracedPaths();
  const { fs, netfs, mem } = await setup({ debug: 'operation.debug', traceSink: t.traceSink });
  const c = await populated(fs, netfs.primaryIndex);
  t.paths.clear();

  // Nothing in the way: both start at once.
  const enqueued = fs.stats.n.opEnqueue;
  assert.equal((await fs.readOrAllocPage(c, 0)).status, 'ok');
  assert.equal(fs.stats.n.opEnqueue, enqueued, 'the read ran in its caller, not on a worker');
  assert.deepEqual(await fs.writePage(c, 1, page(2)), { status: 'ok' });
  assert.equal(fs.stats.n.opEnqueue, enqueued + 1, 'the write was queued for a worker');
  assert.deepEqual(t.of('retrieval'), ['init running done']);
  assert.deepEqual(t.of('store'), ['init running done']);
  t.paths.clear();

  // Behind an exclusive operation: both wait, then run.
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const original = mem.attrChanged.bind(mem);
  mem.attrChanged = (o) => gate.then(() => original(o));
  const changed = fs.attrChanged(c);
  const read = fs.readOrAllocPage(c, 0);
  const write = fs.writePage(c, 1, page(3));
  await new Promise((r) => setTimeout(r, 2));
  assert.deepEqual(t.of('retrieval'), ['init pending']);
  assert.deepEqual(t.of('store'), ['init pending']);
  open();
  assert.deepEqual(await changed, { status: 'ok' });
  assert.equal((await read).status, 'ok');
  assert.deepEqual(await write, { status: 'ok' });
  await settle(fs);
  assert.deepEqual(t.of('attrChanged'), ['init running done']);
  assert.deepEqual(t.of('retrieval'), ['init pending running done']);
  assert.deepEqual(t.of('store'), ['init pending running done']);
  await fs.relinquishCookie(c);
});

test('a read and a write on an object that dies before they start are both cancelled', async () => {
  const t = tracedPaths();
  let fail!: (e: Error) => void;
  const gate = new Promise<void>((_, reject) => (fail = reject));
  const { fs, netfs } = await setup({
    debug: 'operation.debug',
    traceSink: t.traceSink,
    faults: { create: (o) => (o.type === 'data' ? gate : undefined) },
  });
  const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'doomed', version: 1 });
  assert.deepEqual(await fs.readOrAllocPage(c, 0), { status: 'ENODATA' }, 'reserved while created');
  const alloc = fs.allocPage(c, 1);
  const write = fs.writePage(c, 0, page(1));
  await new Promise((r) => setTimeout(r, 2));
  fail(new FscacheError('ENOSPC', 'disk full'));
  assert.deepEqual(await alloc, { status: 'ENOBUFS' }, 'a cancelled reservation is ENOBUFS');
  assert.deepEqual(await write, { status: 'ok' }, 'a cancelled store is dropped quietly');
  await settle(fs);
  assert.deepEqual(t.of('alloc'), ['init pending cancelled']);
  assert.deepEqual(t.of('store'), ['init pending cancelled']);
  const n = fs.stats.n;
  assert.equal(n.allocsNobufs, 1, 'a reservation counted ENOBUFS when cancelled');
  assert.equal(n.storesOk, 1, 'a store counted ok when queued, and not again when cancelled');
  assert.equal(n.storeCalls, 0);
  await fs.relinquishCookie(c);
});

for (const how of ['throws', 'rejects'] as const) {
  test(`a backend that ${how} is classified alike for a read and a write`, async () => {
    const cases = [
      { code: 'ENOMEM', status: 'ENOMEM', read: 'retrievalsNomem', write: 'storesOom' },
      { code: 'ENOSPC', status: 'ENOBUFS', read: 'retrievalsNobufs', write: null },
      { code: 'EIO', status: 'ENOBUFS', read: 'retrievalsNobufs', write: null },
    ] as const;
    for (const { code, status, read, write } of cases) {
      const fault = () => {
        if (how === 'throws') throw new FscacheError(code);
        return Promise.reject(new FscacheError(code));
      };
      const results: string[] = [];
      const failed: boolean[] = [];
      for (const op of ['read', 'write'] as const) {
        const { fs, netfs, cache } = await setup();
        const c = await populated(fs, netfs.primaryIndex);
        const object = c.backingObjects[0]!;
        const n = fs.stats.n;
        const before = { ...n };
        cache.backend.readOrAllocPages = (() => fault()) as typeof cache.backend.readOrAllocPages;
        cache.backend.writePage = (() => fault()) as typeof cache.backend.writePage;
        if (op === 'read') {
          const r = await fs.readOrAllocPages(c, [0, 1]);
          assert.deepEqual(r, { status, pages: [{ status }, { status }] });
          results.push(r.status);
          assert.equal(n[read], before[read] + 1, `${code}: ${read}`);
        } else {
          const r = await fs.writePage(c, 1, page(9));
          results.push(r.status);
          assert.equal(n.storesOk, before.storesOk + 1, 'a store is ok once queued');
          assert.equal(n.storeCalls, before.storeCalls + 1);
          if (write) assert.equal(n[write], before[write] + 1, `${code}: ${write}`);
        }
        failed.push(object.isDead || object.cache.ioErrorSeen);
        await settle(fs);
      }
      assert.equal(results[0], results[1], `${code}: the netfs sees the same status for both`);
      assert.equal(results[0], status);
      assert.equal(failed[0], failed[1], `${code}: the object fails alike for both`);
      assert.equal(failed[0], code === 'EIO', `${code}: only a failed medium fails the object`);
    }
  });
}

type Step =
  | { k: 'read'; page: number }
  | { k: 'alloc'; page: number }
  | { k: 'write'; page: number }
  | { k: 'attr' }
  | { k: 'fault'; on: 'read' | 'write'; code: 'ENOMEM' | 'ENOSPC'; async: boolean }
  | { k: 'tick' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant('read' as const), page: fc.nat(3) }),
  fc.record({ k: fc.constant('alloc' as const), page: fc.nat(3) }),
  fc.record({ k: fc.constant('write' as const), page: fc.nat(3) }),
  fc.record({ k: fc.constant('attr' as const) }),
  fc.record({
    k: fc.constant('fault' as const),
    on: fc.constantFrom('read' as const, 'write' as const),
    code: fc.constantFrom('ENOMEM' as const, 'ENOSPC' as const),
    async: fc.boolean(),
  }),
  fc.record({ k: fc.constant('tick' as const) }),
);

test('property: every operation of every kind follows one path and its outcome is counted once', async () => {
  const allowed = new Set(['init running done', 'init pending running done', 'init pending cancelled']);
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 40 }), fc.boolean(), async (steps, slowCreate) => {
      const t = tracedPaths();
      let created!: () => void;
      const creation = new Promise<void>((r) => (created = r));
      const faults: { read?: Step & { k: 'fault' }; write?: Step & { k: 'fault' } } = {};
      const fire = (on: 'read' | 'write') => {
        const f = faults[on];
        if (!f) return;
        faults[on] = undefined;
        if (!f.async) throw new FscacheError(f.code);
        return Promise.reject(new FscacheError(f.code));
      };
      const { fs, netfs, bugs } = await setup({
        debug: 'operation.debug',
        traceSink: t.traceSink,
        faults: {
          create: (o) => (slowCreate && o.type === 'data' ? creation : undefined),
          read: () => fire('read'),
          write: () => fire('write'),
        },
      });
      const file: FileData = { name: 'p', version: 1, size: 4 * 4096 };
      const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, file);
      const inflight: Promise<unknown>[] = [];
      for (const s of steps) {
        if (s.k === 'read' || s.k === 'alloc') {
          const p = s.k === 'read' ? fs.readOrAllocPage(c, s.page) : fs.allocPage(c, s.page);
          inflight.push(p);
        } else if (s.k === 'write') {
          if (c!.pages?.has(s.page)) inflight.push(fs.writePage(c, s.page, page(s.page + 1)));
        } else if (s.k === 'attr') inflight.push(fs.attrChanged(c));
        else if (s.k === 'fault') faults[s.on] = s;
        else await new Promise((r) => setImmediate(r));
      }
      created();
      await Promise.all(inflight);
      await settle(fs);
      for (const [op, path] of t.paths) assert.ok(allowed.has(path.join(' ')), `${op}: ${path.join(' -> ')}`);
      const n = fs.stats.n;
      const ended = (kind: string) => t.of(kind).filter((p) => !p.endsWith('cancelled')).length;
      assert.equal(
        n.retrievals,
        n.retrievalsOk + n.retrievalsNodata + n.retrievalsNobufs + n.retrievalsNomem,
      );
      assert.equal(n.retrievalOps, t.of('retrieval').length, 'each read operation counted once');
      assert.equal(n.allocOps, t.of('alloc').length, 'each reservation operation counted once');
      assert.equal(n.storeOps, t.of('store').length, 'each store operation counted once');
      assert.equal(n.storeCalls, ended('store'), 'a store runs once unless cancelled');
      assert.equal(n.attrChangedCalls, ended('attrChanged'));
      assert.equal(n.opRun, ended('retrieval') + ended('alloc') + ended('store') + ended('attrChanged'));
      assert.equal(n.opRelease, n.opRun, 'every started operation is released');
      assert.deepEqual(bugs, []);
      await fs.relinquishCookie(c);
      await settle(fs);
    }),
    { numRuns: Number(process.env.FSCACHE_PROPERTY_RUNS ?? 100) },
  );
});
