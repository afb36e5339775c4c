import { Fscache, MemoryCache } from '../packages/fscache/dist/index.js';

const indexDef = { name: 'dir', type: 'index', getKey: (d) => d };
const fileDef = { name: 'file', type: 'data', getKey: (d) => d, getAux: () => 'v1' };
const PAGE = new Uint8Array(4096).fill(0x5a);
const fs = new Fscache({ debug: 0 });
await fs.addCache(new MemoryCache(), 'mem');
const netfs = fs.registerNetfs({ name: 'bench', version: 1 });
let next = 0;
const n = 100000;
const one = async (i) => {
  const dir = await fs.acquireCookie(netfs.primaryIndex, indexDef, `d${i}`);
  const file = await fs.acquireCookie(dir, fileDef, `f${i}`);
  await fs.readOrAllocPage(file, 0);
  await fs.writePage(file, 0, PAGE);
  fs.uncachePage(file, 0);
  await fs.readOrAllocPage(file, 0);
  fs.uncachePage(file, 0);
  await fs.relinquishCookie(file, { retire: true });
  await fs.relinquishCookie(dir, { retire: true });
};
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next < n) await one(next++);
  }),
);
await fs.pool.drain();
console.log((n / (performance.now() - t0)) * 1000);
