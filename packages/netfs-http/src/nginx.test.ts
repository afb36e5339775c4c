import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { HttpClient } from './http-client.ts';
import { findNginx, NginxServer } from './test-support/nginx.ts';

const nginx = findNginx();
const skip =
  nginx === undefined
    ? 'nginx is not installed (Debian package nginx); interoperability test skipped'
    : false;

test('against Debian nginx: whole file, ranges, ETag and Last-Modified revalidation', { skip }, async () => {
  const data = randomBytes(256 * 1024);
  const server = await NginxServer.start(nginx!, { 'data.bin': data });
  const client = new HttpClient({ timeoutMs: 5000 });
  try {
    const info = await client.head(server.url('data.bin'));
    assert.equal(info.status, 200);
    assert.equal(info.length, data.length);
    assert.ok(info.acceptRanges);
    assert.match(info.etag ?? '', /^"[^"]+"$/, 'nginx sends a strong ETag');

    const whole = await client.get(server.url('data.bin'));
    assert.ok(whole.body.equals(data));
    assert.equal(whole.etag, info.etag);

    for (const [start, end] of [
      [0, 4095],
      [100_000, 165_535],
      [data.length - 1, data.length - 1],
    ] as const) {
      const r = await client.get(server.url('data.bin'), { range: { start, end } });
      assert.equal(r.status, 206);
      assert.equal(r.totalLength, data.length);
      assert.ok(r.body.equals(data.subarray(start, end + 1)), `bytes ${start}-${end}`);
    }
    const clamped = await client.get(server.url('data.bin'), {
      range: { start: data.length - 10, end: data.length + 10 },
    });
    assert.ok(clamped.body.equals(data.subarray(data.length - 10)));

    const before = client.stats;
    const byEtag = await client.get(server.url('data.bin'), { ifNoneMatch: whole.etag! });
    const byDate = await client.get(server.url('data.bin'), { ifModifiedSince: whole.lastModified! });
    assert.deepEqual([byEtag.status, byDate.status], [304, 304]);
    assert.equal(client.stats.bodyBytes, before.bodyBytes, 'no body bytes for a 304');
    assert.equal(client.stats.notModified - before.notModified, 2);

    await assert.rejects(client.get(server.url('missing.bin')), { code: 'ERR_NETFS_NOT_FOUND', status: 404 });
  } finally {
    client.close();
    await server.stop();
  }
});

test(
  'against Debian nginx: a file cached on disk, then served from the cache after a 304',
  { skip },
  async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { CacheFiles } = await import('@armvm/cachefiles');
    const { Fscache } = await import('@armvm/fscache');
    const { HttpNetfs } = await import('./http-netfs.ts');
    const data = randomBytes(700 * 1024 + 123);
    const server = await NginxServer.start(nginx!, { 'image.bin': data });
    const dir = await mkdtemp(join(tmpdir(), 'nginx-cache-'));
    try {
      const fetchOnce = async () => {
        const fscache = new Fscache({ debug: 0 });
        const disk = await CacheFiles.open({ dir, durable: false });
        const cache = await fscache.addCache(disk, 'disk');
        const nfs = new HttpNetfs({ fscache, maxAgeMs: 0 });
        const f = await nfs.open(server.url('image.bin'));
        const parts: Buffer[] = [];
        await f.readAll((c) => void parts.push(Buffer.from(c)));
        await f.close();
        const stats = {
          ...nfs.stats,
          requests: nfs.client.stats.requests,
          notModified: nfs.client.stats.notModified,
        };
        await nfs.close();
        await fscache.withdrawCache(cache);
        await disk.close();
        return { data: Buffer.concat(parts), stats };
      };
      const first = await fetchOnce();
      assert.ok(first.data.equals(data));
      assert.equal(first.stats.bytesFromNetwork, data.length);
      const second = await fetchOnce();
      assert.ok(second.data.equals(data));
      assert.equal(second.stats.bytesFromNetwork, 0);
      assert.equal(second.stats.bytesFromCache, data.length);
      assert.equal(second.stats.notModified, 1, 'nginx confirmed the copy with 304');
      assert.equal(second.stats.requests, 1);
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
