/**
 * The HTTP netfs: remote files cached through FS-Cache. Cookie tree: the netfs's primary index →
 * one index cookie per server (scheme://host:port) → one data cookie per resource (path+query),
 * whose aux data is the resource's validators and caching policy (remote-aux.ts).
 *
 * Coherency follows HTTP's caching rules (freshness.ts): a fresh copy is used without asking
 * the server; a stale one (or one the server said `no-cache` of) is revalidated with a
 * conditional request; a `no-store` answer is never stored; `maxAgeMs` overrides freshness. A
 * changed resource is retired and cached afresh. When the server cannot be reached, cached bytes
 * are served only if `staleIfError` allows it, and the file says so (`stale`). A resource that
 * changes while it is read fails the read with ERR_NETFS_CHANGED and is retired: the next open
 * gets the new version.
 */
import {
  CheckAux,
  type Clock,
  type CookieDef,
  type Fscache,
  type FscacheCookie,
  type Netfs,
} from '@armvm/fscache';
import { RemoteError } from './errors.ts';
import { Freshness } from './freshness.ts';
import { type Conditions, HttpClient, type RemoteInfo } from './http-client.ts';
import { decodeAux, encodeAux, sameVersion } from './remote-aux.ts';
import { RemoteFile } from './remote-file.ts';
import { parseRemoteUrl } from './remote-url.ts';
import type { Resource, ResourceNetfs, ResourceState } from './resource.ts';

/** Options of the HTTP netfs. */
export interface HttpNetfsOptions {
  /** The FS-Cache instance to cache through. */
  fscache: Fscache;
  /** The HTTP client (default: a new one). */
  client?: HttpClient;
  /**
   * Overrides HTTP's freshness rules: a cached copy confirmed by the server within this many ms
   * is used without asking it, an older one is revalidated (0: always ask). Default: the rules.
   */
  maxAgeMs?: number;
  /** Serve cached bytes when the server cannot be reached (default false). */
  staleIfError?: boolean;
  /** Bytes per network block when no cache backs a file (default 64 KiB). */
  blockSize?: number;
  /** Largest single Range request, in bytes (default 8 MiB). */
  maxRequestBytes?: number;
  /** Transient failures in a row retried before a read fails (default 5). */
  retries?: number;
  /** The first retry's delay in ms, doubled for each further one (default 250). */
  retryDelayMs?: number;
  /** The time: freshness, and the waits between retries (default the FS-Cache instance's clock). */
  clock?: Clock;
}

const serverDef: CookieDef<string> = { name: 'http-server', type: 'index', getKey: (origin) => origin };

const resourceDef: CookieDef<ResourceState> = {
  name: 'http-resource',
  type: 'data',
  getKey: (s) => s.key,
  getAux: (s) => (s.current ? encodeAux(s.current) : null),
  checkAux: (s, aux) => {
    const found = decodeAux(aux);
    if (!s.current) s.stored = found; // first look: the netfs decides after the lookup
    if (!found) return CheckAux.OBSOLETE;
    if (!s.current) return CheckAux.OKAY;
    if (!sameVersion(found, s.current)) return CheckAux.OBSOLETE;
    return found.validatedAt === s.current.validatedAt ? CheckAux.OKAY : CheckAux.NEEDS_UPDATE;
  },
  getAttr: (s) => s.current?.length ?? 0,
};

/** Counters of what the netfs did. */
export interface HttpNetfsStats {
  opens: number;
  /** Opens answered from the cache without asking the server. */
  fresh: number;
  /** Conditional requests that confirmed the cached copy. */
  revalidated: number;
  /** Cached copies found out of date. */
  changed: number;
  /** Opens that served cached bytes because the server could not be reached. */
  staleServed: number;
  /** Opens of resources the server said not to store (no-store), or that could never be reused. */
  notStored: number;
  /** Resources found changed while being read. */
  changedMidRead: number;
  /** Requests sent again after a transient failure. */
  retries: number;
  bytesFromCache: number;
  bytesFromNetwork: number;
}

/** The netfs. */
export class HttpNetfs implements ResourceNetfs {
  readonly fscache: Fscache;
  readonly client: HttpClient;
  readonly netfs: Netfs;
  readonly maxAgeMs: number | undefined;
  readonly staleIfError: boolean;
  readonly blockSize: number;
  readonly maxRequestBytes: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly clock: Clock;
  readonly freshness: Freshness;
  readonly stats: HttpNetfsStats = {
    opens: 0,
    fresh: 0,
    revalidated: 0,
    changed: 0,
    staleServed: 0,
    notStored: 0,
    changedMidRead: 0,
    retries: 0,
    bytesFromCache: 0,
    bytesFromNetwork: 0,
  };
  readonly #servers = new Map<string, { cookie: Promise<FscacheCookie | null>; users: number }>();
  readonly #resources = new Map<string, Promise<Resource>>();
  readonly #ownClient: boolean;

  constructor(options: HttpNetfsOptions) {
    this.fscache = options.fscache;
    this.#ownClient = options.client === undefined;
    this.client = options.client ?? new HttpClient();
    this.maxAgeMs = options.maxAgeMs;
    this.staleIfError = options.staleIfError ?? false;
    this.blockSize = options.blockSize ?? 64 * 1024;
    this.maxRequestBytes = options.maxRequestBytes ?? 8 << 20;
    this.retries = options.retries ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.clock = options.clock ?? options.fscache.clock;
    if (this.maxAgeMs !== undefined && !(this.maxAgeMs >= 0))
      throw new RangeError(`maxAgeMs must be 0 or more (got ${this.maxAgeMs})`);
    if (!Number.isInteger(this.retries) || this.retries < 0)
      throw new RangeError(`retries must be a non-negative integer (got ${this.retries})`);
    this.freshness = new Freshness(this.clock, this.maxAgeMs);
    this.netfs = this.fscache.registerNetfs({ name: 'netfs-http', version: 1 });
  }

  /** Opens a remote file: finds it in the cache, revalidates it if need be, or asks the server. */
  async open(url: string | URL): Promise<RemoteFile> {
    const remote = parseRemoteUrl(url);
    this.stats.opens++;
    const id = `${remote.origin}\0${remote.key}`;
    let pending = this.#resources.get(id);
    if (!pending) {
      pending = this.#openResource(remote.url, remote.origin, remote.key);
      this.#resources.set(id, pending);
      pending.catch(() => this.#resources.delete(id));
    }
    const resource = await pending;
    if (resource.changed) {
      // It changed under an earlier reader: this open starts afresh with the new version.
      if (this.#resources.get(id) === pending) this.#resources.delete(id);
      return this.open(url);
    }
    resource.users++;
    return new RemoteFile(this, resource);
  }

  /** @internal the last file of a resource was closed: stop its transfers, let go of the cookie. */
  async closeResource(resource: Resource): Promise<void> {
    if (--resource.users > 0) return;
    const id = `${resource.origin}\0${resource.key}`;
    if ((await this.#resources.get(id)?.catch(() => null)) === resource) this.#resources.delete(id);
    const closed = new RemoteError('ABORT_ERR', resource.url.href, 'the file was closed');
    for (const t of resource.transfers) t.abort(closed);
    await Promise.all([...resource.transfers].map((t) => t.done));
    // A change's retirement relinquishes the cookie: it must be over before the server's goes.
    await resource.retiring;
    const cookie = resource.cookie;
    resource.cookie = null;
    await this.fscache.relinquishCookie(cookie, { retire: resource.changed !== null });
    await this.#releaseServer(resource.origin);
  }

  /**
   * @internal the resource changed on the server mid-read: every reader fails with `err`, the
   * cached copy is retired (deleted, so nothing of it is trusted again) and the next open starts
   * afresh with the new version.
   */
  resourceChanged(resource: Resource, err: RemoteError): Promise<void> {
    if (resource.changed) return resource.retiring ?? Promise.resolve();
    resource.changed = err;
    this.stats.changedMidRead++;
    for (const t of resource.transfers) t.abort(err);
    resource.retiring = (async () => {
      const id = `${resource.origin}\0${resource.key}`;
      if ((await this.#resources.get(id)?.catch(() => null)) === resource) this.#resources.delete(id);
      await Promise.all([...resource.transfers].map((t) => t.done));
      const cookie = resource.cookie;
      resource.cookie = null;
      if (cookie) await this.fscache.relinquishCookie(cookie, { retire: true });
    })();
    return resource.retiring;
  }

  async #openResource(url: URL, origin: string, key: string): Promise<Resource> {
    const server = await this.#server(origin);
    try {
      const { cookie, state, stale } = await this.#lookup(url, key, server);
      return {
        key,
        origin,
        url,
        cookie,
        state,
        stale,
        users: 0,
        pending: new Map(),
        recent: new Map(),
        transfers: new Set(),
        rangeIgnored: false,
        changed: null,
        retiring: null,
      };
    } catch (err) {
      await this.#releaseServer(origin);
      throw err;
    }
  }

  async #lookup(url: URL, key: string, server: FscacheCookie | null) {
    const fs = this.fscache;
    const rules = this.freshness;
    const state: ResourceState = { key, stored: null, current: null };
    let cookie = await fs.acquireCookie(server, resourceDef, state);
    await fs.waitForDeferredLookup(cookie);
    const stored = cookie ? state.stored : null;
    if (stored) {
      if (rules.isFresh(stored)) {
        this.stats.fresh++;
        state.current = stored;
        return { cookie, state, stale: false };
      }
      let info: RemoteInfo;
      try {
        info = await this.#probe(url, rules.conditions(stored));
      } catch (err) {
        if (err instanceof RemoteError && err.transient && this.staleIfError) {
          this.stats.staleServed++;
          state.current = stored;
          return { cookie, state, stale: true };
        }
        await fs.relinquishCookie(cookie);
        throw err;
      }
      const now = info.status === 304 ? null : rules.describe(url, info.headers, info.length ?? 0);
      if (info.status === 304 || sameVersion(stored, now!.aux)) {
        this.stats.revalidated++;
        state.current = now ? now.aux : rules.revalidated(url, stored, info.headers);
        if (!rules.isStorable(state.current)) {
          // The server now says not to keep it.
          this.stats.notStored++;
          await fs.relinquishCookie(cookie, { retire: true });
          return { cookie: null, state, stale: false };
        }
        fs.updateCookie(cookie);
        return { cookie, state, stale: false };
      }
      // The resource changed: retire the old copy and cache the new one afresh.
      this.stats.changed++;
      await fs.relinquishCookie(cookie, { retire: true });
      const next: ResourceState = { key, stored: null, current: now!.aux };
      if (!now!.storable) {
        this.stats.notStored++;
        return { cookie: null, state: next, stale: false };
      }
      cookie = await fs.acquireCookie(server, resourceDef, next);
      await fs.waitForDeferredLookup(cookie);
      return { cookie, state: next, stale: false };
    }
    let info: RemoteInfo;
    try {
      info = await this.#probe(url, {});
    } catch (err) {
      // Nothing was cached for it: leave no empty object behind (a 404 is not worth a listing).
      await fs.relinquishCookie(cookie, { retire: true });
      throw err;
    }
    const d = rules.describe(url, info.headers, info.length ?? 0);
    state.current = d.aux;
    if (!d.storable) {
      // no-store, or nothing that could ever be reused: keep no copy at all.
      this.stats.notStored++;
      await fs.relinquishCookie(cookie, { retire: true });
      return { cookie: null, state, stale: false };
    }
    fs.updateCookie(cookie); // the new object stores the validators once it is active
    return { cookie, state, stale: false };
  }

  // Asks the server for validators, length and caching headers (conditionally when we hold a copy).
  async #probe(url: URL, conditions: Conditions): Promise<RemoteInfo> {
    const info = await this.client.head(url, conditions);
    if (info.status === 200 && info.length === undefined) {
      throw new RemoteError(
        'ERR_NETFS_BAD_RESPONSE',
        url.href,
        'the server does not say how long the resource is',
      );
    }
    return info;
  }

  async #server(origin: string): Promise<FscacheCookie | null> {
    let s = this.#servers.get(origin);
    if (!s) {
      s = { cookie: this.fscache.acquireCookie(this.netfs.primaryIndex, serverDef, origin), users: 0 };
      this.#servers.set(origin, s);
    }
    s.users++;
    return s.cookie;
  }

  async #releaseServer(origin: string): Promise<void> {
    const s = this.#servers.get(origin);
    if (!s || --s.users > 0) return;
    this.#servers.delete(origin);
    await this.fscache.relinquishCookie(await s.cookie);
  }

  /** Lets go of everything: close files first. */
  async close(): Promise<void> {
    for (const pending of [...this.#resources.values()]) {
      const r = await pending.catch(() => null);
      if (r) {
        r.users = 1;
        await this.closeResource(r);
      }
    }
    for (const [origin, s] of [...this.#servers]) {
      s.users = 1;
      await this.#releaseServer(origin);
    }
    await this.fscache.unregisterNetfs(this.netfs);
    if (this.#ownClient) this.client.close();
  }
}
