/**
 * Several processes on one cache directory: a second process reads what the writer of an object
 * has stored and waits for the rest; it takes the object over when the writer is killed; each
 * keeps its own files being written. Run with a writer in another network namespace too, where
 * `unshare` can make one (root).
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Fscache } from '@armvm/fscache';
import { CacheFiles } from './cachefiles.ts';
// @ts-expect-error: a plain JavaScript helper shared with the writer process
import { content, crashDef, sizeOf } from './test-support/crash-content.mjs';
import { tempDir } from './test-support/disk-harness.ts';

const writer = fileURLToPath(new URL('./test-support/shared-writer.mjs', import.meta.url));
const canUnshare =
  process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

/** Starts a writer of object `key` that stores `blocks` blocks; resolves with it and a line reader. */
async function startWriter(dir: string, key: number, blocks: number, netns: boolean) {
  const args = [writer, dir, String(key), String(blocks)];
  const child = (
    netns
      ? spawn('unshare', ['-n', process.execPath, ...process.execArgv, ...args])
      : spawn(process.execPath, [...process.execArgv, ...args])
  ) as ChildProcessWithoutNullStreams;
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`writer ended: ${err}`);
    return r.value as string;
  };
  const hello = JSON.parse(await next()) as { id: string };
  return { child, next, id: hello.id };
}

async function kill(child: ChildProcessWithoutNullStreams) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function openSecond(dir: string) {
  const fs = new Fscache({ debug: 0 });
  const disk = await CacheFiles.open({ dir, blockSize: 4096, durable: false, flushDelayMs: 5 });
  const cache = await fs.addCache(disk, 'disk');
  const netfs = fs.registerNetfs({ name: 'crash', version: 1 });
  return { fs, disk, cache, netfs };
}

for (const netns of canUnshare ? [false, true] : [false]) {
  test(`a second process reads behind the writer, waits for its next block, and takes over when it is killed${netns ? ' (writer in another network namespace)' : ''}`, async () => {
    const { dir, cleanup } = await tempDir();
    const key = 1; // five blocks, the last one short
    const w = await startWriter(dir, key, 2, netns);
    const c = await openSecond(dir);
    const cookie = await c.fs.acquireCookie(c.netfs.primaryIndex, crashDef, { key, size: sizeOf(key) });
    await c.fs.waitForDeferredLookup(cookie);
    assert.equal(c.disk.stats.shared, 1, "the object is the other process's: this one reads it");
    for (const b of [0, 1]) {
      const r = await c.fs.readOrAllocPage(cookie, b);
      assert.equal(r.status, 'ok', `block ${b}, stored by the writer`);
      assert.ok(r.status === 'ok' && Buffer.from(r.data).equals(Buffer.from(content(key, b))));
      c.fs.uncachePage(cookie, b);
    }
    // A block the writer has not stored yet: the read waits while the writer stores it.
    const waiting = c.fs.readOrAllocPage(cookie, 2);
    w.child.stdin.write('more\n');
    assert.equal(await w.next(), 'stored 2');
    const r2 = await waiting;
    assert.ok(r2.status === 'ok' && Buffer.from(r2.data).equals(Buffer.from(content(key, 2))));
    c.fs.uncachePage(cookie, 2);
    // While the writer lives, this process's writes are declined.
    assert.equal((await c.fs.allocPage(cookie, 3)).status, 'ok');
    assert.equal((await c.fs.writePage(cookie, 3, content(key, 3))).status, 'ENOBUFS');
    c.fs.uncachePage(cookie, 3);
    // The writer is killed: the next read finds it gone, takes the object over and may write.
    await kill(w.child);
    const r3 = await c.fs.readOrAllocPage(cookie, 3);
    assert.equal(r3.status, 'ENODATA');
    assert.equal(c.disk.stats.takenOver, 1);
    assert.equal((await c.fs.writePage(cookie, 3, content(key, 3))).status, 'ok');
    c.fs.uncachePage(cookie, 3);
    await c.fs.relinquishCookie(cookie);
    await c.fs.unregisterNetfs(c.netfs);
    await c.fs.withdrawCache(c.cache);
    await c.disk.close();
    // A third process finds blocks 0-3 (the dead writer's three and the new one) and is the writer.
    const d = await openSecond(dir);
    const again = await d.fs.acquireCookie(d.netfs.primaryIndex, crashDef, { key, size: sizeOf(key) });
    const got = await d.fs.readOrAllocPages(again, [0, 1, 2, 3, 4]);
    assert.deepEqual(
      got.pages.map((p) => p.status),
      ['ok', 'ok', 'ok', 'ok', 'ENODATA'],
    );
    assert.equal(d.disk.stats.shared, 0);
    for (const p of [0, 1, 2, 3, 4]) d.fs.uncachePage(again, p);
    await d.fs.relinquishCookie(again);
    await d.fs.unregisterNetfs(d.netfs);
    await d.fs.withdrawCache(d.cache);
    await d.disk.close();
    await cleanup();
  });
}

test("each process keeps its own files being written; a dead process's are removed", async () => {
  const { dir, cleanup } = await tempDir();
  const w = await startWriter(dir, 4, 1, false);
  const live = join(dir, 'tmp', w.id);
  await writeFile(join(live, 'busy.tmp'), 'in progress');
  const dead = join(dir, 'tmp', '0badc0de-0123456789abcdef');
  await mkdir(dead, { recursive: true });
  await writeFile(join(dead, '0.tmp'), 'left by a crash');
  const other = await CacheFiles.open({ dir });
  const names = await readdir(join(dir, 'tmp'));
  assert.ok(names.includes(w.id), "the live writer's files are left alone");
  assert.ok(!names.includes('0badc0de-0123456789abcdef'), "the dead one's are gone");
  assert.deepEqual(await readdir(live), ['busy.tmp']);
  await other.close();
  await kill(w.child);
  await cleanup();
});
