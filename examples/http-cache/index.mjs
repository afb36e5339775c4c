// Fetches a URL twice through a cache directory: the first time from the network, the second from
// the cache. Usage: node index.mjs URL [CACHE_DIR]
import { createHash } from 'node:crypto';
import { openHttpCache } from '@armvm/netfs-http';

const [url, dir = './cache'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node index.mjs URL [CACHE_DIR]');
  process.exit(2);
}

const cache = await openHttpCache({ dir });
try {
  const first = await cache.get(url); // whole body, stored as it arrives
  const head = await cache.read(url, 0, 16); // any range
  const hash = createHash('sha256');
  for await (const chunk of cache.stream(url)) hash.update(chunk); // a Web ReadableStream
  const { bytesFromNetwork, bytesFromCache } = cache.netfs.stats;
  console.log(`${first.length} bytes, sha256 ${hash.digest('hex')}`);
  console.log(`first 16 bytes: ${head.toString('hex')}`);
  console.log(`from the network: ${bytesFromNetwork} bytes; from the cache: ${bytesFromCache} bytes`);
} finally {
  await cache.close(); // files, then the cache, then the directory
}
