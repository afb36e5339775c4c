/** `fscache get URL`: the bytes of a remote file, through the cache. */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { CacheFiles, Culler } from '@armvm/cachefiles';
import { Fscache, hasCode } from '@armvm/fscache';
import { HttpNetfs } from '../http-netfs.ts';
import { formatBytes, ProgressBar } from './progress-bar.ts';

/** Options of `fscache get`. */
export interface GetOptions {
  url: string;
  output: string | undefined;
  cacheDir: string;
  stats: boolean;
  maxAgeMs: number;
  staleIfError: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

/** Fetches `url` to a file or stdout; returns the exit status. */
export async function getCommand(o: GetOptions): Promise<number> {
  const fscache = new Fscache();
  let disk: CacheFiles | null = null;
  try {
    disk = await CacheFiles.open({ dir: o.cacheDir });
  } catch (err) {
    if (!hasCode(err, 'EBUSY')) throw err;
    o.stderr.write(`fscache: ${(err as Error).message}; fetching without the cache\n`);
  }
  const culler = disk ? new Culler(disk) : null;
  const cache = disk ? await fscache.addCache(disk, 'disk') : null;
  if (culler) await culler.check();
  const nfs = new HttpNetfs({ fscache, maxAgeMs: o.maxAgeMs, staleIfError: o.staleIfError });
  const tmp = o.output ? `${o.output}.part-${process.pid}` : undefined;
  let status = 0;
  try {
    const file = await nfs.open(o.url);
    if (file.stale)
      o.stderr.write(
        `fscache: ${file.url.href}: server unreachable; serving the cached copy, not revalidated\n`,
      );
    const out: NodeJS.WritableStream = tmp ? createWriteStream(tmp) : o.stdout;
    const bar = o.stderr.isTTY && file.size >= 4 << 20 ? new ProgressBar(o.stderr, 'get') : null;
    await file.readAll(
      async (chunk) => {
        if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      },
      { onProgress: (done, total) => bar?.update(done, total) },
    );
    bar?.done();
    await file.close();
    if (tmp) {
      (out as ReturnType<typeof createWriteStream>).end();
      await finished(out);
      await rename(tmp, o.output!);
    }
    if (o.stats) {
      const s = nfs.stats;
      o.stderr.write(
        `${formatBytes(s.bytesFromCache)} from the cache, ${formatBytes(s.bytesFromNetwork)} from the network (${nfs.client.stats.requests} requests)\n`,
      );
      o.stderr.write(fscache.statsText());
    }
  } catch (err) {
    if (tmp) await unlink(tmp).catch(() => {});
    o.stderr.write(`fscache: ${(err as Error).message}\n`);
    status = 1;
  } finally {
    await nfs.close();
    if (cache) await fscache.withdrawCache(cache);
    await disk?.close();
  }
  return status;
}
