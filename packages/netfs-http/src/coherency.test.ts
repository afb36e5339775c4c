/**
 * HTTP's caching rules against a real server on loopback: what is used without asking, what is
 * revalidated, what is never stored, and the --max-age override. Time is the netfs's injected
 * clock; the server's Date header is real, so only the distance to Last-Modified comes from it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CacheFiles, listObjects } from '@armvm/cachefiles';
import { Fscache, ManualClock } from '@armvm/fscache';
import { HttpClient } from './http-client.ts';
import { HttpNetfs } from './http-netfs.ts';
import { type ServerKnobs, TestHttpServer } from './test-support/http-server.ts';

const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
const HOUR = 3600_000;

/** A server with one file under `knobs`, and `get()` as one process would do it. */
async function rig(knobs: ServerKnobs, maxAgeMs?: number) {
  const server = await TestHttpServer.start();
  server.setFile('/f', body, knobs);
  const dir = await mkdtemp(join(tmpdir(), 'netfs-coherency-'));
  const clock = new ManualClock(Date.now());
  const get = async (expected: Buffer = body) => {
    const fscache = new Fscache({ debug: 0 });
    const disk = await CacheFiles.open({ dir, blockSize: 4096, durable: false, flushDelayMs: 1 });
    const cache = await fscache.addCache(disk, 'disk');
    const client = new HttpClient({ timeoutMs: 5000 });
    const nfs = new HttpNetfs({
      fscache,
      client,
      clock,
      ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
    });
    const requests = server.requests;
    const sent = server.bodyBytesSent;
    const f = await nfs.open(server.url('/f'));
    const parts: Buffer[] = [];
    await f.readAll((c) => void parts.push(Buffer.from(c)));
    await f.close();
    const stats = { ...nfs.stats };
    await nfs.close();
    await fscache.withdrawCache(cache);
    await disk.close();
    client.close();
    assert.ok(Buffer.concat(parts).equals(expected), 'the right bytes, always');
    return {
      stats,
      requests: server.requests - requests,
      bodyBytes: server.bodyBytesSent - sent,
      last: server.log.at(-1)!,
    };
  };
  return {
    server,
    get,
    tick: (ms: number) => clock.advance(ms),
    objects: async () => (await listObjects(dir)).filter((o) => o.type !== 'index'),
    cleanup: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

for (const [what, knobs] of [
  ['Cache-Control: no-cache', { headers: { 'cache-control': 'no-cache' } }],
  ['Cache-Control: max-age=0', { headers: { 'cache-control': 'max-age=0' } }],
  ['an Expires in the past', { headers: { expires: 'Thu, 01 Jan 1970 00:00:00 GMT' } }],
] as const) {
  test(`${what}: every open revalidates (a 304, no body), none trusts the copy unasked`, async () => {
    const r = await rig(knobs);
    const first = await r.get();
    assert.equal(first.bodyBytes, body.length);
    for (let i = 0; i < 2; i++) {
      const again = await r.get();
      assert.equal(again.requests, 1, 'one conditional request');
      assert.equal(again.last.status, 304);
      assert.equal(again.bodyBytes, 0, 'the copy is still good: no body');
      assert.equal(again.stats.revalidated, 1);
      assert.equal(again.stats.fresh, 0);
    }
    await r.cleanup();
  });
}

test('a response with no validator and no freshness: fetched whole every time, never stored', async () => {
  const r = await rig({ noEtag: true, noLastModified: true });
  await r.get();
  assert.deepEqual(await r.objects(), [], 'nothing kept that could never be checked');
  const again = await r.get();
  assert.equal(again.bodyBytes, body.length);
  assert.equal(again.stats.notStored, 1);
  // With no validator, ranges could mix versions: it was read with plain GETs, not Range.
  assert.ok(r.server.log.filter((e) => e.method === 'GET').every((e) => e.range === undefined));
  await r.cleanup();
});

test('Cache-Control: no-store: nothing is written to the cache, the file is still read right', async () => {
  const r = await rig({ headers: { 'cache-control': 'no-store' } });
  const first = await r.get();
  assert.equal(first.stats.notStored, 1);
  assert.deepEqual(await r.objects(), []);
  const again = await r.get();
  assert.equal(again.bodyBytes, body.length);
  await r.cleanup();
});

test('max-age=3600: used unasked for an hour, then revalidated', async () => {
  const r = await rig({ headers: { 'cache-control': 'max-age=3600' } });
  await r.get();
  r.tick(HOUR - 60_000);
  const fresh = await r.get();
  assert.equal(fresh.requests, 0, 'fresh: the server is not asked');
  assert.equal(fresh.stats.fresh, 1);
  r.tick(120_000);
  const stale = await r.get();
  assert.equal(stale.requests, 1);
  assert.equal(stale.last.status, 304);
  // The 304 renewed the policy: fresh for another hour.
  r.tick(HOUR / 2);
  assert.equal((await r.get()).requests, 0);
  await r.cleanup();
});

test('no Cache-Control, a Last-Modified long ago: the heuristic trusts it for at most a day', async () => {
  // The test server's Last-Modified is in 2024: a tenth of the time since is far more than a day.
  const r = await rig({});
  await r.get();
  r.tick(23 * HOUR);
  assert.equal((await r.get()).requests, 0, 'within the day');
  r.tick(2 * HOUR);
  const after = await r.get();
  assert.equal(after.requests, 1, 'past the day: revalidated');
  assert.equal(after.last.status, 304);
  await r.cleanup();
});

test('a changed resource: the old copy while it is fresh by max-age, then the new one, whole', async () => {
  const r = await rig({ headers: { 'cache-control': 'max-age=60' } });
  await r.get();
  const next = Buffer.from(body).reverse();
  r.server.changeFile('/f', next);
  r.tick(30_000);
  assert.equal((await r.get(body)).requests, 0, 'fresh by its max-age: HTTP allows the old copy');
  r.tick(60_000);
  const changed = await r.get(next);
  assert.equal(changed.stats.changed, 1);
  assert.equal(changed.bodyBytes, next.length);
  await r.cleanup();
});

test('--max-age overrides the server: no-cache copies trusted for the given time, then revalidated', async () => {
  const r = await rig({ headers: { 'cache-control': 'no-cache' } }, 60_000);
  await r.get();
  r.tick(30_000);
  assert.equal((await r.get()).requests, 0, 'within --max-age: not asked');
  r.tick(60_000);
  const after = await r.get();
  assert.equal(after.requests, 1);
  assert.equal(after.last.status, 304);
  await r.cleanup();
});

test('--max-age 0 asks every time, whatever the server allows', async () => {
  const r = await rig({ headers: { 'cache-control': 'max-age=86400' } }, 0);
  await r.get();
  const again = await r.get();
  assert.equal(again.requests, 1);
  assert.equal(again.last.status, 304);
  await r.cleanup();
});
