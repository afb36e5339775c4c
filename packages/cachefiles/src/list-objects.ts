/**
 * A read-only walk of a cache directory: every object with its key path, type, size, bytes
 * held and last use. It takes no lock, so it can list a cache other processes are using. Like
 * the cache itself it follows no link and opens nothing but regular files.
 */
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeName } from './key-encoding.ts';
import { nodeIo, READ_FLAGS } from './cache-io.ts';
import { decodeMeta, isInlineRecordHead, NO_BLOCK } from './object-meta.ts';

/** One object found on disk. */
export interface ListedObject {
  /** The keys from the master index down, as text where they are UTF-8, else as hex. */
  keys: string[];
  type: 'index' | 'data' | 'special';
  /** The object's size as the netfs gave it. */
  size: number;
  /** Bytes of data the cache holds for it. */
  cachedBytes: number;
  /** When it was last opened (ms since the epoch). */
  lastUse: number;
  /** Its metadata is DIRTY, missing or damaged: it will be discarded when next looked up. */
  stale: boolean;
  /** The data file or index directory. */
  path: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function keyText(key: Uint8Array | null, name: string): string {
  if (!key) return `(sha256 ${name.slice(2, 18)}…)`;
  try {
    const text = utf8.decode(key);
    // Control characters are shown escaped, so a listing cannot play tricks on a terminal.
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x7f) return JSON.stringify(text);
    }
    return text;
  } catch {
    return `0x${Buffer.from(key).toString('hex')}`;
  }
}

// Looks at a file's first bytes only: a data file without its sidecar may be very large.
async function startsInlineRecord(path: string): Promise<boolean> {
  const fh = await open(path, READ_FLAGS).catch(() => null);
  if (!fh) return false;
  try {
    if (!(await fh.stat()).isFile()) return false;
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, 8, 0);
    return isInlineRecordHead(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Every object below `<dir>/cache`, depth first. */
export async function listObjects(dir: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  // A record of at most 1 MiB + the block list of a large object; never a whole data file.
  const read = (p: string) => Promise.resolve().then(() => nodeIo.readSmallSync(p, 8 << 20));
  const walk = async (path: string, keys: string[]): Promise<void> => {
    if (!(await lstat(path).catch(() => null))?.isDirectory()) return;
    let names: string[];
    try {
      names = (await readdir(path)).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(path, name);
      if (name.startsWith('@')) {
        await walk(p, keys);
        continue;
      }
      const d = decodeName(name);
      if (!d) continue;
      const metaPath = d.type === 'index' ? join(p, '.meta') : join(path, `M${name}`);
      let meta = await read(metaPath).then(decodeMeta, () => null);
      if (!meta && d.type !== 'index' && (await startsInlineRecord(p))) {
        // No sidecar: an inline object keeps its record in its own file.
        const rec = await read(p).then(decodeMeta, () => null);
        if (rec?.ok && rec.meta.inline !== undefined) meta = rec;
      }
      const st = await lstat(p).catch(() => null);
      if (!st || st.isSymbolicLink()) continue;
      const ok = meta?.ok ? meta.meta : null;
      // A hashed name hides its key; the metadata names it.
      const k = [...keys, keyText(d.key ?? (ok && ok.key.length > 0 ? ok.key : null), name)];
      let cachedBytes = 0;
      if (ok && d.type !== 'index') {
        const held = ok.blocks.reduce((n, c) => n + (c === NO_BLOCK ? 0 : 1), 0);
        const last = ok.blocks.length - 1;
        const tail = ok.objectSize - last * ok.blockSize;
        cachedBytes = held * ok.blockSize;
        if (last >= 0 && ok.blocks[last] !== NO_BLOCK && tail > 0 && tail < ok.blockSize)
          cachedBytes -= ok.blockSize - tail;
      }
      out.push({
        keys: k,
        type: d.type,
        size: ok?.objectSize ?? 0,
        cachedBytes,
        lastUse: st.atimeMs,
        stale: !ok || ok.dirty,
        path: p,
      });
      if (d.type === 'index') await walk(p, k);
    }
  };
  await walk(join(dir, 'cache'), []);
  return out;
}
