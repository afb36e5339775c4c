/**
 * HTTP's own caching rules (RFC 9111) for the netfs, through http-cache-semantics (the rules
 * npm's fetcher uses), as a private cache:
 *
 * - A response with `no-store` is never stored.
 * - A stored copy is used without asking the server while it is fresh: for its `max-age` (or
 *   `Expires`), or, with neither, by the heuristic of RFC 9111 §4.2.2 — a tenth of the time
 *   since its Last-Modified, at most one day. `no-cache`, `max-age=0`, an expired `Expires` or a
 *   response with neither validator nor freshness information make it stale at once.
 * - A stale copy is revalidated with a conditional request; 304 refreshes its policy.
 * - `maxAgeMs`, when given (the command's `--max-age`), overrides all of this: a copy confirmed
 *   by the server within that time is used without asking, an older one is revalidated.
 *
 * Pieces fetched by Range must all be of one version, which only a strong validator can promise
 * (RFC 9110 §13.1.5): `rangeValidator` picks the one to send as If-Range, or none.
 */
import type { Clock } from '@armvm/fscache';
import CachePolicy from 'http-cache-semantics';
import type { Conditions } from './http-client.ts';
import { isWeak, type RemoteAux } from './remote-aux.ts';

/** The longest a heuristic (Last-Modified based) freshness lasts. */
export const HEURISTIC_LIMIT_MS = 24 * 3600 * 1000;

/** The request every policy is made for: a plain GET of the resource. */
function requestOf(url: URL): CachePolicy.Request {
  return { url: url.pathname + url.search, method: 'GET', headers: { host: url.host } };
}

/** CachePolicy with the netfs's clock, so tests can move time. */
function policyClass(clock: Clock) {
  return class extends CachePolicy {
    now(): number {
      return clock.now();
    }
  };
}

/** The netfs's caching rules for one clock. */
export class Freshness {
  readonly #Policy: ReturnType<typeof policyClass>;
  readonly #clock: Clock;
  readonly #maxAgeMs: number | undefined;

  constructor(clock: Clock, maxAgeMs: number | undefined) {
    this.#clock = clock;
    this.#maxAgeMs = maxAgeMs;
    this.#Policy = policyClass(clock);
  }

  /** The aux data of a 200 (or 206, as if it were the whole) answer with these headers. */
  describe(url: URL, headers: Record<string, string>, length: number): { aux: RemoteAux; storable: boolean } {
    const policy = new this.#Policy(requestOf(url), { status: 200, headers }, { shared: false });
    return {
      aux: {
        etag: headers['etag'] ?? null,
        lastModified: headers['last-modified'] ?? null,
        length,
        validatedAt: this.#clock.now(),
        headers,
        policy: policy.toObject() as unknown as Record<string, unknown>,
      },
      // Without a validator and without freshness, a stored copy could never be used again.
      storable:
        policy.storable() && (this.#maxAgeMs !== undefined || hasValidator(headers) || policy.maxAge() > 0),
    };
  }

  /** May the stored copy be used without asking the server? */
  isFresh(aux: RemoteAux): boolean {
    if (this.#maxAgeMs !== undefined) return this.#clock.now() - aux.validatedAt < this.#maxAgeMs;
    const policy = this.#policy(aux);
    if (!policy) return false;
    const maxAge = policy.maxAge();
    const lifetime = explicit(aux) ? maxAge : Math.min(maxAge, HEURISTIC_LIMIT_MS / 1000);
    return policy.age() < lifetime;
  }

  /** May the stored copy be stored at all (a revalidation may have said no-store)? */
  isStorable(aux: RemoteAux): boolean {
    return this.#policy(aux)?.storable() ?? true;
  }

  /** The conditions of a revalidation request for the stored copy. */
  conditions(aux: RemoteAux): Conditions {
    if (aux.etag !== null) return { ifNoneMatch: aux.etag };
    if (aux.lastModified !== null) return { ifModifiedSince: aux.lastModified };
    return {};
  }

  /** The stored copy, confirmed by a 304 carrying `headers`: its policy refreshed. */
  revalidated(url: URL, aux: RemoteAux, headers: Record<string, string>): RemoteAux {
    const old = this.#policy(aux);
    const policy = old
      ? old.revalidatedPolicy(requestOf(url), { status: 304, headers }).policy
      : new this.#Policy(requestOf(url), { status: 200, headers: { ...headers } }, { shared: false });
    return {
      ...aux,
      validatedAt: this.#clock.now(),
      headers: { ...aux.headers, ...headers },
      policy: policy.toObject() as unknown as Record<string, unknown>,
    };
  }

  #policy(aux: RemoteAux): CachePolicy | null {
    if (!aux.policy) return null;
    try {
      return this.#Policy.fromObject(aux.policy as unknown as CachePolicy.CachePolicyObject);
    } catch {
      return null;
    }
  }
}

/**
 * The validator that makes a Range request conditional (If-Range), or null when there is none a
 * client may send: a strong ETag; else a Last-Modified date that is strong by RFC 9110 §8.8.2.2 —
 * no ETag at all, and the response's Date at least a second after it (a change within the same
 * second would keep the date).
 */
export function rangeValidator(aux: RemoteAux): string | null {
  if (aux.etag !== null) return isWeak(aux.etag) ? null : aux.etag;
  if (aux.lastModified === null) return null;
  const modified = Date.parse(aux.lastModified);
  const date = Date.parse(aux.headers['date'] ?? '');
  return Number.isFinite(modified) && Number.isFinite(date) && date - modified >= 1000
    ? aux.lastModified
    : null;
}

function hasValidator(headers: Record<string, string>): boolean {
  return headers['etag'] !== undefined || headers['last-modified'] !== undefined;
}

// Freshness the server stated (max-age, s-maxage, Expires) rather than one guessed from Last-Modified.
function explicit(aux: RemoteAux): boolean {
  const h = aux.headers;
  return /(^|,)\s*(s-)?max-age\s*=/i.test(h['cache-control'] ?? '') || h['expires'] !== undefined;
}
