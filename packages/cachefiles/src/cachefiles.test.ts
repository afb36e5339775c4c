import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CacheFiles } from './cachefiles.ts';
import { type CacheIo, nodeIo } from './cache-io.ts';
import { decodeMeta, encodeMeta } from './object-meta.ts';
import {
  block,
  openCache,
  type Remote,
  remoteDef,
  serverDef,
  tempDir,
  until,
} from './test-support/disk-harness.ts';

/** Writes blocks 0..n-1 of a remote file through the cache, then lets go of the cookie. */
async function store(c: Awaited<ReturnType<typeof openCache>>, r: Remote, n: number, server = 'srv') {
  const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, server);
  const f = await c.fs.acquireCookie(s, remoteDef, r);
  for (let p = 0; p < n; p++) {
    assert.equal((await c.fs.readOrAllocPage(f, p)).status, 'ENODATA');
    assert.equal((await c.fs.writePage(f, p, block(p, Math.min(4096, r.size - p * 4096)))).status, 'ok');
    c.fs.uncachePage(f, p);
  }
  await c.fs.relinquishCookie(f);
  await c.fs.relinquishCookie(s);
}

/** Reads blocks 0..n-1 back: 'ok' with matching bytes, else the status. */
async function load(c: Awaited<ReturnType<typeof openCache>>, r: Remote, n: number, server = 'srv') {
  const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, server);
  const f = await c.fs.acquireCookie(s, remoteDef, r);
  const out: string[] = [];
  for (let p = 0; p < n; p++) {
    const got = await c.fs.readOrAllocPage(f, p);
    if (got.status === 'ok')
      out.push(
        Buffer.compare(Buffer.from(got.data), Buffer.from(block(p, Math.min(4096, r.size - p * 4096)))) === 0
          ? 'ok'
          : 'WRONG',
      );
    else out.push(got.status);
    c.fs.uncachePage(f, p);
  }
  await c.fs.relinquishCookie(f);
  await c.fs.relinquishCookie(s);
  return out;
}

describe('cachefiles', () => {
  test('data persists across instances, and a changed ETag obsoletes it', async () => {
    const { dir, cleanup } = await tempDir();
    const r: Remote = { path: '/a/b.img', etag: '"1"', size: 3 * 4096 - 100 };
    let c = await openCache(dir);
    await store(c, r, 3);
    await c.close();
    c = await openCache(dir);
    assert.deepEqual(await load(c, r, 3), ['ok', 'ok', 'ok']);
    assert.deepEqual(await load(c, { ...r, etag: '"2"' }, 3), ['ENODATA', 'ENODATA', 'ENODATA']);
    assert.deepEqual(c.bugs, []);
    await c.close();
    await cleanup();
  });

  test('an object made on disk is looked up once and created once; found again, it is only looked up', async () => {
    const { dir, cleanup } = await tempDir();
    const r: Remote = { path: '/counted', etag: '"1"', size: 2 * 4096 };
    const c = await openCache(dir);
    await store(c, r, 2); // the netfs index, the server index and the file: all new
    assert.deepEqual([c.disk.stats.lookups, c.disk.stats.creates], [3, 3]);
    assert.deepEqual(await load(c, r, 2), ['ok', 'ok']); // the netfs index is still live
    assert.deepEqual([c.disk.stats.lookups, c.disk.stats.creates], [5, 3]);
    assert.deepEqual(c.bugs, []);
    await c.close();
    await cleanup();
  });

  test('small objects live inline, one file each: they persist, list, and are refused when damaged', async () => {
    const { dir, cleanup } = await tempDir();
    const small: Remote = { path: 'small', etag: '1', size: 1000 };
    const other: Remote = { path: 'other', etag: '1', size: 3000 };
    let c = await openCache(dir);
    await store(c, small, 1);
    await store(c, other, 1);
    await c.close();
    const { listObjects } = await import('./list-objects.ts');
    const listed = await listObjects(dir);
    const entry = listed.find((o) => o.keys.at(-1) === 'small')!;
    assert.equal(entry.cachedBytes, 1000);
    assert.equal(entry.stale, false);
    const names = await readdir(join(entry.path, '..'));
    assert.deepEqual(names, ['Dpsmall'], 'no metadata sidecar');
    c = await openCache(dir);
    assert.deepEqual(await load(c, small, 1), ['ok']);
    await c.close();
    const rec = await readFile(listed.find((o) => o.keys.at(-1) === 'other')!.path);
    rec[rec.length - 100]! ^= 0x10; // a bit flips in the data
    await writeFile(listed.find((o) => o.keys.at(-1) === 'other')!.path, rec);
    c = await openCache(dir);
    assert.deepEqual(await load(c, other, 1), ['ENODATA'], 'a damaged record is never served');
    assert.deepEqual(await load(c, small, 1), ['ok']);
    // The same key at a size that is not inline any more is a different object: nothing mixes up.
    assert.deepEqual(await load(c, { ...small, size: 9000 }, 3), ['ENODATA', 'ENODATA', 'ENODATA']);
    await c.close();
    await cleanup();
  });

  test('a large object whose metadata is gone is absent, and its data file is never read whole', async () => {
    const { dir, cleanup } = await tempDir();
    const big: Remote = { path: 'big', etag: '1', size: 64 * 4096 };
    let c = await openCache(dir);
    await store(c, big, 64);
    await c.close();
    const { listObjects } = await import('./list-objects.ts');
    const entry = (await listObjects(dir)).find((o) => o.keys.at(-1) === 'big')!;
    const { unlink } = await import('node:fs/promises');
    await unlink(join(entry.path, '..', 'MDpbig'));
    const reads: [string, number][] = [];
    const io = {
      ...nodeIo,
      readFile: (p: string, limit?: number) => {
        reads.push([p, limit ?? Infinity]);
        return nodeIo.readFile(p, limit);
      },
      readSmallSync: (p: string, limit: number) => {
        reads.push([p, limit]);
        return nodeIo.readSmallSync(p, limit);
      },
    };
    c = await openCache(dir, { io });
    assert.deepEqual(await load(c, big, 2), ['ENODATA', 'ENODATA']);
    const ofData = reads.filter(([p]) => p === entry.path);
    assert.ok(
      ofData.length > 0 && ofData.every(([, l]) => l < 200 * 1024),
      `the data file was read bounded: ${ofData}`,
    );
    await c.close();
    await cleanup();
  });

  test('two instances on one directory share it: both open, each finds what the other stored', async () => {
    const { dir, cleanup } = await tempDir();
    const a = await openCache(dir);
    const b = await openCache(dir);
    await store(a, { path: '/shared', etag: '1', size: 3 * 4096 }, 3);
    assert.deepEqual(await load(b, { path: '/shared', etag: '1', size: 3 * 4096 }, 3), ['ok', 'ok', 'ok']);
    await a.close();
    await b.close();
    await cleanup();
  });

  test('bad options and unusable directories are refused clearly', async () => {
    await assert.rejects(CacheFiles.open({ dir: '' }), /needs a directory/);
    await assert.rejects(CacheFiles.open({ dir: '/tmp/x', blockSize: 1000 }), /power of two/);
    const { dir, cleanup } = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await assert.rejects(CacheFiles.open({ dir: join(dir, 'file') }), /cannot (create|use) cache directory/);
    await cleanup();
  });

  test('stale objects are never served: DIRTY, missing or corrupt metadata, bad blocks', async () => {
    const { dir, cleanup } = await tempDir();
    const files = ['dirty', 'nometa', 'corrupt', 'badblock'].map((p) => ({
      path: p,
      etag: 'e',
      size: 2 * 4096,
    }));
    let c = await openCache(dir);
    for (const r of files) await store(c, r, 2);
    await c.close();
    const metas = new Map<string, string>();
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name.startsWith('MD')) metas.set(e.name.slice(3), p);
      }
    };
    await walk(join(dir, 'cache'));
    const metaOf = (name: string) => metas.get(name)!;
    const m = decodeMeta(await readFile(metaOf('dirty')));
    assert.ok(m.ok);
    await writeFile(metaOf('dirty'), encodeMeta({ ...m.meta, dirty: true }));
    await writeFile(metaOf('nometa'), ''); // truncated to nothing
    const raw = await readFile(metaOf('corrupt'));
    raw[raw.length - 9]! ^= 0x40;
    await writeFile(metaOf('corrupt'), raw);
    const data = metaOf('badblock').replace(/MDp(badblock)$/, 'Dp$1');
    const bytes = await readFile(data);
    bytes[5000]! ^= 1; // a bit flips in block 1
    await writeFile(data, bytes);
    c = await openCache(dir);
    for (const r of files.slice(0, 3)) assert.deepEqual(await load(c, r, 2), ['ENODATA', 'ENODATA'], r.path);
    assert.deepEqual(await load(c, files[3]!, 2), ['ok', 'ENODATA']);
    assert.equal(c.disk.stats.stale, 3);
    assert.equal(c.disk.stats.badBlocks, 1);
    await c.close();
    await cleanup();
  });

  test('keys with /, .., NUL and huge keys are stored and found under safe names', async () => {
    const { dir, cleanup } = await tempDir();
    const keys = ['../../etc/passwd', '..', 'a\0b', 'UPPER/lower', 'x'.repeat(3000)];
    let c = await openCache(dir);
    for (const k of keys) await store(c, { path: k, etag: '1', size: 4096 }, 1, k);
    await c.close();
    c = await openCache(dir);
    for (const k of keys)
      assert.deepEqual(await load(c, { path: k, etag: '1', size: 4096 }, 1, k), ['ok'], k);
    const escaped = await readdir(join(dir, '..')).then((names) => names.filter((n) => n === 'passwd'));
    assert.deepEqual(escaped, []);
    await c.close();
    await cleanup();
  });

  test('retiring deletes the object; a new netfs version scraps the whole tree', async () => {
    const { dir, cleanup } = await tempDir();
    let c = await openCache(dir);
    const r: Remote = { path: '/gone', etag: '1', size: 4096 };
    await store(c, r, 1);
    const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
    const f = await c.fs.acquireCookie(s, remoteDef, r);
    await c.fs.relinquishCookie(f, { retire: true });
    await c.fs.relinquishCookie(s);
    await c.fs.pool.drain();
    assert.deepEqual(await load(c, r, 1), ['ENODATA']);
    await store(c, { path: '/kept', etag: '1', size: 4096 }, 1);
    await c.close();
    c = await openCache(dir, {}, 2);
    assert.deepEqual(await load(c, { path: '/kept', etag: '1', size: 4096 }, 1), ['ENODATA']);
    await c.disk.dir.reaped();
    assert.deepEqual(await readdir(join(dir, 'graveyard')), []);
    await c.close();
    await cleanup();
  });

  test('a different block size makes old objects stale', async () => {
    const { dir, cleanup } = await tempDir();
    let c = await openCache(dir);
    await store(c, { path: '/b', etag: '1', size: 8192 }, 2);
    await c.close();
    c = await openCache(dir, { blockSize: 8192 });
    const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
    const f = await c.fs.acquireCookie(s, remoteDef, { path: '/b', etag: '1', size: 8192 });
    assert.equal(c.fs.pageSize(f), 8192);
    assert.equal((await c.fs.readOrAllocPage(f, 0)).status, 'ENODATA');
    await c.close();
    await cleanup();
  });
});

describe('cachefiles faults', () => {
  /** An io layer that throws `code` from `call` once `armed` is set. */
  function faulty(call: keyof CacheIo | 'write', code: string) {
    const state = { armed: false, hits: 0 };
    const fail = () => {
      state.hits++;
      throw Object.assign(new Error(`injected ${code}`), { code });
    };
    const io: CacheIo = { ...nodeIo };
    if (call === 'write') {
      io.open = (async (...args: Parameters<typeof nodeIo.open>) => {
        const fh = await nodeIo.open(...args);
        const write = fh.write.bind(fh);
        (fh as { write: unknown }).write = (...a: unknown[]) =>
          state.armed ? fail() : (write as (...x: unknown[]) => unknown)(...a);
        return fh;
      }) as typeof nodeIo.open;
    } else {
      const real = nodeIo[call] as (...a: unknown[]) => unknown;
      (io as unknown as Record<string, unknown>)[call] = (...a: unknown[]) =>
        state.armed ? fail() : real(...a);
    }
    return { io, state };
  }

  test('EIO on a write withdraws the cache; the netfs falls back (ENOBUFS), nothing wrong is served', async () => {
    const { dir, cleanup } = await tempDir();
    const { io, state } = faulty('write', 'EIO');
    const c = await openCache(dir, { io });
    const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
    const f = await c.fs.acquireCookie(s, remoteDef, { path: '/eio', etag: '1', size: 8192 });
    await c.fs.readOrAllocPage(f, 0);
    state.armed = true;
    assert.equal((await c.fs.writePage(f, 0, block(0))).status, 'ENOBUFS');
    await c.fs.pool.drain();
    await until(() => c.fs.caches.length === 0, 'the backend to withdraw its cache');
    assert.equal(c.cache.ioErrorSeen, true);
    await c.fs.withdrawCache(c.cache); // waits for the withdrawal the backend started
    assert.equal((await c.fs.readOrAllocPage(f, 0)).status, 'ENOBUFS');
    await c.fs.relinquishCookie(f);
    await c.fs.relinquishCookie(s);
    await c.close();
    await cleanup();
  });

  test('ENOSPC on a write: the culler is called, the netfs gets ENOBUFS, the cache carries on', async () => {
    const { dir, cleanup } = await tempDir();
    const { io, state } = faulty('write', 'ENOSPC');
    const c = await openCache(dir, { io });
    let culls = 0;
    c.disk.onNoSpace = () => culls++;
    const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
    const f = await c.fs.acquireCookie(s, remoteDef, { path: '/full', etag: '1', size: 8192 });
    await c.fs.readOrAllocPage(f, 0);
    await c.fs.readOrAllocPage(f, 1);
    state.armed = true;
    assert.equal((await c.fs.writePage(f, 0, block(0))).status, 'ENOBUFS');
    assert.equal(culls, 1);
    state.armed = false;
    assert.equal((await c.fs.writePage(f, 1, block(1))).status, 'ok');
    assert.equal(c.fs.caches.length, 1);
    await c.fs.relinquishCookie(f);
    await c.fs.relinquishCookie(s);
    await c.close();
    await cleanup();
  });

  test('a full disk when a small record is created: the object is simply not stored', async () => {
    const { dir, cleanup } = await tempDir();
    const { io, state } = faulty('createSync', 'ENOSPC');
    const c = await openCache(dir, { io });
    let culls = 0;
    c.disk.onNoSpace = () => culls++;
    state.armed = true;
    const small: Remote = { path: 'tiny', etag: '1', size: 500 };
    await store(c, small, 1);
    await c.fs.pool.drain();
    assert.ok(state.hits >= 1 && culls >= 1);
    state.armed = false;
    assert.deepEqual(await load(c, small, 1), ['ENODATA'], 'nothing was stored, nothing wrong is served');
    await store(c, small, 1);
    assert.deepEqual(await load(c, small, 1), ['ok']);
    assert.deepEqual(c.bugs, []);
    await c.close();
    await cleanup();
  });

  test('EIO reading a small record withdraws the cache; reads fall back with ENOBUFS', async () => {
    const { dir, cleanup } = await tempDir();
    const small: Remote = { path: 'rec', etag: '1', size: 700 };
    let c = await openCache(dir);
    await store(c, small, 1);
    await c.close();
    const { io, state } = faulty('readSmallSync', 'EIO');
    c = await openCache(dir, { io });
    state.armed = true;
    assert.deepEqual(await load(c, small, 1), ['ENOBUFS']);
    await until(() => c.fs.caches.length === 0, 'the backend to withdraw its cache');
    assert.equal(c.cache.ioErrorSeen, true);
    await c.fs.withdrawCache(c.cache); // waits for the withdrawal the backend started
    await c.close();
    await cleanup();
  });

  test('EACCES creating objects: lookups fail, reads fall back with ENOBUFS', async () => {
    const { dir, cleanup } = await tempDir();
    const { io, state } = faulty('mkdir', 'EACCES');
    const c = await openCache(dir, { io });
    state.armed = true;
    const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
    const f = await c.fs.acquireCookie(s, remoteDef, { path: '/denied', etag: '1', size: 4096 });
    assert.equal((await c.fs.readOrAllocPage(f, 0)).status, 'ENOBUFS');
    assert.ok(state.hits >= 1);
    assert.deepEqual(c.bugs, []);
    await c.fs.relinquishCookie(f);
    await c.fs.relinquishCookie(s);
    state.armed = false;
    await c.close();
    await cleanup();
  });
});

test('listObjects shows every object with its keys, size, bytes held and staleness', async () => {
  const { listObjects } = await import('./list-objects.ts');
  const { dir, cleanup } = await tempDir();
  const c = await openCache(dir);
  await store(c, { path: 'one', etag: '1', size: 3 * 4096 - 10 }, 3);
  await store(c, { path: '/two?x=1', etag: '1', size: 4096 }, 1, 'http://h:80');
  await c.close();
  const list = await listObjects(dir);
  const one = list.find((o) => o.keys.at(-1) === 'one')!;
  assert.deepEqual(one.keys, ['t', 'srv', 'one']);
  assert.equal(one.type, 'data');
  assert.equal(one.size, 3 * 4096 - 10);
  assert.equal(one.cachedBytes, 3 * 4096 - 10);
  assert.equal(one.stale, false);
  assert.ok(list.some((o) => o.keys.join(' ') === 't http://h:80 /two?x=1'));
  assert.ok(list.some((o) => o.type === 'index' && o.keys.join(' ') === 't srv'));
  await cleanup();
});
