/**
 * Crash safety: a writer process is killed with SIGKILL at random moments, again and again;
 * after each kill every block of every object reads back as its exact bytes or as a miss,
 * never as wrong bytes. (CRASH_RUNS sets the number of kills; CI uses 200.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Fscache } from '@armvm/fscache';
import { CacheFiles } from './cachefiles.ts';
// @ts-expect-error: a plain JavaScript helper shared with the writer process
import { content, crashDef, OBJECTS, sizeOf } from './test-support/crash-content.mjs';
import { tempDir } from './test-support/disk-harness.ts';

const RUNS = Number(process.env.CRASH_RUNS ?? (process.env.CI ? 200 : 40));
const writer = fileURLToPath(new URL('./test-support/crash-writer.mjs', import.meta.url));

/** Starts the writer, lets it run for `ms` after it is ready, then kills it. */
async function runAndKill(dir: string, seed: number, ms: number): Promise<void> {
  const child = spawn(process.execPath, [writer, dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${err}`)));
  });
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGKILL');
  await exited;
}

/** Reads every block of every object; returns how many were hits, failing on any wrong byte. */
async function verify(dir: string): Promise<{ hits: number; misses: number }> {
  const fs = new Fscache({ debug: 0 });
  const disk = await CacheFiles.open({ dir, blockSize: 4096 });
  await fs.addCache(disk, 'disk');
  const netfs = fs.registerNetfs({ name: 'crash', version: 1 });
  let hits = 0;
  let misses = 0;
  for (let k = 0; k < OBJECTS; k++) {
    const cookie = await fs.acquireCookie(netfs.primaryIndex, crashDef, { key: k, size: sizeOf(k) });
    const blocks = Math.ceil(sizeOf(k) / 4096);
    const read = await fs.readOrAllocPages(
      cookie,
      Array.from({ length: blocks }, (_, b) => b),
    );
    read.pages.forEach((r, b) => {
      if (r.status === 'ok') {
        assert.ok(
          Buffer.from(r.data).equals(Buffer.from(content(k, b))),
          `object ${k} block ${b}: wrong bytes served`,
        );
        hits++;
      } else misses++;
    });
    await fs.relinquishCookie(cookie);
  }
  await fs.unregisterNetfs(netfs);
  await fs.close();
  await disk.close();
  return { hits, misses };
}

test(
  `${RUNS} kills of a writer at random moments never leave wrong bytes to be served`,
  { timeout: 600_000 },
  async () => {
    const { dir, cleanup } = await tempDir();
    let seed = 12345;
    let hits = 0;
    for (let run = 0; run < RUNS; run++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      await runAndKill(dir, seed, seed % 60);
      hits += (await verify(dir)).hits;
    }
    // The test proves nothing if nothing ever survives: most runs leave data that must be served.
    assert.ok(hits > 0, 'some blocks survived the kills and were served');
    await cleanup();
  },
);
