/** `fscache ls`, `fscache cull` and `fscache stats`: looking after a cache directory. */
import { statfs } from 'node:fs/promises';
import { CacheFiles, Culler, type CullLimits, DEFAULT_LIMITS, listObjects } from '@armvm/cachefiles';
import { formatBytes } from './progress-bar.ts';

/** Lists the objects of a cache: keys, size, bytes held, last use. */
export async function lsCommand(dir: string, out: NodeJS.WritableStream): Promise<number> {
  const objects = await listObjects(dir);
  const rows = objects
    .filter((o) => o.type !== 'index')
    .map((o) => [
      formatBytes(o.size),
      formatBytes(o.cachedBytes),
      new Date(o.lastUse).toISOString().replace('T', ' ').slice(0, 19),
      `${o.keys.slice(1).join(' ')}${o.stale ? '  (stale)' : ''}`,
    ]);
  const head = ['SIZE', 'CACHED', 'LAST USE', 'KEY'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows])
    out.write(`${r.map((c, i) => (i < 3 ? c.padStart(widths[i]!) : c)).join('  ')}\n`);
  out.write(`${rows.length} objects, ${formatBytes(objects.reduce((n, o) => n + o.cachedBytes, 0))} held\n`);
  return 0;
}

/** Culls a cache now to the given limits and reports what it did. */
export async function cullCommand(
  dir: string,
  limits: Partial<CullLimits>,
  out: NodeJS.WritableStream,
): Promise<number> {
  const disk = await CacheFiles.open({ dir });
  try {
    const culler = new Culler(disk, { limits });
    const r = await culler.check();
    await disk.dir.reaped();
    out.write(
      `${r.state}: culled ${r.culled} objects (${formatBytes(r.culledBytes)}); free blocks ${r.freeBlocksPct.toFixed(1)}%, free files ${r.freeFilesPct.toFixed(1)}%\n`,
    );
  } finally {
    await disk.close();
  }
  return 0;
}

/** The cache's state, in the manner of cachefilesd's state line, and its contents. */
export async function statsCommand(dir: string, out: NodeJS.WritableStream): Promise<number> {
  const s = await statfs(dir);
  const bfree = s.blocks ? (s.bavail / s.blocks) * 100 : 100;
  const ffree = s.files ? (s.ffree / s.files) * 100 : 100;
  const l = DEFAULT_LIMITS;
  const cull = bfree < l.bcull || ffree < l.fcull ? 1 : 0;
  const objects = await listObjects(dir);
  out.write(`cache=${dir}\n`);
  out.write(
    `cull=${cull} frun=${l.frun}% fcull=${l.fcull}% fstop=${l.fstop}% brun=${l.brun}% bcull=${l.bcull}% bstop=${l.bstop}%\n`,
  );
  out.write(`free blocks=${bfree.toFixed(1)}% free files=${ffree.toFixed(1)}%\n`);
  const data = objects.filter((o) => o.type !== 'index');
  out.write(
    `objects=${data.length} indexes=${objects.length - data.length} held=${formatBytes(data.reduce((n, o) => n + o.cachedBytes, 0))} stale=${objects.filter((o) => o.stale).length}\n`,
  );
  return 0;
}
