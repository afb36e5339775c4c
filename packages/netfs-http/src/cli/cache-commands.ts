/** `fscache ls` and `fscache stats`: what a cache directory holds, as a table or as JSON. */
import { statfs } from 'node:fs/promises';
import { completeLimits, type ListedObject, listObjects, readCacheSettings } from '@armvm/cachefiles';
import { existingCache } from './cache-location.ts';
import { formatAge } from './option-values.ts';
import { formatBytes } from './progress-bar.ts';

/** The URL an object of the HTTP netfs caches (netfs → server → path), else its keys. */
export function objectUrl(o: ListedObject): string {
  return o.keys.length === 3 && o.keys[0] === 'netfs-http' ? `${o.keys[1]}${o.keys[2]}` : o.keys.join(' ');
}

/** The data objects worth listing: those holding bytes (a failed fetch leaves nothing to show). */
export async function cachedObjects(root: string): Promise<ListedObject[]> {
  return (await listObjects(root)).filter((o) => o.type !== 'index' && o.cachedBytes > 0);
}

/** Lists the cached URLs: size, bytes held, last use. */
export async function lsCommand(dir: string, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  const objects = await cachedObjects(await existingCache(dir));
  if (json) {
    const rows = objects.map((o) => ({
      url: objectUrl(o),
      size: o.size,
      cachedBytes: o.cachedBytes,
      lastUse: new Date(o.lastUse).toISOString(),
      stale: o.stale,
    }));
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const rows = objects.map((o) => [
    formatBytes(o.size),
    formatBytes(o.cachedBytes),
    new Date(o.lastUse).toISOString().replace('T', ' ').slice(0, 19),
    `${objectUrl(o)}${o.stale ? '  (stale)' : ''}`,
  ]);
  const head = ['SIZE', 'CACHED', 'LAST USE', 'URL'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows])
    out.write(`${r.map((c, i) => (i < 3 ? c.padStart(widths[i]!) : c)).join('  ')}\n`);
  out.write(`${rows.length} objects, ${formatBytes(objects.reduce((n, o) => n + o.cachedBytes, 0))} held\n`);
  return 0;
}

/** The cache's limits in the manner of cachefilesd's state line, its free space and its contents. */
export async function statsCommand(dir: string, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  const root = await existingCache(dir);
  const settings = await readCacheSettings(root);
  const l = completeLimits(settings.limits ?? {});
  const s = await statfs(root);
  const freeBlocksPct = s.blocks ? (s.bavail / s.blocks) * 100 : 100;
  const freeFilesPct = s.files ? (s.ffree / s.files) * 100 : 100;
  const all = await listObjects(root);
  const data = await cachedObjects(root);
  const heldBytes = data.reduce((n, o) => n + o.cachedBytes, 0);
  const report = {
    cache: root,
    limits: l,
    maxBytes: settings.maxBytes ?? null,
    maxAgeMs: settings.maxAgeMs ?? null,
    cullNeeded:
      freeBlocksPct < l.bcull ||
      freeFilesPct < l.fcull ||
      (settings.maxBytes !== undefined && heldBytes > settings.maxBytes),
    freeBlocksPct: Number(freeBlocksPct.toFixed(1)),
    freeFilesPct: Number(freeFilesPct.toFixed(1)),
    objects: data.length,
    indexes: all.filter((o) => o.type === 'index').length,
    heldBytes,
    stale: data.filter((o) => o.stale).length,
  };
  if (json) {
    out.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  out.write(`cache=${root}\n`);
  out.write(
    `cull=${report.cullNeeded ? 1 : 0} frun=${l.frun}% fcull=${l.fcull}% fstop=${l.fstop}% brun=${l.brun}% bcull=${l.bcull}% bstop=${l.bstop}%\n`,
  );
  out.write(
    `max-size=${settings.maxBytes === undefined ? 'none' : formatBytes(settings.maxBytes)} max-age=${settings.maxAgeMs === undefined ? 'none' : formatAge(settings.maxAgeMs)}\n`,
  );
  out.write(`free blocks=${report.freeBlocksPct}% free files=${report.freeFilesPct}%\n`);
  out.write(
    `objects=${report.objects} indexes=${report.indexes} held=${formatBytes(heldBytes)} stale=${report.stale}\n`,
  );
  return 0;
}
