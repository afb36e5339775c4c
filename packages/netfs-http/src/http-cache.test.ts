import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openHttpCache } from './http-cache.ts';
import { TestHttpServer } from './test-support/http-server.ts';

const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 5 + (i >> 8)) & 0xff));
let server: TestHttpServer;
let dir: string;
before(async () => {
  server = await TestHttpServer.start({ '/f': body, '/g': body, '/s': body });
  dir = await mkdtemp(join(tmpdir(), 'http-cache-'));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('one call opens a cache over a directory, one closes it; a second process finds what the first stored', async () => {
  const first = await openHttpCache({ dir });
  assert.ok((await first.get(server.url('/f'))).equals(body));
  assert.ok((await first.read(server.url('/f'), 1000, 16)).equals(body.subarray(1000, 1016)));
  await first.close();
  await first.close(); // twice is harmless
  const sent = server.bodyBytesSent;
  const second = await openHttpCache({ dir, maxAgeMs: 60_000 });
  assert.ok((await second.get(server.url('/f'))).equals(body));
  assert.equal(server.bodyBytesSent, sent, 'no body bytes the second time');
  assert.equal(second.netfs.stats.bytesFromNetwork, 0);
  await second.close();
});

test('a read then the whole file: every block crosses the network once and is counted once', async () => {
  const cache = await openHttpCache({ dir: join(dir, 'exact') });
  const f = await cache.open(server.url('/g'));
  const sent = server.bodyBytesSent;
  assert.ok((await f.read(0, 16)).equals(body.subarray(0, 16)));
  const parts: Buffer[] = [];
  await f.readAll((c) => void parts.push(c));
  assert.ok(Buffer.concat(parts).equals(body));
  await f.close();
  assert.equal(server.bodyBytesSent - sent, body.length, 'block 0 fetched once');
  assert.equal(cache.netfs.stats.bytesFromNetwork, body.length, 'block 0 counted once');
  assert.equal(cache.netfs.client.stats.bodyBytes, body.length);
  await cache.close();
});

test('a URL as a Web ReadableStream and as a Node Readable', async () => {
  const cache = await openHttpCache({ dir: join(dir, 'streams') });
  const web: Uint8Array[] = [];
  for await (const c of cache.stream(server.url('/s'))) web.push(c);
  assert.ok(Buffer.concat(web).equals(body));
  const node: Buffer[] = [];
  for await (const c of cache.nodeStream(server.url('/s'))) node.push(c as Buffer);
  assert.ok(Buffer.concat(node).equals(body));
  await cache.close();
});

test('a small resource is stored in the block form, as the cachefiles README says: its size is unknown at lookup', async () => {
  server.setFile('/tiny', 'tiny');
  const cache = await openHttpCache({ dir: join(dir, 'tiny') });
  assert.equal((await cache.get(server.url('/tiny'))).toString(), 'tiny');
  await cache.close();
  const names = (await readdir(join(dir, 'tiny', 'cache'), { recursive: true })).map((n) =>
    n.split('/').at(-1)!,
  );
  const data = names.filter((n) => /^D/.test(n));
  assert.equal(data.length, 1, names.join(' '));
  assert.ok(names.includes(`M${data[0]}`), `a metadata sidecar beside ${data[0]}: ${names.join(' ')}`);
});
