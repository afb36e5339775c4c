/**
 * Looking after a cache from the command line: saved limits that a later get keeps, rm and
 * purge, JSON listings, no rows for fetches that failed, and a cache directory that must exist.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TestHttpServer } from '../test-support/http-server.ts';
import { runFscache } from '../test-support/run-fscache.ts';

const run = (argv: string[]) => runFscache(argv);

const blob = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 1) & 0xff));
let server: TestHttpServer;
let dir: string;
before(async () => {
  server = await TestHttpServer.start({
    '/a': blob(300_000, 7),
    '/b': blob(300_000, 11),
    '/c': blob(300_000, 13),
    '/small': 'small and inline\n',
  });
  dir = await mkdtemp(join(tmpdir(), 'fscache-upkeep-'));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const get = async (cache: string, path: string) => {
  const r = await run(['get', server.url(path), '--cache', cache, '-o', '/dev/null']);
  assert.equal(r.status, 0, r.stderr);
};
const listed = async (cache: string) => {
  const r = await run(['ls', '--json', '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
  return (
    JSON.parse(r.stdout) as {
      url: string;
      size: number;
      cachedBytes: number;
      lastUse: string;
      stale: boolean;
    }[]
  ).map((o) => ({
    ...o,
    path: new URL(o.url).pathname,
  }));
};

test('a cache directory that does not exist is an error, and is not made', async () => {
  const missing = join(dir, 'typo-dir');
  for (const argv of [
    ['ls'],
    ['ls', '--json'],
    ['stats'],
    ['stats', '--json'],
    ['cull'],
    ['rm', server.url('/a')],
    ['purge'],
    ['limits'],
  ]) {
    const r = await run([...argv, '--cache', missing]);
    assert.equal(r.status, 1, argv.join(' '));
    assert.equal(r.stderr, `fscache: no cache at ${missing} (fscache get makes one)\n`);
  }
  await assert.rejects(stat(missing), /ENOENT/);
});

test('ls --json lists what holds data: a failed fetch leaves no row', async () => {
  const cache = join(dir, 'ls');
  await get(cache, '/a');
  await get(cache, '/small');
  assert.equal((await run(['get', server.url('/missing'), '--cache', cache])).status, 22);
  const rows = await listed(cache);
  assert.deepEqual(rows.map((r) => r.path).sort(), ['/a', '/small']);
  const a = rows.find((r) => r.path === '/a')!;
  assert.equal(a.url, server.url('/a'));
  assert.equal(a.size, 300_000);
  assert.equal(a.cachedBytes, 300_000);
  assert.equal(a.stale, false);
  assert.ok(Math.abs(Date.parse(a.lastUse) - Date.now()) < 60_000);
  const text = await run(['ls', '--cache', cache]);
  assert.doesNotMatch(text.stdout, /missing/);
  assert.match(text.stdout, /^2 objects, /m);
  const stats = await run(['stats', '--json', '--cache', cache]);
  const s = JSON.parse(stats.stdout);
  assert.equal(s.objects, 2);
  assert.equal(s.heldBytes, 300_000 + 17);
  assert.deepEqual(s.limits, { bstop: 1, bcull: 5, brun: 7, fstop: 1, fcull: 5, frun: 7 });
  assert.equal(s.maxBytes, null);
  assert.equal(typeof s.freeBlocksPct, 'number');
});

test('limits are saved with the cache, shown by stats, and kept by a later get', async () => {
  const cache = join(dir, 'limits');
  const set = await run([
    'limits',
    '--max-size',
    '700K',
    '--max-age',
    '7d',
    '--bcull',
    '3',
    '--cache',
    cache,
  ]);
  assert.equal(set.status, 0, set.stderr);
  assert.equal(
    set.stdout,
    'max-size=700.0 KiB max-age=7d\nbrun=7% bcull=3% bstop=1% frun=7% fcull=5% fstop=1%\n',
  );
  assert.deepEqual(JSON.parse(await readFile(join(cache, 'settings.json'), 'utf8')), {
    limits: { bcull: 3 },
    maxBytes: 700 * 1024,
    maxAgeMs: 7 * 86400e3,
  });
  assert.equal((await run(['limits', '--cache', cache])).stdout, set.stdout);
  const s = JSON.parse((await run(['stats', '--json', '--cache', cache])).stdout);
  assert.equal(s.maxBytes, 700 * 1024);
  assert.equal(s.limits.bcull, 3);
  // Three files of 293 KiB: the third get goes over 700 KiB, and the least recently used goes.
  await get(cache, '/a');
  await new Promise((r) => setTimeout(r, 20));
  await get(cache, '/b');
  await new Promise((r) => setTimeout(r, 20));
  await get(cache, '/c');
  assert.deepEqual((await listed(cache)).map((r) => r.path).sort(), ['/b', '/c']);
  // A limit cleared, another kept; a bad combination is refused and the saved ones stay.
  assert.equal(
    (await run(['limits', '--max-size', 'none', '--cache', cache])).stdout.split('\n')[0],
    'max-size=none max-age=7d',
  );
  const bad = await run(['limits', '--brun', '2', '--bcull', '3', '--cache', cache]);
  assert.equal(bad.status, 2);
  assert.equal(JSON.parse(await readFile(join(cache, 'settings.json'), 'utf8')).limits.brun, undefined);
  // cull --max-size for this run only: not saved.
  const cull = await run(['cull', '--max-size', '300K', '--cache', cache]);
  assert.equal(cull.status, 0, cull.stderr);
  assert.match(cull.stdout, /culled 1 objects/);
  assert.equal(JSON.parse(await readFile(join(cache, 'settings.json'), 'utf8')).maxBytes, undefined);
  const reset = await run(['limits', '--reset', '--cache', cache]);
  assert.equal(
    reset.stdout,
    'max-size=none max-age=none\nbrun=7% bcull=5% bstop=1% frun=7% fcull=5% fstop=1%\n',
  );
});

test('--max-size holds after each get, even when the file just fetched is the one over it', async () => {
  const cache = join(dir, 'held');
  await get(cache, '/a');
  assert.equal((await run(['limits', '--max-size', '400K', '--cache', cache])).status, 0);
  await get(cache, '/b'); // a + b is over the limit: a, the least recently used, goes
  assert.deepEqual(
    (await listed(cache)).map((r) => r.path),
    ['/b'],
  );
  assert.equal((await run(['limits', '--max-size', '200K', '--cache', cache])).status, 0);
  await get(cache, '/c'); // c alone is over it: culled once its own get has let go of it
  assert.deepEqual(await listed(cache), []);
  const s = JSON.parse((await run(['stats', '--json', '--cache', cache])).stdout);
  assert.ok(s.heldBytes <= 200 * 1024, `${s.heldBytes} bytes held`);
});

test('cull --max-age discards what was not used for that long', async () => {
  const cache = join(dir, 'age');
  await get(cache, '/a');
  await get(cache, '/b');
  const { utimes } = await import('node:fs/promises');
  const rows = await run(['ls', '--json', '--cache', cache]);
  assert.equal(JSON.parse(rows.stdout).length, 2);
  // Make /a look unused for two days.
  const { listObjects } = await import('@armvm/cachefiles');
  const a = (await listObjects(cache)).find((o) => o.keys.at(-1) === '/a')!;
  const old = (Date.now() - 2 * 86400e3) / 1000;
  await utimes(a.path, old, old);
  const cull = await run(['cull', '--max-age', '1d', '--cache', cache]);
  assert.equal(cull.status, 0, cull.stderr);
  assert.deepEqual(
    (await listed(cache)).map((r) => r.path),
    ['/b'],
  );
});

test('rm removes the URLs given and says which were not cached; purge removes everything', async () => {
  const cache = join(dir, 'rm');
  await get(cache, '/a');
  await get(cache, '/b');
  await get(cache, '/small');
  const r = await run(['rm', server.url('/a'), server.url('/nope'), '--cache', cache]);
  assert.equal(r.status, 1, 'one URL was not cached');
  assert.match(
    r.stdout,
    new RegExp(`^removed ${server.url('/a').replace(/[/.]/g, '\\$&')} \\(.* on disk\\)\\n$`),
  );
  assert.equal(r.stderr, `fscache: ${server.url('/nope')} is not cached\n`);
  assert.deepEqual((await listed(cache)).map((o) => o.path).sort(), ['/b', '/small']);
  const p = await run(['purge', '--cache', cache]);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /^removed 2 objects/);
  assert.deepEqual(await listed(cache), []);
  // What was removed is fetched again, whole.
  await get(cache, '/a');
  assert.equal((await listed(cache))[0]!.cachedBytes, 300_000);
});
