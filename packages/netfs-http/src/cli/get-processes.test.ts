/**
 * `fscache get` as separate processes on one cache directory: several fetching one file download
 * it once; a get killed with SIGKILL, or stopped with Ctrl-C, leaves what it fetched for the next
 * one to resume from; the disk limits hold while a get writes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { listObjects } from '@armvm/cachefiles';
import { TestHttpServer } from '../test-support/http-server.ts';

const bin = fileURLToPath(new URL('../../bin/fscache.js', import.meta.url));
const root = process.getuid?.() === 0;
const MiB = 1 << 20;

function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE((Math.imul(i + seed, 2654435761) ^ seed) >>> 0, i);
  return b;
}

/** Starts `fscache get`; resolves with its status and output once it ends. */
function start(args: string[]) {
  const child = spawn(process.execPath, [bin, 'get', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<{
    status: number | null;
    signal: NodeJS.Signals | null;
    stdout: Buffer;
    stderr: string;
  }>((resolve) =>
    child.once('close', (status, signal) =>
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: err }),
    ),
  );
  return { child, done };
}

/** Resolves once `check` holds, looking every 20 ms (for events in another process). */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

/** Bytes the cache directory holds for the object of `path`. */
async function cached(dir: string, path: string): Promise<number> {
  const o = (await listObjects(dir)).find((x) => x.keys.at(-1) === path);
  return o?.cachedBytes ?? 0;
}

test('six processes fetching one file into one cache directory download it once; two files proceed side by side', async () => {
  const a = pattern(3 * MiB, 1);
  const b = pattern(2 * MiB, 2);
  const server = await TestHttpServer.start();
  // A slow link, so that the processes really overlap.
  server.setFile('/a', a, { throttle: { bytes: 64 * 1024, everyMs: 10 } });
  server.setFile('/b', b, { throttle: { bytes: 64 * 1024, everyMs: 10 } });
  const dir = await mkdtemp(join(tmpdir(), 'fscache-procs-'));
  const runs = ['/a', '/a', '/a', '/a', '/b', '/b'].map((p) => ({
    p,
    run: start([server.url(p), '--cache', dir]),
  }));
  for (const { p, run } of runs) {
    const r = await run.done;
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'nothing to say: no "fetching without the cache"');
    assert.ok(r.stdout.equals(p === '/a' ? a : b), `${p}: the right bytes`);
  }
  const getsOf = (p: string) => server.log.filter((e) => e.path === p && e.method === 'GET').length;
  assert.equal(getsOf('/a'), 1, 'one GET for /a among four processes');
  assert.equal(getsOf('/b'), 1, 'one GET for /b among two processes');
  assert.equal(server.bodyBytesSent, a.length + b.length, 'every byte crossed the network once');
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

for (const signal of ['SIGKILL', 'SIGINT'] as const) {
  test(`a get stopped with ${signal} midway: the next one resumes from the blocks it stored`, async () => {
    const body = pattern(4 * MiB, 3);
    const server = await TestHttpServer.start();
    server.setFile('/big', body, { throttle: { bytes: 32 * 1024, everyMs: 10 } });
    const dir = await mkdtemp(join(tmpdir(), 'fscache-kill-'));
    const out = join(dir, 'out.bin');
    const first = start([server.url('/big'), '--cache', join(dir, 'cache'), '-o', out]);
    // Stop it once the cache shows stored blocks (its first flush), well before the end.
    await until(async () => (await cached(join(dir, 'cache'), '/big')) > 0);
    assert.ok(server.bodyBytesSent < body.length);
    first.child.kill(signal);
    const r1 = await first.done;
    if (signal === 'SIGINT') {
      assert.equal(r1.status, 130);
      assert.equal(r1.stderr, 'fscache: interrupted; what was fetched stays cached\n');
      assert.deepEqual(
        (await readdir(dir)).filter((n) => n.includes('.part')),
        [],
        'no partial output left',
      );
    } else {
      assert.equal(r1.signal, 'SIGKILL');
    }
    const kept = await cached(join(dir, 'cache'), '/big');
    assert.ok(kept > 0, 'blocks stored before the stop are still there');
    server.setKnobs('/big', {});
    const sentBefore = server.bodyBytesSent;
    const r2 = await start([server.url('/big'), '--cache', join(dir, 'cache'), '-o', out, '--stats']).done;
    assert.equal(r2.status, 0, r2.stderr);
    assert.ok((await readFile(out)).equals(body));
    const second = server.bodyBytesSent - sentBefore;
    assert.equal(second, body.length - kept, 'the second get fetched only what was not stored');
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
}

/** Mounts a tmpfs of `mib` MiB at a new directory for a test. */
async function smallDisk(mib: number): Promise<{ dir: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'fscache-limit-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir]);
  return {
    dir,
    done: async () => {
      execFileSync('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

test(
  'an object bigger than the cache could ever hold is not cached, and nothing else is culled for it',
  { skip: !root && 'needs root to mount a tmpfs' },
  async () => {
    const small = pattern(1 * MiB, 4);
    const huge = pattern(20 * MiB, 5);
    const server = await TestHttpServer.start({ '/small': small, '/huge': huge });
    const disk = await smallDisk(16);
    try {
      const cache = join(disk.dir, 'cache');
      assert.equal((await start([server.url('/small'), '--cache', cache]).done).status, 0);
      const r = await start([server.url('/huge'), '--cache', cache]).done;
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.equals(huge));
      assert.match(
        r.stderr,
        /^fscache: .*\/huge \(20\.0 MiB\) is bigger than the cache on .* can hold; not caching it\n$/,
      );
      assert.equal(await cached(cache, '/small'), small.length, 'the small file was not culled');
      assert.equal(await cached(cache, '/huge'), 0);
    } finally {
      await server.close();
      await disk.done();
    }
  },
);

test(
  'a get that would take the disk below its stop limit stops caching, says so once, and carries on',
  { skip: !root && 'needs root to mount a tmpfs' },
  async () => {
    const body = pattern(40 * MiB, 6);
    const server = await TestHttpServer.start({ '/f': body });
    const disk = await smallDisk(64);
    try {
      const cache = join(disk.dir, 'cache');
      await mkdir(cache);
      // Another program fills the disk while the get runs (at its third request), leaving 10 MiB.
      let gets = 0;
      server.onGet = () => {
        if (++gets !== 3) return;
        const s = execFileSync('df', ['-B1', '--output=avail', disk.dir]).toString().split('\n')[1]!;
        execFileSync('fallocate', ['-l', String(Number(s) - 10 * MiB), join(disk.dir, 'other-program.dat')]);
      };
      const r = await start([server.url('/f'), '--cache', cache]).done;
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.equals(body));
      assert.equal(
        r.stderr,
        `fscache: the cache on ${cache} is at its disk limit; carrying on without caching\n`,
      );
      const s = await statfs(disk.dir);
      assert.ok(
        s.bavail / s.blocks >= 0.01,
        `free space stayed above the 1% stop limit (${((s.bavail / s.blocks) * 100).toFixed(2)}%)`,
      );
      const held = await cached(cache, '/f');
      assert.ok(held > 0 && held < body.length, 'what was stored before the limit is kept');
    } finally {
      await server.close();
      await disk.done();
    }
  },
);
