// A process that writes into a disk cache until it is killed. Every block's bytes follow from
// its object and block number (see crash-content.mjs), so a reader can tell right from wrong.
import { CacheFiles } from '@armvm/cachefiles';
import { Fscache } from '@armvm/fscache';
import { content, crashDef, OBJECTS, sizeOf } from './crash-content.mjs';

const [dir, seedText] = process.argv.slice(2);
let seed = Number(seedText) >>> 0 || 1;
const rand = (n) => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed % n;
};

const fs = new Fscache({ debug: 0 });
const disk = await CacheFiles.open({ dir, blockSize: 4096, durable: true, flushDelayMs: rand(4) });
await fs.addCache(disk, 'disk');
const netfs = fs.registerNetfs({ name: 'crash', version: 1 });
process.stdout.write('ready\n');

for (;;) {
  const k = rand(OBJECTS);
  const cookie = await fs.acquireCookie(netfs.primaryIndex, crashDef, { key: k, size: sizeOf(k) });
  const blocks = Math.ceil(sizeOf(k) / 4096);
  for (let n = 1 + rand(4); n > 0; n--) {
    const b = rand(blocks);
    const r = await fs.readOrAllocPage(cookie, b);
    if (r.status === 'ENODATA') await fs.writePage(cookie, b, content(k, b));
    fs.uncachePage(cookie, b);
  }
  if (rand(5) === 0) await fs.attrChanged(cookie);
  await fs.relinquishCookie(cookie, { retire: rand(10) === 0 });
}
