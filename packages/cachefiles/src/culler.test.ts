import assert from 'node:assert/strict';
import type { StatsFs } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { test } from 'node:test';
import { ManualClock, ObjectState } from '@armvm/fscache';
import { DiskObject } from './disk-object.ts';
import { completeLimits, Culler, DEFAULT_LIMITS, validateLimits } from './culler.ts';
import { block, openCache, remoteDef, serverDef, tempDir, until } from './test-support/disk-harness.ts';

/** A pretend filesystem of `total` blocks whose use is the cache's bytes on disk plus `other`. */
function fakeFs(total: number, usedByCache: () => number, other = 0) {
  return async (): Promise<StatsFs> => {
    const used = Math.ceil(usedByCache() / 4096) + other;
    return {
      type: 0,
      bsize: 4096,
      blocks: total,
      bfree: total - used,
      bavail: total - used,
      files: 1000,
      ffree: 900,
    } as StatsFs;
  };
}

test('limits are checked as cachefilesd checks them', () => {
  assert.deepEqual(validateLimits(DEFAULT_LIMITS), DEFAULT_LIMITS);
  assert.throws(
    () => validateLimits({ ...DEFAULT_LIMITS, bcull: 8 }),
    /0 <= stop < cull < run < 100 \(got bstop 1, bcull 8, brun 7\)/,
  );
  assert.throws(() => validateLimits({ ...DEFAULT_LIMITS, fstop: -1 }), /file limits/);
  assert.throws(() => validateLimits({ ...DEFAULT_LIMITS, brun: 100 }), /block limits/);
});

test('below the cull limit, the least recently used objects go first and objects in use are skipped', async () => {
  const { dir, cleanup } = await tempDir();
  const c = await openCache(dir);
  const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
  const cookies = [];
  for (let i = 0; i < 6; i++) {
    const f = await c.fs.acquireCookie(s, remoteDef, { path: `f${i}`, etag: '1', size: 4 * 4096 });
    for (let p = 0; p < 4; p++) {
      await c.fs.readOrAllocPage(f, p);
      await c.fs.writePage(f, p, block(p));
    }
    cookies.push(f);
  }
  await c.fs.pool.drain();
  const objects = cookies.map((f) => f!.backingObjects[0] as DiskObject);
  const paths = objects.map((o) => o.path);
  // Ages: f0 oldest ... f5 newest. Keep f0 in use; let go of the others.
  for (let i = 0; i < 6; i++) await utimes(paths[i]!, 1_000_000 + i * 1000, 1_000_000);
  for (const f of cookies.slice(1)) await c.fs.relinquishCookie(f);
  await c.fs.pool.drain();
  const f0 = objects[0]!;
  await until(
    () => objects.slice(1).every((o) => o.state === ObjectState.DEAD),
    'the objects let go of to be dropped',
  );
  await until(() => !f0.flushTimer && !f0.changed && !f0.markedDirty, 'the object in use to be flushed');
  // 100 blocks in all: the six objects hold 4 blocks each and 74 are used by others, so 2% is
  // free, below the 5% cull limit. Culling must reach 7%: two objects (2% -> 6% -> 10%).
  let cacheBlocks = 24;
  const culler = new Culler(c.disk, { statfs: fakeFs(100, () => cacheBlocks * 4096, 74) });
  const realBury = c.disk.dir.bury.bind(c.disk.dir);
  const buried: string[] = [];
  c.disk.dir.bury = async (p: string) => {
    const ok = await realBury(p);
    if (ok && !p.includes('/MD')) {
      buried.push(p);
      cacheBlocks -= 4;
    }
    return ok;
  };
  const report = await culler.check();
  assert.equal(report.state, 'culled');
  assert.equal(report.culled, 2);
  assert.deepEqual(buried, [paths[1], paths[2]], 'oldest idle first; f0, the oldest, is in use');
  assert.ok(report.freeBlocksPct >= 7);
  await c.fs.relinquishCookie(cookies[0]!);
  await c.fs.relinquishCookie(s);
  await c.close();
  await cleanup();
});

test('below the stop limit the cache refuses new data until culling makes room', async () => {
  const { dir, cleanup } = await tempDir();
  const c = await openCache(dir);
  let used = 995;
  const culler = new Culler(c.disk, { statfs: fakeFs(1000, () => 0, used) });
  void used;
  const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
  const f = await c.fs.acquireCookie(s, remoteDef, { path: 'x', etag: '1', size: 4096 });
  await c.fs.readOrAllocPage(f, 0);
  const report = await culler.check();
  assert.equal(report.state, 'stopped');
  assert.equal((await c.fs.writePage(f, 0, block(0))).status, 'ENOBUFS');
  const roomy = new Culler(c.disk, { statfs: fakeFs(1000, () => 0, 10) });
  assert.equal((await roomy.check()).state, 'ok');
  assert.equal((await c.fs.writePage(f, 0, block(0))).status, 'ok');
  used = 0;
  await c.fs.relinquishCookie(f);
  await c.fs.relinquishCookie(s);
  await c.close();
  await cleanup();
});

test('concurrent checks share one pass; started, the culler checks on each tick until stopped', async () => {
  const { dir, cleanup } = await tempDir();
  const c = await openCache(dir);
  let calls = 0;
  const clock = new ManualClock();
  const culler = new Culler(c.disk, {
    clock,
    statfs: async () => {
      calls++;
      return { type: 0, bsize: 4096, blocks: 100, bfree: 50, bavail: 50, files: 100, ffree: 50 } as StatsFs;
    },
  });
  const [a, b] = await Promise.all([culler.check(), culler.check()]);
  assert.equal(a, b);
  assert.equal(calls, 1);
  culler.start(5);
  clock.advance(4);
  assert.equal(calls, 1, 'not yet');
  clock.advance(1);
  assert.equal(calls, 2);
  await culler.check(); // the tick's pass
  clock.advance(5);
  assert.equal(calls, 3);
  await culler.check();
  culler.stop();
  clock.advance(50);
  assert.equal(calls, 3);
  assert.equal(clock.pending, 0);
  await c.close();
  await cleanup();
});

test('limits given alone are completed as a user means them; a bad combination is EINVAL', () => {
  assert.deepEqual(completeLimits({}), DEFAULT_LIMITS);
  assert.deepEqual(completeLimits({ bcull: 90 }), { ...DEFAULT_LIMITS, bcull: 90, brun: 92 });
  assert.deepEqual(completeLimits({ bcull: 10 }), { ...DEFAULT_LIMITS, bcull: 10, brun: 12 });
  assert.deepEqual(completeLimits({ bcull: 90, brun: 95 }), { ...DEFAULT_LIMITS, bcull: 90, brun: 95 });
  assert.deepEqual(completeLimits({ brun: 3 }), { ...DEFAULT_LIMITS, bcull: 1.5, brun: 3 });
  assert.deepEqual(completeLimits({ fstop: 6 }), { ...DEFAULT_LIMITS, fstop: 6, fcull: 10, frun: 12 });
  assert.deepEqual(completeLimits({ bcull: 99.8 }).brun, 99.9);
  assert.throws(() => completeLimits({ bcull: 20, brun: 10 }), /got bstop 1, bcull 20, brun 10/);
});
