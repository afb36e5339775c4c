/** The cache directory's listings: a hint kept true by every name added or removed here. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CacheDir } from './cache-dir.ts';
import { type CacheIo, nodeIo } from './cache-io.ts';
import { tempDir } from './test-support/disk-harness.ts';

test('a name added while the directory is being read is in the listing that read makes', async () => {
  const { dir, cleanup } = await tempDir();
  let release: (() => void) | null = null;
  let slow = false;
  // A readdir that takes its snapshot at once and returns it late, as a busy disk does.
  const io: CacheIo = {
    ...nodeIo,
    readdir: async (p) => {
      const names = await nodeIo.readdir(p);
      if (slow) await new Promise<void>((r) => (release = r));
      return names;
    },
  };
  const cd = await CacheDir.open(dir, io, false);
  const d = join(cd.objects, '@00');
  await cd.makeDir(d);
  cd.forgetListing(d);
  slow = true;
  const first = cd.has(join(d, 'Dpa')); // reads the directory: empty so far
  const second = cd.has(join(d, 'Dpb')); // a second reader shares that read
  cd.noteAdded(join(d, 'Dpb')); // created while the read is under way
  while (!release) await new Promise((r) => setImmediate(r));
  (release as () => void)();
  assert.equal(await first, false);
  assert.equal(await second, true, 'the name created during the read is not lost');
  assert.equal(await cd.has(join(d, 'Dpb')), true);
  await cd.close();
  await cleanup();
});
