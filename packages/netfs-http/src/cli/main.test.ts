import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { TestHttpServer } from '../test-support/http-server.ts';
import { defaultCacheDir } from './cache-location.ts';
import { runFscache } from '../test-support/run-fscache.ts';

const run = runFscache;

const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 9)) & 0xff));

test('get, twice: the second answer comes from the cache; ls and stats show it; cull culls', async () => {
  const server = await TestHttpServer.start({ '/big.bin': body });
  const dir = await mkdtemp(join(tmpdir(), 'fscache-cli-'));
  const cache = join(dir, 'cache');
  const first = await run(['get', server.url('/big.bin'), '--cache', cache, '--stats']);
  assert.equal(first.status, 0, first.stderr);
  assert.ok(first.stdoutBytes.equals(body));
  assert.match(first.stderr, /0 B from the cache, 293\.0 KiB from the network/);
  assert.match(first.stderr, /^FS-Cache statistics$/m);
  const sent = server.bodyBytesSent;
  const out = join(dir, 'copy.bin');
  const second = await run([
    'get',
    server.url('/big.bin'),
    '-o',
    out,
    '--cache',
    cache,
    '--stats',
    '--fresh-for',
    '0',
  ]);
  assert.equal(second.status, 0, second.stderr);
  assert.ok((await readFile(out)).equals(body));
  assert.equal(server.bodyBytesSent, sent, 'no body bytes the second time');
  assert.match(second.stderr, /293\.0 KiB from the cache, 0 B from the network/);
  const ls = await run(['ls', '--cache', cache]);
  assert.equal(ls.status, 0);
  assert.match(
    ls.stdout.toString(),
    /293\.0 KiB\s+293\.0 KiB\s+\S+ \S+\s+http:\/\/127\.0\.0\.1:\d+\/big\.bin/,
  );
  const stats = await run(['stats', '--cache', cache]);
  assert.match(stats.stdout.toString(), /^cull=\d frun=7% fcull=5% fstop=1% brun=7% bcull=5% bstop=1%$/m);
  assert.match(stats.stdout.toString(), /objects=1 /);
  // Limits no disk meets (free space below 99.8%) are refused: culling could only empty the cache.
  const refused = await run(['cull', '--cache', cache, '--brun', '99.9', '--bcull', '99.8', '--bstop', '0']);
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /^fscache: the disk has [\d.]+% free and --bcull is 99.8%.*nothing was culled.*\n$/,
  );
  assert.match((await run(['ls', '--cache', cache])).stdout.toString(), /^1 objects/m);
  // With --force they are kept as cachefilesd would: every object not in use goes.
  const cull = await run([
    'cull',
    '--cache',
    cache,
    '--brun',
    '99.9',
    '--bcull',
    '99.8',
    '--bstop',
    '0',
    '--force',
  ]);
  assert.equal(cull.status, 0, cull.stderr);
  assert.match(cull.stdout.toString(), /culled 1 objects/);
  assert.match((await run(['ls', '--cache', cache])).stdout.toString(), /^0 objects/m);
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('errors are clear, exit non-zero, and leave no partial output file', async () => {
  const server = await TestHttpServer.start({ '/x': body });
  const dir = await mkdtemp(join(tmpdir(), 'fscache-cli-'));
  const cache = join(dir, 'cache');
  const out = join(dir, 'out.bin');
  // Every answer cut before its first block: the retries make no progress, and run out.
  server.setKnobs('/x', { dropAfter: 1000 });
  const cut = await run([
    'get',
    server.url('/x'),
    '-o',
    out,
    '--cache',
    cache,
    '--retry',
    '2',
    '--retry-delay',
    '0',
  ]);
  assert.equal(cut.status, 18, 'curl\'s "partial file"');
  assert.match(cut.stderr, /^fscache: connection lost mid-body.*\n$/);
  await assert.rejects(readFile(out), /ENOENT/);
  assert.deepEqual(
    (await readdir(dir)).filter((n) => n.includes('.part')),
    [],
    'no partial file left',
  );
  assert.equal((await run(['get', server.url('/missing'), '--cache', cache])).status, 22);
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('the default cache directory follows XDG', () => {
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/var/tmp/xdg' }), '/var/tmp/xdg/fscache');
  assert.match(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }), /\.cache\/fscache$/);
  assert.match(defaultCacheDir({}), /\.cache\/fscache$/);
});

test('the installed binary runs', async () => {
  const bin = fileURLToPath(new URL('../../bin/fscache.js', import.meta.url));
  const server = await TestHttpServer.start({ '/small': 'hello, cache\n' });
  const dir = await mkdtemp(join(tmpdir(), 'fscache-cli-'));
  const { stdout } = await promisify(execFile)(process.execPath, [
    bin,
    'get',
    server.url('/small'),
    '--cache',
    dir,
  ]);
  assert.equal(stdout, 'hello, cache\n');
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
