/**
 * The coherency data a cached remote file keeps with it: the server's validators (ETag,
 * Last-Modified), the length, when the server last confirmed them, and the HTTP caching policy
 * of that answer (http-cache-semantics' serialised CachePolicy: its Cache-Control, Expires,
 * Date, Age and validators), from which freshness is decided (freshness.ts).
 */

/** What we know of a remote resource's version. */
export interface RemoteAux {
  etag: string | null;
  lastModified: string | null;
  length: number;
  /** Milliseconds since the epoch at which the server last confirmed these validators. */
  validatedAt: number;
  /** The headers of the server's answer that decide caching (Cache-Control, Expires, Date, …). */
  headers: Record<string, string>;
  /** The caching policy of the server's last answer (CachePolicy.toObject()), or null if unknown. */
  policy: Record<string, unknown> | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const VERSION = 2;

/** Encodes aux data (compact JSON: small, and readable in listings). */
export function encodeAux(a: RemoteAux): Uint8Array {
  return encoder.encode(
    JSON.stringify({
      v: VERSION,
      e: a.etag,
      m: a.lastModified,
      n: a.length,
      t: a.validatedAt,
      h: a.headers,
      p: a.policy,
    }),
  );
}

/** Decodes aux data, or null for anything that is not exactly what encodeAux writes. */
export function decodeAux(bytes: Uint8Array): RemoteAux | null {
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || (v as { v?: unknown }).v !== VERSION) return null;
  const { e, m, n, t, h, p } = v as Record<string, unknown>;
  const strOrNull = (x: unknown) => x === null || typeof x === 'string';
  if (!strOrNull(e) || !strOrNull(m)) return null;
  if (!Number.isSafeInteger(n) || (n as number) < 0 || !Number.isFinite(t)) return null;
  if (p !== null && (typeof p !== 'object' || Array.isArray(p))) return null;
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return null;
  if (!Object.values(h).every((x) => typeof x === 'string')) return null;
  return {
    etag: e as string | null,
    lastModified: m as string | null,
    length: n as number,
    validatedAt: t as number,
    headers: h as Record<string, string>,
    policy: p as Record<string, unknown> | null,
  };
}

/**
 * True when two descriptions name the same version of a resource: the same length, and the same
 * strong ETag when either has one (a weak tag only promises an equivalent version, never the same
 * bytes) with no disagreeing Last-Modified, else the same Last-Modified.
 */
export function sameVersion(
  a: Pick<RemoteAux, 'etag' | 'lastModified' | 'length'>,
  b: Pick<RemoteAux, 'etag' | 'lastModified' | 'length'>,
): boolean {
  if (a.length !== b.length) return false;
  if (a.etag !== null || b.etag !== null) {
    if (a.etag !== b.etag || isWeak(a.etag)) return false;
    // A server that kept its ETag but moved Last-Modified changed something: trust neither.
    return a.lastModified === null || b.lastModified === null || a.lastModified === b.lastModified;
  }
  return a.lastModified !== null && a.lastModified === b.lastModified;
}

/** True for a weak ETag (`W/"…"`): equivalent content, not identical bytes. */
export function isWeak(etag: string | null | undefined): boolean {
  return etag?.startsWith('W/') ?? false;
}
