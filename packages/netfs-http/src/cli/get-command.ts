/** `fscache get URL`: the bytes of a remote file, through the cache, to a file or stdout. */
import { CacheFiles, Culler, readCacheSettings } from '@armvm/cachefiles';
import { type Clock, Fscache, realClock } from '@armvm/fscache';
import { RemoteError, RemoteUrlError } from '../errors.ts';
import { HttpClient } from '../http-client.ts';
import { HttpNetfs } from '../http-netfs.ts';
import { proxyFromEnv } from '../proxy-env.ts';
import { basename } from 'node:path';
import type { RemoteFile } from '../remote-file.ts';
import { OutputError, OutputTarget } from './output-target.ts';
import { formatBytes, ProgressBar } from './progress-bar.ts';

/** Options of `fscache get`. */
export interface GetOptions {
  url: string;
  /** A file, `-` (or undefined) for stdout. */
  output: string | undefined;
  cacheDir: string;
  stats: boolean;
  /** No progress bar and no notices (`-s`); errors are still written. */
  silent?: boolean;
  /** The environment, for proxies (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides HTTP's freshness rules (`--max-age`); undefined follows them. */
  maxAgeMs: number | undefined;
  staleIfError: boolean;
  /** Transient failures in a row retried (`--retry`). */
  retries?: number;
  /** The first retry's delay in ms (`--retry-delay`). */
  retryDelayMs?: number;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  /** Ends the get early (Ctrl-C): the output is removed, what was cached is kept. */
  signal?: AbortSignal;
  /** The time, for the cache, the netfs and the progress bar (default the real clock). */
  clock?: Clock;
}

/**
 * The exit status of a failure, curl's where one applies (as `curl -f` would exit): 3 a bad URL,
 * 5 a proxy that cannot be resolved (or an unusable proxy setting), 6 a host not found, 7 no connection, 8 a malformed answer, 18 a body cut short, 22 an HTTP
 * error status, 23 a write error, 28 a timeout, 35 a TLS handshake failure, 47 too many
 * redirects, 56 a connection lost (or a proxy refusing the tunnel), 60 an untrusted certificate; 1 anything else (the resource
 * changing under a read twice), 130 interrupted.
 */
export function exitStatus(err: unknown): number {
  if (err instanceof OutputError) return 23;
  if (err instanceof RemoteUrlError) return 3;
  if (!(err instanceof RemoteError)) return 1;
  switch (err.code) {
    case 'ERR_NETFS_NOT_FOUND':
    case 'ERR_NETFS_HTTP_STATUS':
      return 22;
    case 'ERR_NETFS_TRUNCATED':
      return 18;
    case 'ERR_NETFS_REDIRECT':
      return 47;
    case 'ERR_NETFS_BAD_RESPONSE':
    case 'ERR_NETFS_BAD_RANGE':
      return 8;
    case 'ETIMEDOUT':
      return 28;
    case 'ERR_NETFS_TLS':
      return 35;
    case 'ERR_NETFS_TLS_CERT':
      return 60;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 6;
    case 'ERR_NETFS_PROXY_URL':
    case 'ERR_NETFS_PROXY_NOT_FOUND':
      return 5;
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 7;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_NETFS_PROXY_TUNNEL':
      return 56;
    case 'ABORT_ERR':
      return 130;
    default:
      return 1;
  }
}

/** Fetches `url` to a file or stdout; returns the exit status. */
export async function getCommand(o: GetOptions): Promise<number> {
  let out: OutputTarget;
  try {
    out = await OutputTarget.open(o.output, o.stdout);
  } catch (err) {
    o.stderr.write(`fscache: ${(err as Error).message}\n`);
    return exitStatus(err);
  }
  const clock = o.clock ?? realClock;
  const fscache = new Fscache({ clock });
  const disk = await CacheFiles.open({ dir: o.cacheDir, clock });
  let culler: Culler;
  try {
    // The limits saved with the cache (fscache limits) hold for every get.
    const saved = await readCacheSettings(disk.dir.root);
    culler = new Culler(disk, {
      limits: saved.limits ?? {},
      ...(saved.maxBytes !== undefined ? { maxBytes: saved.maxBytes } : {}),
      ...(saved.maxAgeMs !== undefined ? { maxAgeMs: saved.maxAgeMs } : {}),
    });
  } catch (err) {
    await disk.close();
    await out.abort();
    o.stderr.write(`fscache: ${(err as Error).message}\n`);
    return 1;
  }
  const cache = await fscache.addCache(disk, 'disk');
  await culler.check();
  const notice = (line: string) => {
    if (!o.silent) o.stderr.write(`fscache: ${line}\n`);
  };
  // As curl does, the proxies named in the environment.
  const client = new HttpClient({ proxy: proxyFromEnv(o.env ?? process.env) });
  const nfs = new HttpNetfs({
    fscache,
    client,
    ...(o.maxAgeMs !== undefined ? { maxAgeMs: o.maxAgeMs } : {}),
    staleIfError: o.staleIfError,
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    ...(o.retryDelayMs !== undefined ? { retryDelayMs: o.retryDelayMs } : {}),
  });
  // Said once each: the cache declining this file does not stop the get.
  const told = new Set<string>();
  disk.onDecline = (why, size) => {
    if (told.has(why)) return;
    told.add(why);
    notice(
      why === 'too-big'
        ? `${o.url} (${formatBytes(size)}) is bigger than the cache on ${o.cacheDir} can hold; not caching it`
        : `the cache on ${o.cacheDir} is at its disk limit; carrying on without caching`,
    );
  };
  let file: RemoteFile | null = null;
  const onAbort = () => void file?.close();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let status = 0;
  try {
    for (let attempt = 0; ; attempt++) {
      if (o.signal?.aborted) throw new RemoteError('ABORT_ERR', o.url, 'interrupted');
      file = await nfs.open(o.url);
      if (file.stale)
        notice(`${file.url.href}: server unreachable; serving the cached copy, not revalidated`);
      try {
        const from = nfs.stats.bytesFromCache + nfs.client.stats.bodyBytes;
        await copy(file, out, o, () => nfs.stats.bytesFromCache + nfs.client.stats.bodyBytes - from);
        break;
      } catch (err) {
        // The resource changed while it was read: start once more from the new version, if the
        // output can be started over.
        const changed = err instanceof RemoteError && err.code === 'ERR_NETFS_CHANGED';
        await file.close();
        if (!changed || attempt > 0 || !(await out.restart())) throw err;
        notice(`${o.url} changed on the server while it was read; starting again`);
      }
    }
    await file.close();
    await out.commit();
    if (o.stats) {
      const s = nfs.stats;
      const c = nfs.client.stats;
      o.stderr.write(
        `${formatBytes(s.bytesFromCache)} from the cache, ${formatBytes(s.bytesFromNetwork)} from the network (${c.requests} requests, ${formatBytes(c.bodyBytes)} received, ${s.retries} retries)\n`,
      );
      o.stderr.write(fscache.statsText());
    }
  } catch (err) {
    await out.abort();
    const interrupted = o.signal?.aborted === true;
    const message = interrupted ? 'interrupted; what was fetched stays cached' : (err as Error).message;
    o.stderr.write(`fscache: ${message}\n`);
    status = interrupted ? 130 : exitStatus(err);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await file?.close().catch(() => {});
    await nfs.close();
    client.close(); // given to the netfs, so the netfs leaves it to us
    await fscache.withdrawCache(cache);
    // The saved size and age limits, now that this file is in and let go of: while in use it
    // could not be culled, and alone it may be over --max-size. (The free-space limits were
    // kept while writing.)
    if (culler.maxBytes !== undefined || culler.maxAgeMs !== undefined) {
      await culler.check().catch((err: Error) => notice(`culling the cache failed: ${err.message}`));
    }
    await disk.close();
  }
  return status;
}

// Streams the file to the output, with progress on a terminal. As curl does, binary data is not
// written to a terminal unless the user asked for standard output with `-o -`.
async function copy(
  file: RemoteFile,
  out: OutputTarget,
  o: GetOptions,
  bytesSoFar: () => number,
): Promise<void> {
  const toTerminal =
    (o.output === undefined || o.output === '-') && (o.stdout as { isTTY?: boolean }).isTTY === true;
  const clock = o.clock ?? realClock;
  const bar = o.silent
    ? null
    : new ProgressBar(o.stderr, basename(file.url.pathname) || file.url.host, clock);
  // Blocks arrive between the chunks readAll hands over: the byte counters show them sooner.
  const ticker =
    bar && clock.setInterval(() => bar.update(Math.min(file.size, bytesSoFar()), file.size), 100);
  let first = toTerminal && o.output === undefined;
  try {
    await file.readAll(
      (chunk) => {
        if (first && chunk.includes(0)) throw new OutputError(BINARY_WARNING, 'EBINARY');
        first = false;
        if (toTerminal) bar?.clear(); // the data goes on a clean line
        return out.write(chunk);
      },
      { onProgress: (done, total) => bar?.update(done, total) },
    );
  } finally {
    ticker?.cancel();
    bar?.clear();
  }
}

/** curl's warning, in our options' words. */
export const BINARY_WARNING =
  'Binary output can mess up your terminal. Use "-o -" to write it to your terminal anyway, or "-o FILE" to save it to a file.';
