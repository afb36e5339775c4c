import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CacheFiles } from '@armvm/cachefiles';
import { type Clock, Fscache, ManualClock, MemoryCache } from '@armvm/fscache';
import { HttpClient } from './http-client.ts';
import { HttpNetfs, type HttpNetfsOptions } from './http-netfs.ts';
import { RECENT_BLOCKS } from './remote-file.ts';
import { TestHttpServer } from './test-support/http-server.ts';

/** Deterministic bytes, so a mix-up of offsets shows. */
function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed * 101 + (i >> 10)) & 0xff;
  return b;
}

/** Time that moves only when the test moves `time`; the waits between retries take none of it. */
function standingClock(time: ManualClock): Clock {
  const soon = (fn: () => void) => {
    const t = setImmediate(fn);
    return {
      cancel: () => clearImmediate(t),
      unref() {
        return this;
      },
    };
  };
  return {
    now: () => time.now(),
    setTimeout: soon,
    setInterval: () => {
      throw new Error('the netfs repeats nothing on a timer');
    },
  };
}

/** A netfs over a disk cache in a temporary directory; `reopen` simulates the next process. */
async function rig(files: Record<string, Uint8Array>, options: Partial<HttpNetfsOptions> = {}) {
  const server = await TestHttpServer.start(files);
  const dir = await mkdtemp(join(tmpdir(), 'netfs-http-test-'));
  const time = new ManualClock(1_000_000);
  const clock = standingClock(time);
  const open = async () => {
    const fscache = new Fscache({ debug: 0 });
    const disk = await CacheFiles.open({ dir, blockSize: 4096, durable: false, flushDelayMs: 1 });
    const cache = await fscache.addCache(disk, 'disk');
    const client = new HttpClient({ timeoutMs: 2000 });
    const nfs = new HttpNetfs({
      fscache,
      client,
      maxAgeMs: 1000,
      clock,
      ...options,
    });
    const close = async () => {
      await nfs.close();
      await fscache.close();
      await disk.close();
      client.close();
    };
    return { fscache, disk, cache, client, nfs, close };
  };
  return {
    server,
    open,
    tick: (ms: number) => time.advance(ms),
    cleanup: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function readAll(nfs: HttpNetfs, url: string) {
  const f = await nfs.open(url);
  const parts: Buffer[] = [];
  await f.readAll((c) => parts.push(Buffer.from(c)), { chunkBytes: 16 * 1024 });
  await f.close();
  return { data: Buffer.concat(parts), file: f };
}

describe('netfs-http over a disk cache', () => {
  test('the first read fetches with Range requests; the second, in a new process, sends no body bytes', async () => {
    const body = bytes(50_000);
    const r = await rig({ '/f.bin': body });
    let p = await r.open();
    assert.ok((await readAll(p.nfs, r.server.url('/f.bin'))).data.equals(body));
    assert.ok(r.server.logFor('/f.bin').some((e) => e.method === 'GET' && e.range?.startsWith('bytes=')));
    await p.close();
    r.tick(5000); // older than maxAge: the next open revalidates
    const sentBefore = r.server.bodyBytesSent;
    p = await r.open();
    const second = await readAll(p.nfs, r.server.url('/f.bin'));
    assert.ok(second.data.equals(body));
    assert.equal(r.server.bodyBytesSent, sentBefore, 'no body bytes the second time');
    assert.equal(p.nfs.stats.revalidated, 1);
    assert.equal(p.nfs.stats.bytesFromNetwork, 0);
    assert.equal(p.nfs.stats.bytesFromCache, body.length);
    const last = r.server.log.at(-1)!;
    assert.equal(last.status, 304, 'a conditional request confirmed the copy');
    await p.close();
    await r.cleanup();
  });

  test('within maxAge the server is not asked at all', async () => {
    const r = await rig({ '/a': bytes(9000) });
    let p = await r.open();
    await readAll(p.nfs, r.server.url('/a'));
    await p.close();
    const before = r.server.requests;
    p = await r.open();
    await readAll(p.nfs, r.server.url('/a'));
    assert.equal(r.server.requests, before);
    assert.equal(p.nfs.stats.fresh, 1);
    await p.close();
    await r.cleanup();
  });

  test('a changed resource is fetched again, never served old', async () => {
    const r = await rig({ '/c': bytes(10_000, 1) });
    let p = await r.open();
    await readAll(p.nfs, r.server.url('/c'));
    await p.close();
    r.server.changeFile('/c', bytes(12_345, 2));
    r.tick(5000);
    p = await r.open();
    const { data } = await readAll(p.nfs, r.server.url('/c'));
    assert.ok(data.equals(bytes(12_345, 2)));
    assert.equal(p.nfs.stats.changed, 1);
    await p.close();
    p = await r.open();
    r.tick(5000);
    const again = await readAll(p.nfs, r.server.url('/c'));
    assert.ok(again.data.equals(bytes(12_345, 2)), 'the new version is what is cached now');
    assert.equal(p.nfs.stats.bytesFromNetwork, 0);
    await p.close();
    await r.cleanup();
  });

  test('an unreachable server: an error by default; cached bytes, marked stale, when the policy allows', async () => {
    const body = bytes(8192);
    const r = await rig({ '/s': body });
    let p = await r.open();
    await readAll(p.nfs, r.server.url('/s'));
    await p.close();
    r.tick(5000);
    r.server.setKnobs('/s', { status: 503 });
    p = await r.open();
    await assert.rejects(
      p.nfs.open(r.server.url('/s')),
      (e: Error & { code?: string }) => e.code === 'ERR_NETFS_HTTP_STATUS',
    );
    await p.close();
    p = await r.open();
    await p.nfs.close(); // one netfs registration per instance: make room for a lenient one
    const lenient = new HttpNetfs({
      fscache: p.fscache,
      staleIfError: true,
      maxAgeMs: 1000,
      clock: standingClock(new ManualClock(10_000_000)),
    });
    const f = await lenient.open(r.server.url('/s'));
    assert.equal(f.stale, true, 'the file says it was not confirmed');
    assert.ok((await f.read(0, 8192)).equals(body));
    await f.close();
    await lenient.close();
    await p.fscache.close();
    await p.disk.close();
    await r.cleanup();
  });

  test('misbehaving servers give clear errors and leave the cache consistent', async () => {
    const good = bytes(20_000, 3);
    const r = await rig({ '/ignore': good, '/lie': good, '/drop': good, '/gone': good });
    r.server.setKnobs('/ignore', { ignoreRange: true });
    const p = await r.open();
    const ignored = await readAll(p.nfs, r.server.url('/ignore'));
    assert.ok(ignored.data.equals(good), 'a server that ignores Range still gives the right bytes');
    r.server.setKnobs('/drop', { dropAfter: 3000 });
    const f = await p.nfs.open(r.server.url('/drop'));
    await assert.rejects(
      f.read(0, 20_000),
      (e: Error & { code?: string }) => e.code === 'ERR_NETFS_TRUNCATED',
    );
    await f.close();
    r.server.setKnobs('/lie', { lieContentLength: 100 });
    const l = await p.nfs.open(r.server.url('/lie')).catch((e) => e);
    if (!(l instanceof Error)) {
      await assert.rejects(l.read(0, 20_000), /TRUNCATED|BAD_RANGE/);
      await l.close();
    }
    r.server.setKnobs('/gone', { status: 404 });
    await assert.rejects(
      p.nfs.open(r.server.url('/gone')),
      (e: Error & { code?: string }) => e.code === 'ERR_NETFS_NOT_FOUND',
    );
    await assert.rejects(
      p.nfs.open('ftp://example.com/x'),
      (e: Error & { code?: string }) => e.code === 'ERR_NETFS_URL',
    );
    await assert.rejects(
      p.nfs.open('not a url'),
      (e: Error & { code?: string }) => e.code === 'ERR_NETFS_URL',
    );
    // After all that, good files still read right, from the network and then from the cache.
    r.server.setKnobs('/drop', {});
    assert.ok((await readAll(p.nfs, r.server.url('/drop'))).data.equals(good));
    assert.ok((await readAll(p.nfs, r.server.url('/drop'))).data.equals(good));
    await p.close();
    await r.cleanup();
  });

  test('concurrent readers of one block share one fetch', async () => {
    const r = await rig({ '/shared': bytes(4096 * 4) });
    const p = await r.open();
    const f = await p.nfs.open(r.server.url('/shared'));
    const before = r.server.logFor('/shared').filter((e) => e.method === 'GET').length;
    const reads = await Promise.all(Array.from({ length: 8 }, () => f.read(0, 4096 * 4)));
    for (const b of reads) assert.ok(b.equals(bytes(4096 * 4)));
    const gets = r.server.logFor('/shared').filter((e) => e.method === 'GET').length - before;
    assert.equal(gets, 1);
    await f.close();
    await p.close();
    await r.cleanup();
  });

  test('reads at any offset and length return exactly the remote bytes', async () => {
    const body = bytes(30_001, 5);
    const r = await rig({ '/x': body });
    const p = await r.open();
    const f = await p.nfs.open(r.server.url('/x'));
    for (const [off, len] of [
      [0, 1],
      [4095, 2],
      [4096, 4096],
      [10_000, 20_001],
      [29_999, 100],
      [30_001, 5],
      [0, 30_001],
    ] as const) {
      assert.ok((await f.read(off, len)).equals(body.subarray(off, off + len)), `${off}+${len}`);
    }
    await assert.rejects(f.read(-1, 2), RangeError);
    await f.close();
    await p.close();
    await r.cleanup();
  });
});

test('without any cache the netfs still reads correctly (ENOBUFS everywhere)', async () => {
  const server = await TestHttpServer.start({ '/n': bytes(7000) });
  const fscache = new Fscache({ debug: 0 });
  const nfs = new HttpNetfs({ fscache });
  const { data } = await readAll(nfs, server.url('/n'));
  assert.ok(data.equals(bytes(7000)));
  await nfs.close();
  await server.close();
});

test('without a cache, read(0, 16) then readAll fetch and count block 0 once; the blocks kept are bounded', async () => {
  const size = (RECENT_BLOCKS + 8) * 4096;
  const server = await TestHttpServer.start({ '/h': bytes(size) });
  const nfs = new HttpNetfs({ fscache: new Fscache({ debug: 0 }), blockSize: 4096 });
  const f = await nfs.open(server.url('/h'));
  assert.equal(f.cached, false);
  const sent = server.bodyBytesSent;
  assert.ok((await f.read(0, 16)).equals(bytes(size).subarray(0, 16)));
  const parts: Buffer[] = [];
  await f.readAll((c) => void parts.push(c), { chunkBytes: 8 * 4096 });
  assert.ok(Buffer.concat(parts).equals(bytes(size)));
  assert.equal(server.bodyBytesSent - sent, size, 'block 0 fetched once');
  assert.equal(nfs.stats.bytesFromNetwork, size, 'block 0 counted once');
  assert.equal(nfs.client.stats.bodyBytes, size);
  // Only the latest blocks are kept: block 0 is long gone, the last one is still there.
  await f.read(0, 1);
  await f.read(size - 1, 1);
  assert.equal(server.bodyBytesSent - sent, size + 4096);
  await f.close();
  await nfs.close();
  await server.close();
});

test('a memory cache works as well as a disk one', async () => {
  const server = await TestHttpServer.start({ '/m': bytes(70_000) });
  const fscache = new Fscache({ debug: 0 });
  await fscache.addCache(new MemoryCache(), 'mem');
  const nfs = new HttpNetfs({ fscache, maxAgeMs: 0 });
  assert.ok((await readAll(nfs, server.url('/m'))).data.equals(bytes(70_000)));
  const sent = server.bodyBytesSent;
  assert.ok((await readAll(nfs, server.url('/m'))).data.equals(bytes(70_000)));
  assert.equal(server.bodyBytesSent, sent);
  await nfs.close();
  await fscache.close();
  await server.close();
});

test('a cache withdrawn under load: every read still returns the right bytes, from the network', async () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 12; i++) files[`/load/${i}`] = bytes(40_000 + i * 1000, i);
  const r = await rig(files);
  const p = await r.open();
  const opened = await Promise.all(Object.keys(files).map((path) => p.nfs.open(r.server.url(path))));
  // Warm half the blocks so some reads are served from the cache when the withdrawal starts.
  await Promise.all(opened.map((f) => f.read(0, 8192)));
  const reads = opened.flatMap((f, i) =>
    Array.from({ length: 6 }, (_, k) => {
      const off = (k * 7919) % 30_000;
      return f.read(off, 9000).then((b) => ({ i, off, b }));
    }),
  );
  const withdrawn = p.fscache.withdrawCache(p.cache);
  const results = await Promise.all(reads);
  await withdrawn;
  for (const { i, off, b } of results) {
    assert.ok(b.equals(Buffer.from(files[`/load/${i}`]!).subarray(off, off + 9000)), `file ${i} at ${off}`);
  }
  assert.equal(p.fscache.caches.length, 0);
  // After the withdrawal, reads go to the network and are still right.
  assert.ok((await opened[3]!.read(100, 5000)).equals(Buffer.from(files['/load/3']!).subarray(100, 5100)));
  for (const f of opened) await f.close();
  await p.nfs.close();
  await p.fscache.close();
  await p.disk.close();
  await r.cleanup();
});
