/**
 * Turns an object's type and key (any bytes) into a safe relative path: no traversal, no
 * collisions, bounded length, and distinct even on a case-insensitive filesystem.
 *
 *   @3f/Dpindex.html             a plain key, under a fan-out directory chosen by a hash
 *   @a0/Ix0123456789abcdefghij   any other key, in lower-case base32 (case-insensitive safe)
 *   @17/Dh<64 hex digits>        a key whose name would be too long: named by its SHA-256
 *
 * The first letter is the type (I index, D data, S special); the second says how the key is
 * written (p plain, x base32, h hashed). Plain keys use only [a-z0-9._-]. Hashing long keys
 * bounds every path, however deep the tree, where splitting names into parts would only bound
 * each component.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { FscacheError } from '@armvm/fscache';

/** Longest name component we write; well under the 255 bytes filesystems allow. */
export const MAX_COMPONENT = 200;
/** Longest key accepted (bytes). */
export const MAX_KEY_BYTES = 16 * 1024;

/** The object types and their letters. */
export const TYPE_LETTER = { index: 'I', data: 'D', special: 'S' } as const;

const BASE32 = '0123456789abcdefghijklmnopqrstuv';

/** Lower-case base32 (RFC 4648 "extended hex" alphabet, no padding). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/** Decodes lower-case base32 back to bytes (the inverse of `base32`), or null if it is not base32. */
export function unbase32(text: string): Uint8Array | null {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    const v = BASE32.indexOf(ch);
    if (v < 0) return null;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  return Uint8Array.from(out);
}

/** What an object's file name says: its type, and its key (null when the name is a hash). */
export function decodeName(name: string): { type: keyof typeof TYPE_LETTER; key: Uint8Array | null } | null {
  const type = (Object.keys(TYPE_LETTER) as (keyof typeof TYPE_LETTER)[]).find(
    (t) => TYPE_LETTER[t] === name[0],
  );
  if (!type) return null;
  const body = name.slice(2);
  if (name[1] === 'p') return { type, key: Buffer.from(body, 'latin1') };
  if (name[1] === 'x') {
    const key = unbase32(body);
    return key ? { type, key } : null;
  }
  if (name[1] === 'h' && /^[0-9a-f]{64}$/.test(body)) return { type, key: null };
  return null;
}

function isPlain(key: Uint8Array): boolean {
  if (key.length === 0) return false;
  for (const b of key) {
    const ok = (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2e || b === 0x5f || b === 0x2d;
    if (!ok) return false;
  }
  return true;
}

/** The path components, relative to the parent index's directory, of an object with this key. */
export function encodeKey(type: keyof typeof TYPE_LETTER, key: Uint8Array): string[] {
  if (key.length > MAX_KEY_BYTES) {
    throw new FscacheError('EINVAL', `cache key of ${key.length} bytes is longer than ${MAX_KEY_BYTES}`);
  }
  const letter = TYPE_LETTER[type];
  if (!letter) throw new FscacheError('EINVAL', `unknown object type ${JSON.stringify(type)}`);
  const fan = `@${(crc32(key) & 0xff).toString(16).padStart(2, '0')}`;
  const body = isPlain(key) ? `p${Buffer.from(key).toString('latin1')}` : `x${base32(key)}`;
  const name = letter + body;
  if (name.length <= MAX_COMPONENT) return [fan, name];
  return [fan, `${letter}h${createHash('sha256').update(key).digest('hex')}`];
}

/** The identity of the master index: every key path starts from it. */
export const ROOT_IDENTITY = new Uint8Array(32);

/**
 * The identity of an object: a SHA-256 over its parent's identity, its type and its key. It is
 * stored in the object's metadata, so a file that is not where its key puts it (moved, swapped,
 * or planted) is recognised as someone else's and never served.
 */
export function keyIdentity(parent: Uint8Array, type: keyof typeof TYPE_LETTER, key: Uint8Array): Uint8Array {
  // One buffer, one update: this runs at every lookup.
  const buf = Buffer.allocUnsafe(parent.length + 5 + key.length);
  buf.set(parent, 0);
  buf[parent.length] = TYPE_LETTER[type].charCodeAt(0);
  buf.writeUInt32LE(key.length, parent.length + 1);
  buf.set(key, parent.length + 5);
  return new Uint8Array(createHash('sha256').update(buf).digest());
}
