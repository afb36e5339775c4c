/**
 * Reads a kernel, initrd or device tree given as a path or a URL; URLs go through the HTTP netfs
 * (and so through FS-Cache). Errors name the file and say what went wrong.
 */
import { readFile } from 'node:fs/promises';
import type { HttpNetfs } from '@armvm/netfs-http';
import { LoaderError } from './loader-error.ts';

/** True for http: and https: sources. */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The bytes of `source`. `netfs` is needed for URLs. `limit` refuses larger files before reading them whole. */
export async function readImage(
  source: string,
  options: { netfs?: HttpNetfs; limit?: number; what?: string } = {},
): Promise<Uint8Array> {
  const what = options.what ?? 'image';
  if (isUrl(source)) {
    if (options.netfs === undefined)
      throw new LoaderError('LOADER_READ_FAILED', `${what} ${source}: URLs need the HTTP netfs`);
    let file;
    try {
      file = await options.netfs.open(source);
    } catch (err) {
      throw new LoaderError('LOADER_NOT_FOUND', `${what} ${source}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      checkLimit(source, what, file.size, options.limit);
      return new Uint8Array(await file.read(0, file.size));
    } finally {
      await file.close();
    }
  }
  try {
    const bytes = new Uint8Array(await readFile(source));
    checkLimit(source, what, bytes.length, options.limit);
    return bytes;
  } catch (err) {
    if (err instanceof LoaderError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT')
      throw new LoaderError('LOADER_NOT_FOUND', `${what} ${source}: no such file`, { cause: err });
    throw new LoaderError('LOADER_READ_FAILED', `${what} ${source}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function checkLimit(source: string, what: string, size: number, limit: number | undefined): void {
  if (limit !== undefined && size > limit) {
    throw new LoaderError(
      'LOADER_TOO_BIG',
      `${what} ${source} (${size} bytes) is larger than RAM (${limit} bytes)`,
    );
  }
}
