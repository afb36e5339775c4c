/**
 * Reads that span several requests, against a misbehaving node:http server: a file changing
 * between two Range requests (whatever validators the server gives), transient failures in any
 * request, and a server that ignores Range. Never mixed versions, never an unhandled rejection.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CacheFiles } from '@armvm/cachefiles';
import { Fscache } from '@armvm/fscache';
import { HttpClient } from './http-client.ts';
import { HttpNetfs } from './http-netfs.ts';
import { type ServerKnobs, TestHttpServer } from './test-support/http-server.ts';

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed * 101 + (i >> 10)) & 0xff;
  return b;
}
const SIZE = 200_000;
const v1 = bytes(SIZE, 1);
const v2 = bytes(SIZE, 2);

// Any rejection nobody handled fails the test that caused it.
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => void unhandled.push(err);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => process.off('unhandledRejection', onUnhandled));

/** One file on a server, read through a netfs over a disk cache; `withCache: false` reads without one. */
async function rig(knobs: ServerKnobs, options: { withCache?: boolean } = {}) {
  const server = await TestHttpServer.start();
  server.setFile('/f', v1, knobs);
  const dir = await mkdtemp(join(tmpdir(), 'netfs-transfer-'));
  const fscache = new Fscache({ debug: 0 });
  const disk =
    options.withCache === false ? null : await CacheFiles.open({ dir, blockSize: 4096, durable: false });
  const cache = disk ? await fscache.addCache(disk, 'disk') : null;
  const client = new HttpClient({ timeoutMs: 5000 });
  // Small requests, so that one read is several of them.
  const nfs = new HttpNetfs({
    fscache,
    client,
    maxAgeMs: 0,
    maxRequestBytes: 32 * 1024,
    retryDelayMs: 1,
    blockSize: 4096,
  });
  const readAll = async () => {
    const f = await nfs.open(server.url('/f'));
    const parts: Buffer[] = [];
    try {
      await f.readAll((c) => void parts.push(Buffer.from(c)), { chunkBytes: 16 * 1024 });
      return Buffer.concat(parts);
    } finally {
      await f.close();
    }
  };
  return {
    server,
    nfs,
    readAll,
    cleanup: async () => {
      await nfs.close();
      if (cache) await fscache.withdrawCache(cache);
      await disk?.close();
      client.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
      assert.deepEqual(unhandled, [], 'no unhandled rejection');
    },
  };
}

/** Changes the file to v2 when its `n`th GET arrives. */
function changeAtGet(server: TestHttpServer, n: number, options: { keepEtag?: boolean } = {}) {
  let gets = 0;
  server.onGet = () => {
    if (++gets === n) server.changeFile('/f', v2, options);
  };
}

for (const [what, knobs, keepEtag] of [
  ['a strong ETag (If-Range with it)', {}, false],
  ['only Last-Modified (If-Range with the date)', { noEtag: true }, false],
  ['a server that ignores If-Range and sends a new ETag', { ignoreIfRange: true }, false],
  ['a server that keeps the ETag but moves Last-Modified, ignoring If-Range', { ignoreIfRange: true }, true],
] as const) {
  test(`a file changing between Range requests, ${what}: one clear error, never mixed bytes; the next read gets the new version`, async () => {
    const r = await rig(knobs);
    changeAtGet(r.server, 3, { keepEtag });
    await assert.rejects(r.readAll(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ERR_NETFS_CHANGED');
      assert.match(e.message, /changed on the server while it was being read/);
      return true;
    });
    const gets = r.server.log.filter((e) => e.method === 'GET');
    assert.ok(gets.length >= 3);
    assert.ok(
      gets.slice(1).every((e) => e.range !== undefined && e.ifRange !== undefined),
      'every Range request after the first is conditional',
    );
    r.server.onGet = null;
    assert.ok((await r.readAll()).equals(v2), 'the next read: the new version, whole');
    const sent = r.server.bodyBytesSent;
    assert.ok((await r.readAll()).equals(v2), 'and it is what the cache now holds');
    assert.equal(r.server.bodyBytesSent, sent, 'no body bytes: served from the cache');
    await r.cleanup();
  });
}

test('a weak ETag cannot tie ranges together: the file is read with one plain GET, one version', async () => {
  const r = await rig({ weakEtag: true });
  changeAtGet(r.server, 2); // would change between pieces, had there been pieces
  assert.ok((await r.readAll()).equals(v1));
  const gets = r.server.log.filter((e) => e.method === 'GET');
  assert.equal(gets.length, 1);
  assert.equal(gets[0]!.range, undefined);
  await r.cleanup();
});

test('a Last-Modified as recent as the Date header is not strong: one plain GET', async () => {
  const r = await rig({ noEtag: true, headers: { 'last-modified': new Date().toUTCString() } });
  assert.ok((await r.readAll()).equals(v1));
  const gets = r.server.log.filter((e) => e.method === 'GET');
  assert.deepEqual(
    gets.map((e) => e.range),
    [undefined],
  );
  await r.cleanup();
});

test('transient failures in later requests (503, bodies cut short) are retried, resuming where they stopped', async () => {
  const r = await rig({});
  let gets = 0;
  r.server.onGet = () => {
    gets++;
    if (gets === 3) r.server.setKnobs('/f', { failNext: { count: 2, status: 503 } });
    if (gets === 7) r.server.setKnobs('/f', { failNext: { count: 2, dropAfter: 5000 } });
  };
  assert.ok((await r.readAll()).equals(v1));
  assert.equal(r.nfs.stats.retries, 4);
  // Cut bodies resumed from the first block not received: only the cut block's bytes go twice
  // (and the two 503s' short text bodies).
  const expected = SIZE + 2 * (5000 - 4096) + 2 * 'status 503\n'.length;
  assert.equal(r.server.bodyBytesSent, expected);
  await r.cleanup();
});

test('failures that outlast the retries end the read with one error, no unhandled rejection; the next read works', async () => {
  const r = await rig({});
  let gets = 0;
  r.server.onGet = () => {
    if (++gets === 2) r.server.setKnobs('/f', { failNext: { count: 50, status: 503 } });
  };
  await assert.rejects(r.readAll(), (e: Error & { code?: string; status?: number }) => {
    assert.equal(e.code, 'ERR_NETFS_HTTP_STATUS');
    assert.equal(e.status, 503);
    return true;
  });
  r.server.onGet = null;
  r.server.setKnobs('/f', {});
  assert.ok((await r.readAll()).equals(v1));
  await r.cleanup();
});

for (const withCache of [true, false]) {
  test(`a server that ignores Range: the 200 is read once as the whole body${withCache ? ', stored once' : ', without a cache'}`, async () => {
    const r = await rig({ ignoreRange: true }, { withCache });
    assert.ok((await r.readAll()).equals(v1));
    assert.equal(r.server.bodyBytesSent, SIZE, 'every byte sent once');
    assert.equal(r.server.log.filter((e) => e.method === 'GET').length, 1, 'one GET');
    if (withCache) {
      assert.ok((await r.readAll()).equals(v1));
      assert.equal(r.server.bodyBytesSent, SIZE, 'then everything from the cache');
    }
    await r.cleanup();
  });
}

test('a server that ignores Range and drops the connection midway: resumed with a new GET, the stored blocks kept', async () => {
  const r = await rig({ ignoreRange: true, failNext: { count: 1, dropAfter: 120_000 } });
  assert.ok((await r.readAll()).equals(v1));
  assert.equal(r.nfs.stats.retries, 1);
  assert.equal(r.server.log.filter((e) => e.method === 'GET').length, 2);
  await r.cleanup();
});
