/** How a netfs describes a kind of cookie: its key, aux data, coherency check and callbacks. */

/** What the netfs says of aux data found in the cache. */
export const CheckAux = {
  /** The cached object is current: use it as is. */
  OKAY: 'okay',
  /** The cached object is usable, but its stored aux data must be rewritten. */
  NEEDS_UPDATE: 'needsUpdate',
  /** The cached object is out of date: discard it and create a new one. */
  OBSOLETE: 'obsolete',
} as const;
/** One coherency verdict. */
export type CheckAux = (typeof CheckAux)[keyof typeof CheckAux];

/** Index cookies group others; data cookies hold file data; special cookies are netfs-specific. */
export type CookieType = 'index' | 'data' | 'special';

/** A key or aux blob: bytes, or a string stored as its UTF-8 bytes. */
export type Blob = Uint8Array | string;

/** A cookie definition, shared by every cookie of one kind. `D` is the netfs's own data. */
export interface CookieDef<D = unknown> {
  /** A short name for listings and tracing (at most 16 characters). */
  readonly name: string;
  /** The kind of object. */
  readonly type: CookieType;
  /** The key that finds this object under its parent. Mandatory. */
  getKey(netfsData: D): Blob;
  /** Coherency data to store with the object (none when absent). */
  getAux?(netfsData: D): Blob | null;
  /** Judges aux data found in the cache (always okay when absent). */
  checkAux?(netfsData: D, aux: Uint8Array): CheckAux;
  /** The object's size in bytes (0 when absent). */
  getAttr?(netfsData: D): number;
  /** Picks a cache by tag for this index's children (the first cache when absent or null). */
  selectCache?(parentNetfsData: unknown, netfsData: D): string | null;
  /** Told which pages the cache now holds or has reserved for this cookie. */
  markPagesCached?(netfsData: D, pages: readonly number[]): void;
  /** Told that the cookie has lost its backing store: forget every page mark. */
  nowUncached?(netfsData: D): void;
}

/** Checks a definition and throws a clear TypeError for anything malformed. */
export function validateCookieDef(def: CookieDef<never>): void {
  if (typeof def !== 'object' || def === null) throw new TypeError('cookie definition must be an object');
  if (typeof def.name !== 'string' || def.name.length === 0 || def.name.length > 16) {
    throw new TypeError(
      `cookie definition name must be 1 to 16 characters (got ${JSON.stringify(def.name)})`,
    );
  }
  if (def.type !== 'index' && def.type !== 'data' && def.type !== 'special') {
    throw new TypeError(`cookie definition "${def.name}" has unknown type ${JSON.stringify(def.type)}`);
  }
  if (typeof def.getKey !== 'function') throw new TypeError(`cookie definition "${def.name}" needs getKey()`);
}

const encoder = new TextEncoder();

/** The bytes of a key or aux blob. */
export function blobBytes(blob: Blob): Uint8Array {
  return typeof blob === 'string' ? encoder.encode(blob) : blob;
}

/**
 * A key as a binary string (one char per byte), cheap to use as a Map key. ASCII strings pass
 * through unchanged, so `'abc'` and the bytes of "abc" are the same key.
 */
export function blobKey(blob: Blob): string {
  if (typeof blob === 'string') {
    let ascii = true;
    for (let i = 0; i < blob.length && ascii; i++) ascii = blob.charCodeAt(i) < 0x80;
    if (ascii) return blob;
    blob = encoder.encode(blob);
  }
  let s = '';
  for (let i = 0; i < blob.length; i += 4096) s += String.fromCharCode(...blob.subarray(i, i + 4096));
  return s;
}
