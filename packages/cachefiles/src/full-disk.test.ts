/**
 * A real full disk: the cache on a 2 MiB tmpfs. Writes past the end get ENOBUFS (never a crash),
 * what was stored still reads back right, and culling makes room for new writes. Needs root to
 * mount the tmpfs; skipped elsewhere.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type FscacheObject, ObjectState } from '@armvm/fscache';
import { Culler } from './culler.ts';
import { block, openCache, type Remote, remoteDef, serverDef, until } from './test-support/disk-harness.ts';

function mountTmpfs(dir: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,nr_inodes=4096', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('a full disk: ENOBUFS to the netfs, stored data intact, culling makes room', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cachefiles-full-'));
  if (!mountTmpfs(dir)) {
    t.skip('mounting a tmpfs needs root');
    await rm(dir, { recursive: true, force: true });
    return;
  }
  try {
    const c = await openCache(join(dir, 'c'), { durable: true });
    const culler = new Culler(c.disk); // the kernel's default limits, on the real statfs
    const s = await c.fs.acquireCookie(c.netfs.primaryIndex, serverDef, 'srv');
    const stored: Remote[] = [];
    const objects: FscacheObject[] = [];
    let refused = 0;
    for (let i = 0; i < 200 && refused < 5; i++) {
      const r: Remote = { path: `f${i}`, etag: '1', size: 8 * 4096 };
      const f = await c.fs.acquireCookie(s, remoteDef, r);
      let ok = true;
      for (let p = 0; p < 8; p++) {
        const got = await c.fs.readOrAllocPage(f, p);
        if (got.status !== 'ENODATA') {
          ok = false;
          break;
        }
        const w = await c.fs.writePage(f, p, block(i * 8 + p));
        c.fs.uncachePage(f, p);
        if (w.status !== 'ok') ok = false;
      }
      if (ok) stored.push(r);
      else refused++;
      objects.push(...(f?.backingObjects ?? []));
      await c.fs.relinquishCookie(f);
    }
    assert.ok(refused > 0, 'the disk filled up');
    assert.ok(c.disk.stats.enospc > 0 || c.disk.refuseWrites, 'the cache saw the full disk');
    assert.deepEqual(c.bugs, []);
    await c.fs.pool.drain();
    await until(
      () => objects.every((o) => o.state === ObjectState.DEAD),
      'the objects let go of to be dropped',
    );
    // Everything read back is right (some objects were culled to make room: those miss).
    for (const r of stored) {
      const f = await c.fs.acquireCookie(s, remoteDef, r);
      const i = Number(r.path.slice(1));
      for (let p = 0; p < 8; p++) {
        const got = await c.fs.readOrAllocPage(f, p);
        if (got.status === 'ok')
          assert.ok(Buffer.from(got.data).equals(Buffer.from(block(i * 8 + p))), `${r.path}:${p}`);
        c.fs.uncachePage(f, p);
      }
      await c.fs.relinquishCookie(f);
    }
    await c.fs.pool.drain();
    // Between the cull and run limits the culler rests, as cachefilesd does; limits this disk
    // is far below make it cull for real, least recently used first, up to the run limit.
    const before = await culler.check();
    assert.ok(before.freeBlocksPct < 7 || before.state === 'ok');
    const strict = new Culler(c.disk, { limits: { brun: 60, bcull: 50, bstop: 1 } });
    const report = await strict.check();
    assert.equal(report.state, 'culled');
    assert.ok(report.culled > 0);
    assert.ok(
      report.freeBlocksPct >= 60,
      `culling freed the disk to its run limit (${report.freeBlocksPct.toFixed(1)}%)`,
    );
    const fresh = await c.fs.acquireCookie(s, remoteDef, { path: 'after', etag: '1', size: 4096 });
    await c.fs.readOrAllocPage(fresh, 0);
    assert.equal((await c.fs.writePage(fresh, 0, block(999))).status, 'ok', 'new data fits again');
    await c.fs.relinquishCookie(fresh);
    await c.fs.relinquishCookie(s);
    await c.close();
  } finally {
    execFileSync('umount', ['-l', dir]);
    await rm(dir, { recursive: true, force: true });
  }
});
