// A process that stores the first blocks of one object in a disk cache, flushes them, says so,
// and then keeps the object open (its writer) until it is killed.
import { CacheFiles } from '@armvm/cachefiles';
import { Fscache } from '@armvm/fscache';
import { content, crashDef, sizeOf } from './crash-content.mjs';

const [dir, keyText, blocksText] = process.argv.slice(2);
const key = Number(keyText);
const fs = new Fscache({ debug: 0 });
const disk = await CacheFiles.open({ dir, blockSize: 4096, durable: false, flushDelayMs: 60_000 });
await fs.addCache(disk, 'disk');
const netfs = fs.registerNetfs({ name: 'crash', version: 1 });
const cookie = await fs.acquireCookie(netfs.primaryIndex, crashDef, { key, size: sizeOf(key) });
for (let b = 0; b < Number(blocksText); b++) {
  const r = await fs.readOrAllocPage(cookie, b);
  if (r.status !== 'ENODATA') throw new Error(`block ${b}: ${r.status}`);
  await fs.writePage(cookie, b, content(key, b));
  fs.uncachePage(cookie, b);
}
await disk.syncCache();
process.stdout.write(`${JSON.stringify({ id: disk.dir.presence.id })}\n`);
// Each line on stdin: store the next block, flush, and say so.
let next = Number(blocksText);
process.stdin.on('data', async () => {
  const r = await fs.readOrAllocPage(cookie, next);
  if (r.status === 'ENODATA') await fs.writePage(cookie, next, content(key, next));
  fs.uncachePage(cookie, next);
  await disk.syncCache();
  process.stdout.write(`stored ${next++}\n`);
});
