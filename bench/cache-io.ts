/**
 * Disk cache and HTTP netfs benchmarks, each beside its peer in the same run:
 *  (a) warm sequential read of a 256 MiB cached object, against fs.readFile of the same bytes;
 *  (b) the second `fscache get` of a 256 MiB file over loopback HTTP, against the first;
 *  (c) 10,000 objects of 4 KiB stored and read back, against cacache put/get on the same keys;
 *  (d) `fscache get` from a server that ignores Range (answers every request with the whole file),
 *      against curl on the same file: bytes transferred, peak memory and time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CacheFiles } from '@armvm/cachefiles';
import { type CookieDef, Fscache } from '@armvm/fscache';
import cacache from 'cacache';
import { TestHttpServer } from '../packages/netfs-http/src/test-support/http-server.ts';
import { median } from './machine.ts';

const MiB = 1 << 20;
const fileDef: CookieDef<{ key: string; size: number }> = {
  name: 'bench',
  type: 'data',
  getKey: (d) => d.key,
  getAux: () => 'v1',
  getAttr: (d) => d.size,
};

function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}

async function openDisk(dir: string, blockSize: number, durable: boolean) {
  const fs = new Fscache({ debug: 0 });
  const disk = await CacheFiles.open({ dir, blockSize, durable });
  const cache = await fs.addCache(disk, 'disk');
  const netfs = fs.registerNetfs({ name: 'bench', version: 1 });
  const close = async () => {
    await fs.unregisterNetfs(netfs);
    await fs.withdrawCache(cache);
    await disk.close();
  };
  return { fs, disk, netfs, close };
}

/** (a) Returns [cache MiB/s, readFile MiB/s] medians. */
async function warmRead(size: number, runs: number): Promise<{ cache: number; cold: number; peer: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-warm-'));
  const bs = 256 * 1024;
  const data = pattern(size);
  const plain = join(dir, 'plain.bin');
  await writeFile(plain, data);
  const c = await openDisk(join(dir, 'cache'), bs, false);
  const obj = { key: 'big', size };
  const pages = Array.from({ length: Math.ceil(size / bs) }, (_, i) => i);
  let cookie = await c.fs.acquireCookie(c.netfs.primaryIndex, fileDef, obj);
  await c.fs.readOrAllocPages(cookie, pages);
  for (const p of pages) await c.fs.writePage(cookie, p, data.subarray(p * bs, Math.min(size, (p + 1) * bs)));
  for (const p of pages) c.fs.uncachePage(cookie, p);
  await c.fs.relinquishCookie(cookie);
  await c.fs.pool.drain();
  const batch = 32;
  const readThrough = async () => {
    let n = 0;
    for (let i = 0; i < pages.length; i += batch) {
      const r = await c.fs.readOrAllocPages(cookie, pages.slice(i, i + batch));
      for (const p of r.pages) {
        if (p.status !== 'ok') throw new Error(`warm read missed: ${p.status}`);
        n += p.data.length;
      }
      for (const p of pages.slice(i, i + batch)) c.fs.uncachePage(cookie, p);
    }
    if (n !== size) throw new Error(`read ${n} of ${size}`);
  };
  const rate = (ms: number) => size / MiB / (ms / 1000);
  const cold: number[] = [];
  const cache: number[] = [];
  const peer: number[] = [];
  for (let r = 0; r < runs; r++) {
    // A fresh open verifies every block's checksum on its first read ("cold" for the cache's
    // bookkeeping, though the bytes are in the page cache); later reads are warm.
    cookie = await c.fs.acquireCookie(c.netfs.primaryIndex, fileDef, obj);
    let t = performance.now();
    await readThrough();
    cold.push(rate(performance.now() - t));
    t = performance.now();
    await readThrough();
    cache.push(rate(performance.now() - t));
    await c.fs.relinquishCookie(cookie);
    t = performance.now();
    const all = await readFile(plain);
    peer.push(rate(performance.now() - t));
    if (all.length !== size) throw new Error('readFile');
  }
  await c.close();
  await rm(dir, { recursive: true, force: true });
  return { cache: median(cache), cold: median(cold), peer: median(peer) };
}

/** (b) Times two `fscache get` runs of one file; returns seconds and body bytes sent each time. */
export async function getTwice(
  size: number,
): Promise<{ first: number; second: number; firstBytes: number; secondBytes: number }> {
  const server = await TestHttpServer.start({ '/image.bin': pattern(size) });
  const dir = await mkdtemp(join(tmpdir(), 'bench-get-'));
  const bin = fileURLToPath(new URL('../packages/netfs-http/bin/fscache.js', import.meta.url));
  const get = async () => {
    const t = performance.now();
    const before = server.bodyBytesSent;
    await new Promise<void>((resolve, reject) => {
      const p = spawn(process.execPath, [bin, 'get', server.url('/image.bin'), '--cache', dir], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fscache get exited ${code}`))));
    });
    return { s: (performance.now() - t) / 1000, bytes: server.bodyBytesSent - before };
  };
  const a = await get();
  const b = await get();
  await server.close();
  await rm(dir, { recursive: true, force: true });
  return { first: a.s, second: b.s, firstBytes: a.bytes, secondBytes: b.bytes };
}

/** (c) Objects per second stored and read back: ours, and cacache's on the same keys and bytes. */
export async function smallObjects(n: number): Promise<{ ours: number; peer: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-small-'));
  const blobs = Array.from({ length: n }, (_, i) => pattern(4096).fill(i & 0xff, 0, 8));
  const keys = blobs.map((_, i) => `object/${i}`);
  const inFlight = 32;
  const pool = async (work: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < n) await work(next++);
      }),
    );
  };
  // Ours: the disk cache without fsync, as cacache writes without it.
  const c = await openDisk(join(dir, 'ours'), 4096, false);
  let t = performance.now();
  await pool(async (i) => {
    const f = await c.fs.acquireCookie(c.netfs.primaryIndex, fileDef, { key: keys[i]!, size: 4096 });
    if ((await c.fs.readOrAllocPage(f, 0)).status !== 'ENODATA') throw new Error('expected a miss');
    await c.fs.writePage(f, 0, blobs[i]!);
    c.fs.uncachePage(f, 0);
    await c.fs.relinquishCookie(f);
  });
  await pool(async (i) => {
    const f = await c.fs.acquireCookie(c.netfs.primaryIndex, fileDef, { key: keys[i]!, size: 4096 });
    const r = await c.fs.readOrAllocPage(f, 0);
    if (r.status !== 'ok' || r.data[0] !== (i & 0xff)) throw new Error(`read back failed: ${r.status}`);
    c.fs.uncachePage(f, 0);
    await c.fs.relinquishCookie(f);
  });
  await c.fs.pool.drain();
  const ours = n / ((performance.now() - t) / 1000);
  await c.close();
  const cdir = join(dir, 'cacache');
  t = performance.now();
  await pool(async (i) => void (await cacache.put(cdir, keys[i]!, blobs[i]!)));
  await pool(async (i) => {
    const got = await cacache.get(cdir, keys[i]!);
    if (got.data[0] !== (i & 0xff)) throw new Error('cacache read back failed');
  });
  const peer = n / ((performance.now() - t) / 1000);
  await rm(dir, { recursive: true, force: true });
  return { ours, peer };
}

/** One command's run: seconds, body bytes the server sent, peak resident memory (KiB; NaN if unknown). */
interface CommandRun {
  seconds: number;
  bytes: number;
  peakKiB: number;
}

// Runs a command under /usr/bin/time (GNU time) for its peak memory, counting what the server sent.
async function measure(server: TestHttpServer, argv: string[]): Promise<CommandRun> {
  const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const before = server.bodyBytesSent;
  const t = performance.now();
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    const cmd = time ? [time, '-f', 'peak %M', ...argv] : argv;
    const p = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr.on('data', (d) => (stderr += d));
    p.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}: ${stderr}`);
  const peak = /peak (\d+)/.exec(stderr);
  return {
    seconds: (performance.now() - t) / 1000,
    bytes: server.bodyBytesSent - before,
    peakKiB: peak ? Number(peak[1]) : NaN,
  };
}

/** (d) A server that ignores Range: `fscache get` (empty cache) and curl on the same file. */
export async function rangeIgnored(size: number): Promise<{ ours: CommandRun; curl: CommandRun | null }> {
  const server = await TestHttpServer.start();
  server.setFile('/image.bin', pattern(size), { ignoreRange: true });
  const dir = await mkdtemp(join(tmpdir(), 'bench-norange-'));
  const bin = fileURLToPath(new URL('../packages/netfs-http/bin/fscache.js', import.meta.url));
  try {
    const ours = await measure(server, [
      process.execPath,
      bin,
      'get',
      server.url('/image.bin'),
      '--cache',
      dir,
    ]);
    const hasCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;
    const curl = hasCurl
      ? await measure(server, ['curl', '-sS', '-o', '/dev/null', server.url('/image.bin')])
      : null;
    return { ours, curl };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Prints the cache figures. */
export async function benchCacheIo(opts: { quick: boolean }): Promise<void> {
  const runs = opts.quick ? 3 : 5;
  const size = opts.quick ? 64 * MiB : 256 * MiB;
  const w = await warmRead(size, runs);
  console.log(
    `(a) warm sequential read, ${size / MiB} MiB object   ${w.cache.toFixed(0).padStart(7)} MiB/s   goal >= 0.8x  ${w.cache / w.peer >= 0.8 ? 'met' : 'NOT MET'}`,
  );
  console.log(
    `    fs.readFile of the same bytes           ${w.peer.toFixed(0).padStart(7)} MiB/s   ratio ${(w.cache / w.peer).toFixed(2)}x (median of ${runs})`,
  );
  console.log(
    `    first read after open (checksums)       ${w.cold.toFixed(0).padStart(7)} MiB/s   ratio ${(w.cold / w.peer).toFixed(2)}x`,
  );
  const trials = opts.quick ? 1 : 3;
  const g: Awaited<ReturnType<typeof getTwice>>[] = [];
  for (let i = 0; i < trials; i++) g.push(await getTwice(size));
  const first = median(g.map((x) => x.first));
  const second = median(g.map((x) => x.second));
  const ratio = first / second;
  const noBody = g.every((x) => x.secondBytes === 0);
  console.log(
    `(b) fscache get ${size / MiB} MiB over loopback: first ${first.toFixed(2)} s, second ${second.toFixed(2)} s   ${ratio.toFixed(1)}x   goal >= 5x  ${ratio >= 5 && noBody ? 'met' : 'NOT MET'}`,
  );
  console.log(
    `    body bytes sent: first ${g[0]!.firstBytes}, second ${g.map((x) => x.secondBytes).join('/')} (median of ${trials})`,
  );
  const n = opts.quick ? 2000 : 10_000;
  await smallObjects(1000); // warm-up for both sides, discarded
  const sm: { ours: number; peer: number }[] = [];
  for (let i = 0; i < (opts.quick ? 1 : 5); i++) sm.push(await smallObjects(n));
  const ours = median(sm.map((x) => x.ours));
  const peer = median(sm.map((x) => x.peer));
  // Each run measures both sides back to back; the ratio is the median of those paired ratios.
  const paired = median(sm.map((x) => x.ours / x.peer));
  console.log(
    `(c) ${n} objects of 4 KiB, put then get     ${ours.toFixed(0).padStart(7)} objects/s   goal >= 3x  ${paired >= 3 ? 'met' : 'NOT MET'}`,
  );
  console.log(
    `    cacache put/get, same keys and bytes    ${peer.toFixed(0).padStart(7)} objects/s   ratio ${paired.toFixed(2)}x (median of ${sm.length} paired runs: ${sm.map((x) => (x.ours / x.peer).toFixed(2)).join(', ')})`,
  );
  const ignoredSize = opts.quick ? 64 * MiB : 200 * MiB;
  const ri = await rangeIgnored(ignoredSize);
  const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  const mem = (k: number) => (Number.isNaN(k) ? 'n/a' : `${(k / 1024).toFixed(0)} MiB`);
  console.log(
    `(d) server ignoring Range, ${ignoredSize / MiB} MiB: fscache get ${mib(ri.ours.bytes)} transferred, peak ${mem(ri.ours.peakKiB)}, ${ri.ours.seconds.toFixed(2)} s   goal: bytes = size  ${ri.ours.bytes === ignoredSize ? 'met' : 'NOT MET'}`,
  );
  if (ri.curl)
    console.log(
      `    curl -o /dev/null, same file                 ${mib(ri.curl.bytes)} transferred, peak ${mem(ri.curl.peakKiB)}, ${ri.curl.seconds.toFixed(2)} s`,
    );
}
