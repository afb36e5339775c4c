import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CookieFlag } from './cookie.ts';
import { FscacheAssertionError, FscacheError } from './errors.ts';
import { Fscache } from './fscache.ts';
import { MemoryCache } from './memory-cache.ts';
import { OBJECT_STATE_NAMES, ObjectState } from './object-state.ts';
import {
  type FileData,
  fileDef,
  indexDef,
  page,
  settle,
  setup,
  startHeldRead,
  taggedIndexDef,
  until,
} from './test-support/harness.ts';

/** Records each object's path through the states. */
function recordPaths(fs: Fscache): Map<number, string[]> {
  const paths = new Map<number, string[]>();
  fs.onTransition = (o, from, to) => {
    if (!paths.has(o.debugId)) paths.set(o.debugId, [OBJECT_STATE_NAMES[from]]);
    paths.get(o.debugId)!.push(OBJECT_STATE_NAMES[to]);
  };
  return paths;
}

describe('netfs API', () => {
  test('a full lifecycle: miss, write, uncache, hit, relinquish keeps data, reacquire finds it', async () => {
    const { fs, netfs, mem } = await setup();
    const paths = recordPaths(fs);
    const file: FileData = { name: 'f', version: 1 };
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, file);
    assert.ok(c);
    assert.deepEqual(await fs.readOrAllocPage(c, 0), { status: 'ENODATA' });
    assert.deepEqual(await fs.writePage(c, 0, page(7)), { status: 'ok' });
    // The netfs still holds the page, so the cache is not consulted until it lets go.
    assert.deepEqual(await fs.readOrAllocPage(c, 0), { status: 'ENODATA' });
    fs.uncachePage(c, 0);
    const hit = await fs.readOrAllocPage(c, 0);
    assert.equal(hit.status, 'ok');
    assert.deepEqual(hit.status === 'ok' && hit.data, page(7));
    assert.deepEqual(file.marked, [0, 0, 0]);
    await fs.relinquishCookie(c);
    await settle(fs);
    const id = c.debugId;
    void id;
    const objPath = [...paths.values()].find((p) => p.includes('RELEASING'));
    assert.deepEqual(objPath, [
      'INIT',
      'LOOKING_UP',
      'CREATING',
      'AVAILABLE',
      'ACTIVE',
      'DYING',
      'RELEASING',
      'DEAD',
    ]);
    const again = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'f', version: 1 });
    const read = await fs.readOrAllocPage(again, 0);
    assert.equal(read.status, 'ok');
    assert.equal(fs.stats.n.objectLookupsPositive >= 1, true);
    assert.equal(mem.bytes, 4096);
    await fs.relinquishCookie(again, { retire: true });
    await settle(fs);
    assert.equal(mem.bytes, 0, 'retiring deletes the data');
  });

  test('pageSize reports the page size of the backing cache, 0 when not cached', async () => {
    const { fs, netfs } = await setup();
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'p', version: 1 });
    assert.equal(fs.pageSize(c), 4096);
    assert.equal(fs.pageSize(null), 0);
  });

  test('a backend can withdraw its own cache', async () => {
    const { fs, netfs, cache } = await setup();
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'w', version: 1 });
    await settle(fs);
    await cache.withdraw();
    assert.equal(c!.backingObjects.length, 0);
    assert.equal(fs.caches.length, 0);
  });

  test('null cookies are accepted everywhere and mean "not cached"', async () => {
    const { fs } = await setup();
    assert.equal(await fs.acquireCookie(null, fileDef, { name: 'x', version: 1 }), null);
    assert.deepEqual(await fs.readOrAllocPage(null, 0), { status: 'ENOBUFS' });
    assert.deepEqual(await fs.allocPage(null, 0), { status: 'ENOBUFS' });
    assert.deepEqual(await fs.writePage(null, 0, page(1)), { status: 'ENOBUFS' });
    assert.deepEqual(await fs.attrChanged(null), { status: 'ENOBUFS' });
    fs.updateCookie(null);
    fs.uncachePage(null, 0);
    await fs.relinquishCookie(null);
    const n = fs.stats.n;
    assert.deepEqual([n.acquiresNull, n.updatesNull, n.relinquishesNull, n.retrievalsNobufs], [1, 1, 1, 1]);
  });

  test('ENOBUFS when no cache can serve: no cache at all, then a withdrawn one', async () => {
    const fs = new Fscache({ debug: 0 });
    const netfs = fs.registerNetfs({ name: 'n', version: 1 });
    const idx = await fs.acquireCookie(netfs.primaryIndex, indexDef, 'i');
    assert.ok(idx, 'index cookies exist without a cache');
    assert.equal(await fs.acquireCookie(idx, fileDef, { name: 'a', version: 1 }), null);
    assert.equal(fs.stats.n.acquiresNoCache, 1);
    const cache = await fs.addCache(new MemoryCache(), 'm');
    const c = await fs.acquireCookie(idx, fileDef, { name: 'a', version: 1 });
    assert.ok(c);
    await fs.withdrawCache(cache);
    assert.deepEqual(await fs.readOrAllocPage(c, 0), { status: 'ENOBUFS' });
    assert.equal((c.netfsData as FileData).uncached, 1, 'the netfs was told the cookie lost its cache');
    await fs.relinquishCookie(c);
    await fs.relinquishCookie(idx);
    await fs.unregisterNetfs(netfs);
    assert.equal(fs.liveCookies, 1);
    assert.equal(fs.liveObjects, 0);
  });

  test('ENODATA fails fast while the object is still being created', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { fs, netfs } = await setup({ faults: { create: (o) => (o.type === 'data' ? gate : undefined) } });
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'slow', version: 1 });
    const r = await fs.readOrAllocPage(c, 3);
    assert.deepEqual(r, { status: 'ENODATA' });
    const object = c!.backingObjects[0]!;
    assert.equal(object.state, ObjectState.CREATING);
    const w = fs.writePage(c, 3, page(3));
    await until(() => object.pendingOps?.length === 1, 'the write to be held for creation');
    assert.equal(fs.stats.n.storeCalls, 0, 'the write waits for creation');
    release();
    assert.deepEqual(await w, { status: 'ok' });
    assert.equal(fs.stats.n.storeCalls, 1);
    assert.ok(fs.stats.n.opPend >= 1);
  });

  test('creation failing with writes queued: the writes are dropped quietly, nothing recorded', async () => {
    let fail!: (e: Error) => void;
    const gate = new Promise<void>((_, rej) => (fail = rej));
    const { fs, netfs, mem, bugs } = await setup({
      faults: { create: (o) => (o.type === 'data' ? gate : undefined) },
    });
    const paths = recordPaths(fs);
    const file: FileData = { name: 'doomed', version: 1 };
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, file);
    assert.deepEqual(await fs.readOrAllocPage(c, 0), { status: 'ENODATA' });
    assert.deepEqual(await fs.readOrAllocPage(c, 1), { status: 'ENODATA' });
    const writes = [fs.writePage(c, 0, page(1)), fs.writePage(c, 1, page(2))];
    fail(new FscacheError('ENOSPC', 'disk full'));
    assert.deepEqual(await Promise.all(writes), [{ status: 'ok' }, { status: 'ok' }]);
    await settle(fs);
    assert.equal(fs.stats.n.storeCalls, 0);
    assert.equal(mem.bytes, 0);
    assert.equal(file.uncached, 1);
    assert.deepEqual(await fs.readOrAllocPage(c, 0), { status: 'ENOBUFS' });
    const path = paths.get(c!.debugId + 1) ?? [...paths.values()].find((p) => p.includes('LC_DYING'));
    assert.deepEqual(path, ['INIT', 'LOOKING_UP', 'CREATING', 'LC_DYING', 'DYING', 'WITHDRAWING', 'DEAD']);
    await fs.relinquishCookie(c);
    assert.deepEqual(bugs, []);
  });

  test('a parent dying while its child waits in INIT: the child goes through ABORT_INIT', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Index lookups are held at the gate so the child waits in INIT for its parent.
    const { fs, netfs, cache } = await setup({
      faults: { lookup: (o) => (o.type === 'index' ? gate : undefined) },
    });
    const paths = recordPaths(fs);
    const idx = await fs.acquireCookie(netfs.primaryIndex, indexDef, 'dir');
    const c = await fs.acquireCookie(idx, fileDef, { name: 'child', version: 1 });
    const child = c!.backingObjects[0]!;
    await until(() => child.waitingOn !== null, 'the child to wait on its parent');
    assert.equal(child.state, ObjectState.INIT);
    const withdrawn = fs.withdrawCache(cache);
    release();
    await withdrawn;
    assert.deepEqual(paths.get(child.debugId), ['INIT', 'ABORT_INIT', 'DYING', 'WITHDRAWING', 'DEAD']);
    assert.equal(fs.liveObjects, 0);
  });

  test('relinquish and withdraw colliding: one outcome wins and nothing leaks', async () => {
    for (const retire of [false, true]) {
      const { fs, netfs, cache, mem, bugs } = await setup();
      const paths = recordPaths(fs);
      const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'x', version: 1 });
      await fs.readOrAllocPage(c, 0);
      await fs.writePage(c, 0, page(9));
      await settle(fs);
      const object = c!.backingObjects[0]!;
      const withdrawn = fs.withdrawCache(cache);
      const relinquished = fs.relinquishCookie(c, { retire });
      await Promise.all([withdrawn, relinquished]);
      await settle(fs);
      const path = paths.get(object.debugId)!;
      assert.deepEqual(path.slice(-3), ['DYING', 'WITHDRAWING', 'DEAD'], 'withdrawal outranks the netfs');
      assert.equal(mem.bytes, 4096, 'a withdrawal keeps the data even when the netfs asked to retire it');
      assert.equal(fs.liveObjects, 0);
      await fs.unregisterNetfs(netfs);
      assert.equal(fs.liveCookies, 1);
      assert.deepEqual(bugs, []);
    }
  });

  test('an index cookie present in two caches at once', async () => {
    const fs = new Fscache({ debug: 0 });
    const a = new MemoryCache();
    const b = new MemoryCache();
    const ca = await fs.addCache(a, 'a');
    const cb = await fs.addCache(b, 'b');
    const netfs = fs.registerNetfs({ name: 'multi', version: 3 });
    const ia = await fs.acquireCookie(netfs.primaryIndex, taggedIndexDef, 'a/vol1');
    const ib = await fs.acquireCookie(netfs.primaryIndex, taggedIndexDef, 'b/vol2');
    const fa = await fs.acquireCookie(ia, fileDef, { name: 'one', version: 1 });
    const fb = await fs.acquireCookie(ib, fileDef, { name: 'two', version: 1 });
    await settle(fs);
    const primary = netfs.primaryIndex.backingObjects;
    assert.equal(primary.length, 2);
    assert.deepEqual(
      primary.map((o) => o.cache).sort((x, y) => x.tag.localeCompare(y.tag)),
      [ca, cb],
    );
    assert.ok(primary.every((o) => o.state === ObjectState.ACTIVE));
    assert.equal(fa!.backingObjects.length, 1);
    assert.equal(fa!.backingObjects[0]!.cache, ca);
    assert.equal(fb!.backingObjects[0]!.cache, cb);
    // Withdrawing one cache leaves the index backed by the other.
    await fs.withdrawCache(ca);
    assert.equal(netfs.primaryIndex.backingObjects.length, 1);
    assert.equal(netfs.primaryIndex.backingObjects[0]!.cache, cb);
    await fs.relinquishCookie(fa);
    await fs.relinquishCookie(fb);
    await fs.relinquishCookie(ia);
    await fs.relinquishCookie(ib);
    await fs.unregisterNetfs(netfs);
    await fs.close();
    assert.equal(fs.liveObjects, 0);
    assert.equal(fs.liveCookies, 1);
  });

  test('coherency: okay keeps, needs-update rewrites, obsolete discards and recreates', async () => {
    const { fs, netfs, mem } = await setup();
    const write = async (file: FileData, byte: number) => {
      const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, file);
      await fs.readOrAllocPage(c, 0);
      await fs.writePage(c, 0, page(byte));
      fs.uncachePage(c, 0);
      return c;
    };
    const readBack = async (file: FileData) => {
      const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, file);
      const r = await fs.readOrAllocPage(c, 0);
      await fs.relinquishCookie(c);
      await settle(fs);
      return r.status === 'ok' ? r.data[0] : r.status;
    };
    await fs.relinquishCookie(await write({ name: 'f', version: 1 }, 1));
    await settle(fs);
    assert.equal(await readBack({ name: 'f', version: 1 }), 1);
    assert.equal(fs.stats.n.checkauxOkay, 1);
    assert.equal(
      await readBack({ name: 'f', version: 2 }),
      'ENODATA',
      'a changed version makes the object obsolete',
    );
    assert.equal(fs.stats.n.checkauxObsolete, 1);
    assert.equal(mem.bytes, 0);
    // A stored "v2" checked by version 2's "-old" rule: write as v2, then read as a netfs for which it needs updating.
    const c = await write({ name: 'g', version: 5 }, 4);
    await fs.relinquishCookie(c);
    await settle(fs);
    const def = { ...fileDef, checkAux: () => 'needsUpdate' as const };
    const g = await fs.acquireCookie(netfs.primaryIndex, def, { name: 'g', version: 6 });
    const r = await fs.readOrAllocPage(g, 0);
    assert.equal(r.status, 'ok');
    assert.equal(fs.stats.n.checkauxUpdate, 1);
  });

  test('updateCookie drives the object through UPDATING and stores new aux data', async () => {
    const { fs, netfs } = await setup();
    const paths = recordPaths(fs);
    const file: FileData = { name: 'u', version: 1 };
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, file);
    await settle(fs);
    file.version = 2;
    fs.updateCookie(c);
    await settle(fs);
    const object = c!.backingObjects[0]!;
    assert.deepEqual(paths.get(object.debugId)!.slice(-2), ['UPDATING', 'ACTIVE']);
    assert.equal(fs.stats.n.updatesRun, 1);
    await fs.relinquishCookie(c);
    await settle(fs);
    await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'u', version: 2 });
    await settle(fs);
    assert.equal(fs.stats.n.checkauxOkay, 1, 'the stored aux data is the updated one');
  });

  test('attrChanged runs exclusively: shared operations wait for it', async () => {
    let release!: () => void;
    const { fs, netfs, mem } = await setup();
    const file: FileData = { name: 'big', version: 1, size: 3 * 4096 };
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, file);
    for (const p of [0, 1, 2]) {
      await fs.readOrAllocPage(c, p);
      await fs.writePage(c, p, page(p + 1));
      fs.uncachePage(c, p);
    }
    assert.equal(mem.bytes, 3 * 4096);
    const gate = new Promise<void>((r) => (release = r));
    const original = mem.attrChanged.bind(mem);
    mem.attrChanged = (o) => gate.then(() => original(o));
    file.size = 4096;
    const changed = fs.attrChanged(c);
    const read = fs.readOrAllocPage(c, 2);
    const object = c!.backingObjects[0]!;
    await until(() => object.pendingOps?.length === 1, 'the read to queue behind the attribute change');
    assert.equal(fs.stats.n.retrievalOpWaits, 1, 'the read waits behind the exclusive operation');
    release();
    assert.deepEqual(await changed, { status: 'ok' });
    assert.deepEqual(await read, { status: 'ENODATA' }, 'the read sees the truncation');
    assert.equal(mem.bytes, 4096);
  });

  test('deferLookup=false: acquire returns once lookup is done', async () => {
    const { fs, netfs } = await setup({ deferLookup: false });
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'now', version: 1 });
    assert.equal(c!.flags & CookieFlag.LOOKING_UP, 0);
    assert.ok(c!.backingObjects[0]!.state >= ObjectState.CREATING);
  });

  test('waitForDeferredLookup resolves once the lookup is over and checkAux has run', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { fs, netfs } = await setup({ faults: { lookup: (o) => (o.type === 'data' ? gate : undefined) } });
    let checked = 0;
    const def = { ...fileDef, checkAux: () => (checked++, 'okay' as const) };
    const c1 = await fs.acquireCookie(netfs.primaryIndex, def, { name: 'l', version: 1 });
    release();
    await fs.waitForDeferredLookup(c1);
    await fs.relinquishCookie(c1);
    await settle(fs);
    const c2 = await fs.acquireCookie(netfs.primaryIndex, def, { name: 'l', version: 1 });
    assert.equal(await fs.waitForDeferredLookup(c2), true);
    assert.equal(checked, 1, 'the second lookup found the object and checked its aux data');
    assert.equal(await fs.waitForDeferredLookup(null), true);
  });

  test('deferCreate=false: acquire returns once the object exists', async () => {
    const { fs, netfs } = await setup({ deferCreate: false });
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'now', version: 1 });
    assert.ok(c!.backingObjects[0]!.state >= ObjectState.AVAILABLE);
  });

  test('a backend that times out is requeued, not waited on', async () => {
    let tries = 0;
    const { fs, netfs } = await setup({
      minWorkers: 1,
      maxWorkers: 1,
      faults: {
        lookup: (o) => {
          if (o.type === 'data' && ++tries < 4) throw new FscacheError('ETIMEDOUT');
        },
      },
    });
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 't', version: 1 });
    const other = await fs.acquireCookie(netfs.primaryIndex, indexDef, 'sibling');
    void other;
    await settle(fs);
    assert.equal(tries, 4);
    assert.equal(c!.backingObjects[0]!.state, ObjectState.ACTIVE);
  });

  test('an I/O error on lookup withdraws the object; the netfs falls back (ENOBUFS)', async () => {
    const { fs, netfs, cache } = await setup({
      faults: {
        lookup: (o) =>
          o.type === 'data' ? Promise.reject(new FscacheError('EIO', 'bad sector')) : undefined,
      },
    });
    const file: FileData = { name: 'e', version: 1 };
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, file);
    assert.deepEqual(await fs.readOrAllocPage(c, 0), { status: 'ENOBUFS' });
    await settle(fs);
    assert.equal(cache.ioErrorSeen, true);
    assert.equal(c!.backingObjects.length, 0);
    assert.equal(file.uncached, 1);
    // The cache is now refused to new cookies.
    assert.equal(await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'e2', version: 1 }), null);
  });

  test('a read waiting for lookup can be interrupted (EINTR)', async () => {
    const gate = new Promise<void>(() => {});
    const { fs, netfs } = await setup({ faults: { lookup: (o) => (o.type === 'data' ? gate : undefined) } });
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'stuck', version: 1 });
    const ac = new AbortController();
    const r = fs.readOrAllocPage(c, 0, { signal: ac.signal });
    ac.abort();
    assert.deepEqual(await r, { status: 'EINTR' });
    assert.equal(fs.stats.n.retrievalsIntr, 1);
  });

  test('a second write of a queued page is merged (Stores agn)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { fs, netfs, mem } = await setup({ faults: { write: () => gate } });
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'w', version: 1 });
    await settle(fs);
    await fs.readOrAllocPage(c, 0);
    const first = fs.writePage(c, 0, page(1));
    const second = fs.writePage(c, 0, page(2));
    release();
    await Promise.all([first, second]);
    assert.equal(fs.stats.n.storesAgain, 1);
    fs.uncachePage(c, 0);
    const r = await fs.readOrAllocPage(c, 0);
    assert.equal(r.status === 'ok' && r.data[0], 2, 'the newest bytes were stored');
    void mem;
  });

  test('an update raised while the object dies waiting for an operation is ignored', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reading = false;
    const holdRead = () => {
      reading = true;
      return gate;
    };
    const { fs, netfs, cache, bugs } = await setup({ faults: { read: holdRead } });
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'busy', version: 1 });
    const { object, read } = await startHeldRead(fs, c, () => reading);
    const withdrawn = fs.withdrawCache(cache);
    await until(() => object.state === ObjectState.DYING, 'the object to start dying');
    fs.updateCookie(c);
    await settle(fs);
    assert.equal(object.state, ObjectState.DYING, 'the update moved nothing');
    release();
    assert.equal((await read).status, 'ok');
    await withdrawn;
    assert.deepEqual(bugs, []);
    assert.equal(fs.liveObjects, 0);
  });

  test('an I/O error in the cache cancels operations waiting on its other objects (ENOBUFS)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reading = false;
    const nameOf = (o: { cookie: { netfsData: unknown } | null }) => (o.cookie?.netfsData as FileData)?.name;
    const { fs, netfs, cache, bugs } = await setup({
      faults: {
        read: (o) => {
          if (nameOf(o) !== 'busy') return;
          reading = true;
          return gate;
        },
        write: (o) => {
          if (nameOf(o) === 'bad') throw new FscacheError('EIO', 'bad sector');
        },
      },
    });
    const busy = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'busy', version: 1 });
    const bad = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'bad', version: 1 });
    const { object, read } = await startHeldRead(fs, busy, () => reading);
    let changed: unknown = 'waiting';
    void fs.attrChanged(busy).then((r) => (changed = r));
    await until(() => object.pendingOps?.length === 1, 'the attribute change to queue behind the read');
    // Another object's write fails with EIO: the whole cache stops, this object stays ACTIVE.
    await fs.readOrAllocPage(bad, 0);
    assert.deepEqual(await fs.writePage(bad, 0, page(2)), { status: 'ENOBUFS' });
    assert.equal(cache.ioErrorSeen, true);
    assert.equal(object.state, ObjectState.ACTIVE);
    release();
    assert.equal((await read).status, 'ok', 'the read that was running finishes');
    await until(() => changed !== 'waiting', 'the waiting attribute change to be cancelled');
    assert.deepEqual(changed, { status: 'ENOBUFS' });
    assert.equal(object.nOps, 0, 'no operation is left on the object');
    assert.equal(object.pendingOps?.length ?? 0, 0);
    await fs.relinquishCookie(busy);
    await fs.relinquishCookie(bad);
    await settle(fs);
    assert.deepEqual(bugs, []);
    assert.equal(object.state, ObjectState.DEAD, 'the object still dies once relinquished');
  });

  test('misuse is refused clearly', async () => {
    const { fs, netfs } = await setup();
    await assert.rejects(
      fs.acquireCookie(netfs.primaryIndex, { name: '', type: 'data', getKey: () => 'x' }, 0),
      TypeError,
    );
    await assert.rejects(
      fs.acquireCookie(netfs.primaryIndex, { name: 'x', type: 'bogus' as 'data', getKey: () => 'x' }, 0),
      /unknown type/,
    );
    const idx = await fs.acquireCookie(netfs.primaryIndex, indexDef, 'i');
    const c = await fs.acquireCookie(idx, fileDef, { name: 'a', version: 1 });
    await assert.rejects(fs.relinquishCookie(idx), FscacheAssertionError, 'children first');
    await assert.rejects(fs.writePage(c, 5, page(1)), /without being read or reserved/);
    await assert.rejects(fs.readOrAllocPage(c, -1), RangeError);
    await assert.rejects(fs.readOrAllocPage(idx, 0), /index cookie/);
    await fs.relinquishCookie(c);
    await assert.rejects(fs.relinquishCookie(c), /relinquished twice/);
    assert.throws(() => fs.registerNetfs({ name: 'test', version: 1 }), /already registered/);
    await assert.rejects(fs.addCache(new MemoryCache(), 'mem'), /in use/);
  });
});
