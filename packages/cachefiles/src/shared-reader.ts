/**
 * Reading an object that another process is writing. The writer flushes its metadata as it goes
 * (every block it lists is already in the data file); a reader notices each flush by the
 * metadata file's inode and mtime, adopts the blocks listed, and serves them once their checksums
 * hold. A reader that needs blocks not stored yet waits for them while the writer is alive and
 * busy, so several processes fetching one file download it once; when the writer dies it takes
 * the object over, and when the writer goes quiet it stops waiting (the netfs fetches the blocks
 * itself, without storing them).
 */
import { CheckAux, sleep } from '@armvm/fscache';
import type { CacheDir } from './cache-dir.ts';
import { errnoCode, isAbsentOrForeign, openRegular, READ_FLAGS } from './cache-io.ts';
import type { DiskObject } from './disk-object.ts';
import { claimPath, takeClaim } from './object-claim.ts';
import { decodeMeta, NO_BLOCK } from './object-meta.ts';

/** How long a writer may be seen doing nothing before readers stop waiting for it. */
export const WRITER_QUIET_MS = 5000;
const POLL_MIN_MS = 20;
const POLL_MAX_MS = 200;

/** The outcome of a wait: the blocks are there, the reader is now the writer, or it gave up. */
export type WaitOutcome = 'ready' | 'took-over' | 'gave-up';

/** What the wait needs from the backend. */
export interface ReaderContext {
  dir: CacheDir;
  /** The backend's own verdict on aux data found on disk. */
  checkAux(o: DiskObject, aux: Uint8Array): CheckAux;
  /** Called when the reader has become the writer (the dead writer's claim is now ours). */
  becomeWriter(o: DiskObject): Promise<void>;
}

/**
 * Reads the writer's latest metadata if it changed since last read. Returns false when the
 * object on disk is not (or no longer) the one this reader wants: then nothing is adopted.
 */
export async function refresh(ctx: ReaderContext, o: DiskObject): Promise<boolean> {
  let st;
  try {
    st = await ctx.dir.io.lstat(o.metaPath);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return true; // nothing flushed yet
    throw err;
  }
  const stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
  if (stamp === o.metaStamp) return true;
  let raw: Buffer;
  try {
    raw = await ctx.dir.readSmall(o.metaPath, st.size + 1);
  } catch (err) {
    if (isAbsentOrForeign(err)) return true;
    throw err;
  }
  o.metaStamp = stamp;
  const d = decodeMeta(raw);
  const meta = o.meta!;
  if (
    !d.ok ||
    d.meta.dirty ||
    d.meta.type !== o.type ||
    d.meta.blockSize !== meta.blockSize ||
    !sameBytes(d.meta.identity, o.identity!) ||
    (meta.objectSize > 0 && d.meta.objectSize !== meta.objectSize) ||
    ctx.checkAux(o, d.meta.aux) === CheckAux.OBSOLETE
  ) {
    return false;
  }
  if (!o.file) {
    try {
      o.file = await openRegular(ctx.dir.io, o.path, READ_FLAGS);
    } catch (err) {
      if (isAbsentOrForeign(err)) return true;
      throw err;
    }
  }
  const old = meta.blocks;
  const verified = new Uint8Array(d.meta.blocks.length);
  for (let i = 0; i < d.meta.blocks.length; i++) {
    // A block whose checksum we already checked stays checked, unless the writer rewrote it.
    if (i < old.length && old[i] === d.meta.blocks[i] && o.verified?.[i]) verified[i] = 1;
  }
  meta.blocks = d.meta.blocks;
  o.verified = verified;
  return true;
}

/** Waits until every page in `pages` is held, the writer dies (we take over) or goes quiet. */
export async function waitForWriter(
  ctx: ReaderContext,
  o: DiskObject,
  pages: readonly number[],
): Promise<WaitOutcome> {
  const clock = ctx.dir.clock;
  let lastActivity = clock.now();
  let lastData = '';
  let delay = POLL_MIN_MS;
  const held = () => pages.every((p) => p < o.meta!.blocks.length && o.meta!.blocks[p] !== NO_BLOCK);
  for (;;) {
    if (o.isDead || !o.readerOf || o.otherVersion) return 'gave-up';
    const before = o.metaStamp;
    if (!(await refresh(ctx, o))) {
      // Another version: keep what was adopted (our open file still holds it), wait for nothing.
      o.otherVersion = true;
      return 'gave-up';
    }
    if (held()) return 'ready';
    const claim = await takeClaim(claimPath(o.path), ctx.dir.presence);
    if (claim.taken) {
      await ctx.becomeWriter(o);
      return 'took-over';
    }
    const data = await ctx.dir.io.lstat(o.path).then(
      (s) => `${s.size}:${s.mtimeMs}`,
      () => '',
    );
    if (data !== lastData || o.metaStamp !== before) {
      // Seen for the first time, a quiet writer counts from its data file's last change.
      if (lastData === '' && data !== '') lastActivity = Math.min(clock.now(), Number(data.split(':')[1]));
      else lastActivity = clock.now();
      lastData = data;
      delay = POLL_MIN_MS;
    }
    if (clock.now() - lastActivity > WRITER_QUIET_MS) return 'gave-up';
    await sleep(clock, delay);
    delay = Math.min(POLL_MAX_MS, delay * 2);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
