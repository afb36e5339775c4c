/**
 * The netfs and the `fscache` command against Debian's nginx (a server written by others): a file
 * replaced on disk between two Range requests, nginx's caching headers, several processes on one
 * cache, a get killed midway, and nginx told to ignore Range. nginx's access log counts the bytes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { CacheFiles, listObjects } from '@armvm/cachefiles';
import { Fscache } from '@armvm/fscache';
import { HttpNetfs } from './http-netfs.ts';
import { findNginx, NginxServer } from './test-support/nginx.ts';

const nginx = findNginx();
const skip = nginx === undefined ? 'nginx is not installed (Debian package nginx); skipped' : false;
const bin = fileURLToPath(new URL('../bin/fscache.js', import.meta.url));
const MiB = 1 << 20;

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE((Math.imul(i + seed, 2654435761) ^ seed) >>> 0, i);
  return b;
}

const LOCATIONS = `
    location /nocache/ { add_header Cache-Control no-cache; }
    location /hour/ { expires 1h; }
    location /slow/ { limit_rate 2m; }
    location /norange/ { max_ranges 0; }
`;

function get(args: string[]) {
  const child = spawn(process.execPath, [bin, 'get', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ status: number | null; stdout: Buffer; stderr: string }>((resolve) =>
    child.once('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr: err })),
  );
  return { child, done };
}

async function netfsOn(dir: string) {
  const fscache = new Fscache({ debug: 0 });
  const disk = await CacheFiles.open({ dir, durable: false });
  const cache = await fscache.addCache(disk, 'disk');
  const nfs = new HttpNetfs({ fscache, maxRequestBytes: 256 * 1024 });
  return {
    nfs,
    close: async () => {
      await nfs.close();
      await fscache.withdrawCache(cache);
      await disk.close();
    },
  };
}

test(
  'nginx: a file replaced on disk between two Range requests fails the read once; the next read is the new file',
  { skip },
  async () => {
    const v1 = pattern(2 * MiB, 1);
    const v2 = pattern(2 * MiB, 2);
    const server = await NginxServer.start(nginx!, { 'f.bin': v1 }, LOCATIONS);
    const dir = await mkdtemp(join(tmpdir(), 'nginx-change-'));
    const c = await netfsOn(dir);
    try {
      const f = await c.nfs.open(server.url('f.bin'));
      assert.ok((await f.read(0, 512 * 1024)).equals(v1.subarray(0, 512 * 1024)));
      // Replaced on disk: same size, a later mtime, so a new ETag.
      await writeFile(server.path('f.bin'), v2);
      const later = new Date(Date.now() + 10_000);
      await utimes(server.path('f.bin'), later, later);
      await assert.rejects(f.read(512 * 1024, 1024 * 1024), { code: 'ERR_NETFS_CHANGED' });
      await f.close();
      const g = await c.nfs.open(server.url('f.bin'));
      assert.ok((await g.read(0, v2.length)).equals(v2));
      await g.close();
      const log = await server.requests();
      assert.ok(
        log.some((e) => e.method === 'GET' && e.status === 200),
        'nginx answered the stale If-Range with 200',
      );
    } finally {
      await c.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  'nginx: its caching headers are obeyed — no-cache revalidates every time, expires 1h is trusted',
  { skip },
  async () => {
    const data = pattern(300 * 1024, 3);
    const server = await NginxServer.start(nginx!, { 'nocache/a.bin': data, 'hour/b.bin': data }, LOCATIONS);
    const dir = await mkdtemp(join(tmpdir(), 'nginx-headers-'));
    try {
      for (const name of ['nocache/a.bin', 'hour/b.bin']) {
        for (let i = 0; i < 3; i++) {
          const r = await get([server.url(name), '--cache', dir]).done;
          assert.equal(r.status, 0, r.stderr);
          assert.ok(r.stdout.equals(data));
        }
      }
      const log = await server.requests();
      const of = (p: string) => log.filter((e) => e.path === `/${p}`);
      assert.deepEqual(
        of('nocache/a.bin').map((e) => `${e.method} ${e.status}`),
        ['HEAD 200', 'GET 206', 'HEAD 304', 'HEAD 304'],
        'no-cache: asked every time, 304, no body again',
      );
      assert.deepEqual(
        of('hour/b.bin').map((e) => `${e.method} ${e.status}`),
        ['HEAD 200', 'GET 206'],
        'expires 1h: not asked again',
      );
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  'nginx: four processes fetching one file into one cache download it once; a get killed midway is resumed',
  { skip },
  async () => {
    const data = pattern(6 * MiB, 4);
    const server = await NginxServer.start(
      nginx!,
      { 'slow/big.bin': data, 'slow/other.bin': data },
      LOCATIONS,
    );
    const dir = await mkdtemp(join(tmpdir(), 'nginx-procs-'));
    try {
      const runs = [0, 1, 2, 3].map(() => get([server.url('slow/big.bin'), '--cache', dir]));
      for (const r of runs) {
        const done = await r.done;
        assert.equal(done.status, 0, done.stderr);
        assert.ok(done.stdout.equals(data));
      }
      const log = await server.requests();
      const gets = log.filter((e) => e.path === '/slow/big.bin' && e.method === 'GET');
      const sum = (list: { bytes: number }[]) => list.reduce((n, e) => n + e.bytes, 0);
      assert.equal(sum(gets), data.length, 'the file crossed the network once, for four processes');

      // Killed once it has stored something (limit_rate keeps it going for about 3 s).
      const out = join(dir, 'out.bin');
      const killed = get([server.url('slow/other.bin'), '--cache', dir, '-o', out]);
      for (;;) {
        const o = (await listObjects(dir)).find((x) => x.keys.at(-1) === '/slow/other.bin');
        if (o && o.cachedBytes > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      killed.child.kill('SIGKILL');
      await killed.done;
      // nginx logs a request when it ends, its connection gone: wait for the killed get's.
      const ofOther = async () =>
        (await server.requests()).filter((e) => e.path === '/slow/other.bin' && e.method === 'GET');
      while ((await ofOther()).length === 0) await new Promise((r) => setTimeout(r, 20));
      const before = (await ofOther()).length;
      const kept = (await listObjects(dir)).find((x) => x.keys.at(-1) === '/slow/other.bin')!.cachedBytes;
      const again = await get([server.url('slow/other.bin'), '--cache', dir, '-o', out]).done;
      assert.equal(again.status, 0, again.stderr);
      assert.ok((await readFile(out)).equals(data));
      const second = (await ofOther()).slice(before);
      assert.ok(second.every((e) => e.status === 206));
      assert.equal(
        sum(second),
        data.length - kept,
        'the second get fetched only what the first had not stored',
      );
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  'nginx with max_ranges 0 (Range ignored): one GET, every byte once, all of it cached',
  { skip },
  async () => {
    const data = pattern(20 * MiB, 5);
    const server = await NginxServer.start(nginx!, { 'norange/big.bin': data }, LOCATIONS);
    const dir = await mkdtemp(join(tmpdir(), 'nginx-norange-'));
    try {
      const r = await get([server.url('norange/big.bin'), '--cache', dir]).done;
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.equals(data));
      const gets = (await server.requests()).filter((e) => e.method === 'GET');
      assert.deepEqual(
        gets.map((e) => `${e.status} ${e.bytes}`),
        [`200 ${data.length}`],
      );
      const o = (await listObjects(dir)).find((x) => x.keys.at(-1) === '/norange/big.bin')!;
      assert.equal(o.cachedBytes, data.length);
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
