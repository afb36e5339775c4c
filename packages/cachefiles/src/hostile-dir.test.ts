/**
 * The cache directory is not trusted: links, FIFOs and misplaced files planted in it are never
 * followed, read as data or written through, and an object's record names its key, so a file
 * moved or swapped into another object's place is a miss.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readFile, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { listObjects } from './list-objects.ts';
import { block, openCache, type Remote, remoteDef, serverDef, tempDir } from './test-support/disk-harness.ts';

type Cache = Awaited<ReturnType<typeof openCache>>;

// Block p of r: bytes that differ between objects, and the short last block of a small object.
const bytesOf = (r: Remote, p: number) => block(p + r.size, Math.min(4096, r.size - p * 4096));

async function write(c: Cache, r: Remote, blocks: number[]) {
  const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
  const f = await c.fs.acquireCookie(s, remoteDef, r);
  const out: string[] = [];
  for (const p of blocks) {
    const got = await c.fs.readOrAllocPage(f, p);
    if (got.status === 'ENODATA') out.push((await c.fs.writePage(f, p, bytesOf(r, p))).status);
    else out.push(got.status);
    c.fs.uncachePage(f, p);
  }
  await c.fs.relinquishCookie(f);
  await c.fs.relinquishCookie(s);
  await c.fs.pool.drain();
  return out;
}

async function read(c: Cache, r: Remote, blocks: number[]) {
  const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
  const f = await c.fs.acquireCookie(s, remoteDef, r);
  const out: string[] = [];
  for (const p of blocks) {
    const got = await c.fs.readOrAllocPage(f, p);
    if (got.status === 'ok')
      out.push(Buffer.from(got.data).equals(Buffer.from(bytesOf(r, p))) ? 'ok' : 'WRONG');
    else out.push(got.status);
    c.fs.uncachePage(f, p);
  }
  await c.fs.relinquishCookie(f);
  await c.fs.relinquishCookie(s);
  return out;
}

async function pathOf(dir: string, key: string): Promise<string> {
  const o = (await listObjects(dir)).find((x) => x.keys.at(-1) === key);
  assert.ok(o, `object ${key} listed`);
  return o.path;
}

test('links planted for a data file, its record, or its directory are never followed', async () => {
  const { dir, cleanup } = await tempDir();
  const outside = join(dir, 'outside');
  await mkdir(outside);
  const victim = join(outside, 'victim.txt');
  await writeFile(victim, "not the cache's to touch\n");
  const big: Remote = { path: '/big', etag: '1', size: 4 * 4096 };
  let c = await openCache(join(dir, 'c'));
  assert.deepEqual(await write(c, big, [0, 1]), ['ok', 'ok']);
  await c.close();
  const data = await pathOf(join(dir, 'c'), '/big');
  const meta = join(dirname(data), `M${basename(data)}`);

  // The data file and its record replaced by links to a file outside the cache.
  await unlink(data);
  await symlink(victim, data);
  await unlink(meta);
  await symlink(victim, meta);
  c = await openCache(join(dir, 'c'));
  assert.deepEqual(await read(c, big, [0, 1]), ['ENODATA', 'ENODATA'], 'a link is a miss, not data');
  assert.deepEqual(await write(c, big, [0, 1, 2, 3]), ['ok', 'ok', 'ok', 'ok']);
  await c.close();
  assert.equal(await readFile(victim, 'utf8'), "not the cache's to touch\n");
  assert.ok((await lstat(data)).isFile(), 'the link was replaced by a real data file');

  // The fan-out directory replaced by a link to a directory outside.
  const fan = dirname(data);
  await rm(fan, { recursive: true });
  await symlink(outside, fan);
  c = await openCache(join(dir, 'c'));
  assert.deepEqual(await read(c, big, [0]), ['ENODATA']);
  assert.deepEqual(await write(c, big, [0]), ['ok']);
  await c.close();
  assert.ok((await lstat(fan)).isDirectory(), 'the link was buried and a real directory made');
  assert.deepEqual((await readFile(victim, 'utf8')).length, 25);
  await cleanup();
});

test('a FIFO where a record or data file should be is a miss, and nothing waits on it', async () => {
  const { dir, cleanup } = await tempDir();
  const small: Remote = { path: '/small', etag: '1', size: 1000 };
  const big: Remote = { path: '/big', etag: '1', size: 3 * 4096 };
  let c = await openCache(dir);
  assert.deepEqual(await write(c, small, [0]), ['ok']);
  assert.deepEqual(await write(c, big, [0]), ['ok']);
  await c.close();
  for (const key of ['/small', '/big']) {
    const p = await pathOf(dir, key);
    await unlink(p);
    execFileSync('mkfifo', [p]);
  }
  c = await openCache(dir);
  assert.deepEqual(await read(c, small, [0]), ['ENODATA']);
  assert.deepEqual(await read(c, big, [0]), ['ENODATA']);
  await c.close();
  await cleanup();
});

test('records name their keys: files swapped between two objects of one size are misses', async () => {
  const { dir, cleanup } = await tempDir();
  const a: Remote = { path: '/a', etag: '1', size: 1000 };
  const b: Remote = { path: '/b', etag: '1', size: 1000 };
  const big1: Remote = { path: '/big1', etag: '1', size: 2 * 4096 };
  const big2: Remote = { path: '/big2', etag: '1', size: 2 * 4096 };
  let c = await openCache(dir);
  for (const r of [a, b, big1, big2]) {
    const blocks = r.size > 4096 ? [0, 1] : [0];
    assert.deepEqual(
      await write(c, r, blocks),
      blocks.map(() => 'ok'),
    );
    assert.deepEqual(
      await read(c, r, blocks),
      blocks.map(() => 'ok'),
    );
  }
  await c.close();
  const swap = async (x: string, y: string) => {
    await rename(x, `${x}.swap`);
    await rename(y, x);
    await rename(`${x}.swap`, y);
  };
  // Inline objects: each a single record holding its data; swap the records.
  await swap(await pathOf(dir, '/a'), await pathOf(dir, '/b'));
  // Large objects: swap both the data files and their records, as a careless copy would.
  const p1 = await pathOf(dir, '/big1');
  const p2 = await pathOf(dir, '/big2');
  await swap(p1, p2);
  await swap(join(dirname(p1), `M${basename(p1)}`), join(dirname(p2), `M${basename(p2)}`));
  c = await openCache(dir);
  assert.deepEqual(await read(c, a, [0]), ['ENODATA']);
  assert.deepEqual(await read(c, b, [0]), ['ENODATA']);
  assert.deepEqual(await read(c, big1, [0, 1]), ['ENODATA', 'ENODATA']);
  assert.deepEqual(await read(c, big2, [0, 1]), ['ENODATA', 'ENODATA']);
  // And each stores afresh under its own name.
  assert.deepEqual(await write(c, a, [0]), ['ok']);
  assert.deepEqual(await read(c, a, [0]), ['ok']);
  await c.close();
  await cleanup();
});

test("a link in place of the cache's own folders is buried, not followed", async () => {
  const { dir, cleanup } = await tempDir();
  const outside = join(dir, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'keep'), 'x');
  await mkdir(join(dir, 'c'));
  for (const d of ['tmp', 'graveyard', 'cache']) await symlink(outside, join(dir, 'c', d));
  const c = await openCache(join(dir, 'c'));
  await write(c, { path: '/f', etag: '1', size: 3 * 4096 }, [0]);
  await c.close();
  for (const d of ['tmp', 'graveyard', 'cache']) assert.ok((await lstat(join(dir, 'c', d))).isDirectory());
  assert.equal(await readFile(join(outside, 'keep'), 'utf8'), 'x');
  await cleanup();
});
