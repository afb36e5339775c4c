/**
 * `npm start`: the whole path. A local HTTP server serves a file; it is fetched twice through
 * the HTTP netfs, FS-Cache and the disk cache, each time as a fresh process would, and the
 * demo prints what the second fetch saved.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheFiles } from '@armvm/cachefiles';
import { Fscache } from '@armvm/fscache';
import { HttpNetfs } from '@armvm/netfs-http';
import { TestHttpServer } from '../src/test-support/http-server.ts';

const SIZE = 64 << 20;
const body = Buffer.allocUnsafe(SIZE);
for (let i = 0; i < SIZE; i += 4) body.writeUInt32LE((i * 2654435761) >>> 0, i);
const server = await TestHttpServer.start({ '/images/guest.img': body });
const dir = await mkdtemp(join(tmpdir(), 'fscache-demo-'));
const url = server.url('/images/guest.img');
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** One fetch, as a fresh process would do it: open the cache, read the file, close. */
async function fetchOnce(label: string) {
  const fscache = new Fscache();
  const disk = await CacheFiles.open({ dir });
  const cache = await fscache.addCache(disk, 'disk');
  const nfs = new HttpNetfs({ fscache, maxAgeMs: 0 }); // always revalidate, to show the 304
  const sentBefore = server.bodyBytesSent;
  const requestsBefore = server.requests;
  const t0 = performance.now();
  const file = await nfs.open(url);
  let bytes = 0;
  await file.readAll((chunk) => void (bytes += chunk.length));
  await file.close();
  const ms = performance.now() - t0;
  await nfs.close();
  await fscache.withdrawCache(cache);
  await disk.close();
  const sent = server.bodyBytesSent - sentBefore;
  console.log(
    `${label}: ${mib(bytes)} in ${ms.toFixed(0)} ms — ${mib(nfs.stats.bytesFromCache)} from the cache, ` +
      `${mib(nfs.stats.bytesFromNetwork)} from the network, ${server.requests - requestsBefore} requests, ${mib(sent)} of body sent`,
  );
  return { ms, sent, stats: fscache.statsText() };
}

console.log(`Serving ${mib(SIZE)} at ${url}; caching in ${dir}\n`);
const first = await fetchOnce('first fetch ');
const second = await fetchOnce('second fetch');
console.log(
  `\nThe second fetch saved ${mib(first.sent - second.sent)} of transfer and ran ${(first.ms / second.ms).toFixed(1)}x faster;` +
    ` its only request was a conditional HEAD answered 304 Not Modified.\n`,
);
console.log('FS-Cache statistics of the second fetch:');
console.log(second.stats);
await server.close();
await rm(dir, { recursive: true, force: true });
