/**
 * Claims: which process may write a data object. A claim is a symbolic link beside the object,
 * `L<name>`, whose target is the claiming user's id (see presence.ts): creating a link is atomic
 * and fails if one exists, and the link carries its owner with it, so a claim is taken or read
 * in one system call. It is only ever read with readlink, never followed.
 *
 * A claim whose owner is gone is broken, never overwritten. Two processes may find the same dead
 * claim at once, and one of them may have replaced it by its own claim before the other acts; so
 * breaking the claim of a dead owner D is itself guarded by a claim named after D
 * (`K<hash of name and D>`). Only the holder of that guard may remove a claim, and only after
 * reading that D still owns it; D never claims again, so what it reads cannot change under it.
 */
import { createHash } from 'node:crypto';
import { readlink, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './cache-io.ts';
import type { Presence } from './presence.ts';

/** The outcome of trying to claim an object. */
export type ClaimResult = { taken: true } | { taken: false; owner: string };

/** The claim file of the object whose data file is `path`. */
export function claimPath(path: string): string {
  return join(dirname(path), `L${basename(path)}`);
}

/** True for names of claims and their guards (not objects). */
export function isClaimName(name: string): boolean {
  return name.startsWith('L') || name.startsWith('K');
}

/** Tries to claim `path` (a claim file) for `me`; a live owner keeps it, a dead one's is broken. */
export async function takeClaim(path: string, me: Presence, depth = 0): Promise<ClaimResult> {
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      await symlink(me.id, path);
      return { taken: true };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    const owner = await ownerOf(path);
    if (owner === null) continue; // released meanwhile: try again
    if (owner === me.id) return { taken: true };
    if (await me.isAlive(owner)) return { taken: false, owner };
    // A dead owner: at most three guards deep (a breaker that died while breaking).
    if (depth >= 3) return { taken: false, owner };
    await breakClaim(path, owner, me, depth);
  }
  const owner = await ownerOf(path);
  return owner === null ? { taken: false, owner: 'unknown' } : { taken: false, owner };
}

/** Gives up a claim if `me` holds it. */
export async function releaseClaim(path: string, me: Presence): Promise<void> {
  if ((await ownerOf(path)) !== me.id) return;
  await unlink(path).catch(() => {});
}

/** The id a claim names, or null if there is none. */
export async function ownerOf(path: string): Promise<string | null> {
  try {
    return await readlink(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return null;
    if (code === 'EINVAL') return 'not-a-claim'; // a regular file where a claim should be
    throw err;
  }
}

// Removes the claim at `path` if the dead user `dead` still holds it, under a guard named after both.
async function breakClaim(path: string, dead: string, me: Presence, depth: number): Promise<void> {
  const digest = createHash('sha256')
    .update(`${basename(path)}\0${dead}`)
    .digest('hex')
    .slice(0, 40);
  const guard = join(dirname(path), `K${digest}`);
  const g = await takeClaim(guard, me, depth + 1);
  if (!g.taken) return; // someone else is breaking it: look again
  try {
    if ((await ownerOf(path)) === dead) await unlink(path).catch(() => {});
  } finally {
    await unlink(guard).catch(() => {});
  }
}
