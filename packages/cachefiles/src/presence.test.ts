/**
 * Presence: a process's socket says it is alive for exactly as long as it runs; a user on another
 * kernel (a different tag) is judged by the mtime of its socket file.
 */
import assert from 'node:assert/strict';
import { writeFile, utimes, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '@armvm/fscache';
import { FOREIGN_LEASE_MS, kernelTag, Presence } from './presence.ts';
import { tempDir } from './test-support/disk-harness.ts';

test('a user is alive while it listens, gone once it leaves; its own id is alive to itself', async () => {
  const { dir, cleanup } = await tempDir();
  const a = await Presence.join(dir);
  const b = await Presence.join(dir);
  assert.match(a.id, new RegExp(`^${kernelTag()}-[0-9a-f]{16}$`));
  assert.equal(await b.isAlive(a.id), true);
  assert.equal(await a.isAlive(a.id), true);
  await a.leave();
  assert.equal(await b.isAlive(a.id), false);
  assert.equal(await b.isAlive('not an id'), false);
  await b.leave();
  assert.deepEqual(await readdir(dir), [], 'sockets removed on leaving');
  await cleanup();
});

test('a socket left by a process that died answers ECONNREFUSED: swept as dead', async () => {
  const { dir, cleanup } = await tempDir();
  const me = await Presence.join(dir);
  // A plain file where a socket should be behaves as a dead user's leftover (nothing listens).
  const ghost = `${kernelTag()}-0123456789abcdef`;
  await writeFile(join(dir, `${ghost}.sock`), '');
  assert.equal(await me.isAlive(ghost), false);
  assert.deepEqual(await me.sweep(), [ghost]);
  assert.deepEqual(await readdir(dir), [`${me.id}.sock`]);
  await me.leave();
  await cleanup();
});

test('a user on another kernel counts as alive while its socket file is fresh', async () => {
  const { dir, cleanup } = await tempDir();
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const me = await Presence.join(dir, undefined, clock);
  const other = `${kernelTag() === '00000000' ? '11111111' : '00000000'}-0123456789abcdef`;
  const sock = join(dir, `${other}.sock`);
  await writeFile(sock, '');
  const refreshed = new Date(clock.now());
  await utimes(sock, refreshed, refreshed);
  assert.equal(await me.isAlive(other), true, 'refreshed just now');
  clock.advance(FOREIGN_LEASE_MS - 1);
  assert.equal(await me.isAlive(other), true, 'still within the lease');
  clock.advance(1);
  assert.equal(await me.isAlive(other), false, 'not refreshed for as long as the lease');
  await me.leave();
  await cleanup();
});
