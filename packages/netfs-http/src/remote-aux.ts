/**
 * The coherency data a cached remote file keeps with it: the server's validators (ETag,
 * Last-Modified), the length, and when they were last confirmed with the server.
 */

/** What we know of a remote resource's version. */
export interface RemoteAux {
  etag: string | null;
  lastModified: string | null;
  length: number;
  /** Milliseconds since the epoch at which the server last confirmed these validators. */
  validatedAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes aux data (compact JSON: small, and readable in listings). */
export function encodeAux(a: RemoteAux): Uint8Array {
  return encoder.encode(JSON.stringify([a.etag, a.lastModified, a.length, a.validatedAt]));
}

/** Decodes aux data, or null for anything that is not exactly what encodeAux writes. */
export function decodeAux(bytes: Uint8Array): RemoteAux | null {
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 4) return null;
  const [etag, lastModified, length, validatedAt] = v as unknown[];
  const strOrNull = (x: unknown) => x === null || typeof x === 'string';
  if (!strOrNull(etag) || !strOrNull(lastModified)) return null;
  if (!Number.isSafeInteger(length) || (length as number) < 0 || !Number.isFinite(validatedAt)) return null;
  return {
    etag: etag as string | null,
    lastModified: lastModified as string | null,
    length: length as number,
    validatedAt: validatedAt as number,
  };
}

/** True when two descriptions name the same version of a resource. */
export function sameVersion(a: RemoteAux, b: Pick<RemoteAux, 'etag' | 'lastModified' | 'length'>): boolean {
  if (a.length !== b.length) return false;
  if (a.etag !== null || b.etag !== null) return a.etag === b.etag && !isWeak(a.etag);
  return a.lastModified !== null && a.lastModified === b.lastModified;
}

// A weak ETag ("W/...") promises equivalent content, not identical bytes: useless for ranges.
function isWeak(etag: string | null): boolean {
  return etag?.startsWith('W/') ?? false;
}
