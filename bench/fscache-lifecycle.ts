/**
 * FS-Cache core benchmarks: full cookie lifecycles per second on the memory backend beside a bare
 * Map doing the same puts and gets, and memory per live cookie+object at a million objects.
 */
import { type CookieDef, Fscache, MemoryCache } from '@armvm/fscache';
import { median } from './machine.ts';

const indexDef: CookieDef<string> = { name: 'dir', type: 'index', getKey: (d) => d };
const fileDef: CookieDef<string> = { name: 'file', type: 'data', getKey: (d) => d, getAux: () => 'v1' };
const PAGE = new Uint8Array(4096).fill(0x5a);

/**
 * Runs `n` lifecycles, `inFlight` at a time: acquire index+data, look up, write, read, relinquish.
 * Each ends by retiring its cookies, so memory stays bounded and the figure is the core's, not the
 * operating system's cost of handing out fresh pages.
 */
async function lifecycles(n: number, inFlight: number): Promise<number> {
  const fs = new Fscache({ debug: 0 });
  await fs.addCache(new MemoryCache(), 'mem');
  const netfs = fs.registerNetfs({ name: 'bench', version: 1 });
  const one = async (i: number) => {
    const dir = await fs.acquireCookie(netfs.primaryIndex, indexDef, `d${i}`);
    const file = await fs.acquireCookie(dir, fileDef, `f${i}`);
    const miss = await fs.readOrAllocPage(file, 0);
    if (miss.status !== 'ENODATA') throw new Error(`expected a miss, got ${miss.status}`);
    await fs.writePage(file, 0, PAGE);
    fs.uncachePage(file, 0);
    const hit = await fs.readOrAllocPage(file, 0);
    if (hit.status !== 'ok' || hit.data.length !== 4096) throw new Error(`expected a hit, got ${hit.status}`);
    fs.uncachePage(file, 0);
    await fs.relinquishCookie(file, { retire: true });
    await fs.relinquishCookie(dir, { retire: true });
  };
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await one(next++);
    }),
  );
  await fs.pool.drain();
  const ms = performance.now() - t0;
  if (fs.liveObjects !== 2 || fs.liveCookies !== 2) throw new Error('lifecycle benchmark leaked objects');
  return (n / ms) * 1000;
}

/** The same puts and gets on a bare Map: the floor the core's overhead is measured against. */
function mapPeer(n: number): number {
  const t0 = performance.now();
  const dirs = new Map<string, Map<string, Uint8Array>>();
  for (let i = 0; i < n; i++) {
    const files = new Map<string, Uint8Array>();
    dirs.set(`d${i}`, files);
    files.set(`f${i}`, PAGE.slice());
    const got = files.get(`f${i}`)!.slice();
    if (got.length !== 4096) throw new Error('map peer');
    files.delete(`f${i}`);
    dirs.delete(`d${i}`);
  }
  return (n / (performance.now() - t0)) * 1000;
}

/** Bytes of heap per live cookie+object, with `n` data cookies active in the memory cache. */
async function memoryPerObject(n: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const fs = new Fscache({ debug: 0 });
  await fs.addCache(new MemoryCache(), 'mem');
  const netfs = fs.registerNetfs({ name: 'mem', version: 1 });
  const dirs = [];
  for (let i = 0; i < 16; i++) dirs.push(await fs.acquireCookie(netfs.primaryIndex, indexDef, `d${i}`));
  await fs.pool.drain();
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = new Array(n);
  for (let i = 0; i < n; i++) {
    keep[i] = await fs.acquireCookie(dirs[i & 15]!, fileDef, `file-${i}`);
    if ((i & 0xffff) === 0) await fs.pool.drain();
  }
  await fs.pool.drain();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (fs.liveObjects < n) throw new Error(`only ${fs.liveObjects} objects alive`);
  const active = keep.filter((c) => c.backingObjects[0]?.state === 4).length;
  if (active !== n) throw new Error(`only ${active} of ${n} objects active`);
  return (after - before) / n;
}

/** Prints the FS-Cache core's figures. */
export async function benchFscacheCore(opts: { quick: boolean }): Promise<void> {
  const n = opts.quick ? 20_000 : 100_000;
  const runs = opts.quick ? 3 : 5;
  const core: number[] = [];
  const peer: number[] = [];
  await lifecycles(5_000, 64); // warm-up
  for (let i = 0; i < runs; i++) {
    core.push(await lifecycles(n, 64));
    peer.push(mapPeer(n));
  }
  const c = median(core);
  const p = median(peer);
  console.log(
    `fscache lifecycles/s (memory backend)   ${c.toFixed(0).padStart(10)}   goal >= 100000  ${c >= 100_000 ? 'met' : 'NOT MET'}`,
  );
  console.log(
    `  bare Map, same puts and gets           ${p.toFixed(0).padStart(10)}   core/Map = ${(c / p).toFixed(3)}x (median of ${runs})`,
  );
  const objects = opts.quick ? 200_000 : 1_000_000;
  const bytes = await memoryPerObject(objects);
  console.log(
    `fscache bytes per live cookie+object     ${bytes.toFixed(0).padStart(10)}   at ${objects} objects, goal < 1024  ${bytes < 1024 ? 'met' : 'NOT MET'}`,
  );
}
