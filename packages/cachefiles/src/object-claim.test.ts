/** Claims: one holder at a time; a dead holder's claim is broken, and by one process only. */
import assert from 'node:assert/strict';
import { readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { releaseClaim, takeClaim } from './object-claim.ts';
import { kernelTag, Presence } from './presence.ts';
import { tempDir } from './test-support/disk-harness.ts';

test('a live holder keeps its claim; releasing it lets the next one in', async () => {
  const { dir, cleanup } = await tempDir();
  const a = await Presence.join(dir);
  const b = await Presence.join(dir);
  const claim = join(dir, 'LDpx');
  assert.deepEqual(await takeClaim(claim, a), { taken: true });
  assert.deepEqual(await takeClaim(claim, b), { taken: false, owner: a.id });
  await releaseClaim(claim, b); // not b's: nothing happens
  assert.equal(await readlink(claim), a.id);
  await releaseClaim(claim, a);
  assert.deepEqual(await takeClaim(claim, b), { taken: true });
  await a.leave();
  await b.leave();
  await cleanup();
});

test("a dead holder's claim is broken; when several break it at once, exactly one ends up holding it", async () => {
  const { dir, cleanup } = await tempDir();
  const users = await Promise.all([0, 1, 2, 3].map(() => Presence.join(join(dir))));
  for (let round = 0; round < 40; round++) {
    const claim = join(dir, `LDp${round}`);
    await symlink(`${kernelTag()}-00000000000000${String(round).padStart(2, '0')}`, claim);
    const got = await Promise.all(users.map((u) => takeClaim(claim, u)));
    const winners = got.filter((g) => g.taken).length;
    assert.equal(winners, 1, `round ${round}: ${JSON.stringify(got)}`);
    const owner = await readlink(claim);
    assert.ok(users.some((u) => u.id === owner));
  }
  assert.deepEqual(
    (await readdir(dir)).filter((n) => n.startsWith('K')),
    [],
    'no guard is left behind',
  );
  for (const u of users) await u.leave();
  await cleanup();
});

test("a regular file planted where a claim belongs is no one's claim", async () => {
  const { dir, cleanup } = await tempDir();
  const me = await Presence.join(dir);
  const claim = join(dir, 'LDpx');
  await writeFile(claim, 'planted');
  assert.deepEqual(await takeClaim(claim, me), { taken: true });
  assert.equal(await readlink(claim), me.id);
  await me.leave();
  await cleanup();
});
