/**
 * The HTTP netfs: remote files cached through FS-Cache. Cookie tree: the netfs's primary index →
 * one index cookie per server (scheme://host:port) → one data cookie per resource (path+query),
 * whose aux data is the resource's validators (remote-aux.ts).
 *
 * Coherency: a cached copy confirmed within `maxAgeMs` is used without asking the server; an
 * older one is revalidated with a conditional request (304: still good). A changed resource is
 * retired and cached afresh. When the server cannot be reached, cached bytes are served only if
 * `staleIfError` allows it, and the file says so (`stale`).
 */
import { CheckAux, type CookieDef, type Fscache, type FscacheCookie, type Netfs } from '@armvm/fscache';
import { RemoteError } from './errors.ts';
import { HttpClient, type RemoteInfo } from './http-client.ts';
import { type RemoteAux, decodeAux, encodeAux, sameVersion } from './remote-aux.ts';
import { RemoteFile } from './remote-file.ts';
import { parseRemoteUrl } from './remote-url.ts';

/** Options of the HTTP netfs. */
export interface HttpNetfsOptions {
  /** The FS-Cache instance to cache through. */
  fscache: Fscache;
  /** The HTTP client (default: a new one). */
  client?: HttpClient;
  /** How long a cached copy is trusted without asking the server, in ms (default 60 s; 0: always ask). */
  maxAgeMs?: number;
  /** Serve cached bytes when the server cannot be reached (default false). */
  staleIfError?: boolean;
  /** Bytes per network block when no cache backs a file (default 64 KiB). */
  blockSize?: number;
  /** Largest single Range request, in bytes (default 8 MiB). */
  maxRequestBytes?: number;
  /** The clock (default Date.now). */
  now?: () => number;
}

/** A resource open in this netfs, shared by every open file of the same URL. */
export interface Resource {
  key: string;
  origin: string;
  url: URL;
  cookie: FscacheCookie | null;
  state: ResourceState;
  /** True when served from a cached copy the server could not confirm. */
  stale: boolean;
  /** Open files using it. */
  users: number;
  /** Blocks being written back to the cache, so a block is written once. */
  writing: Map<number, Promise<unknown>>;
}

/** A resource's cookie data: what the cache held, and what the resource is now. */
export interface ResourceState {
  key: string;
  /** The validators found in the cache during lookup, if any. */
  stored: RemoteAux | null;
  /** The validators the cached object should carry; null until known. */
  current: RemoteAux | null;
}

const serverDef: CookieDef<string> = { name: 'http-server', type: 'index', getKey: (origin) => origin };

const resourceDef: CookieDef<ResourceState> = {
  name: 'http-resource',
  type: 'data',
  getKey: (s) => s.key,
  getAux: (s) => (s.current ? encodeAux(s.current) : null),
  checkAux: (s, aux) => {
    const found = decodeAux(aux);
    s.stored = found;
    if (!found) return CheckAux.OBSOLETE;
    if (!s.current) return CheckAux.OKAY; // first look: the netfs decides after the lookup
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
  bytesFromCache: number;
  bytesFromNetwork: number;
}

/** The netfs. */
export class HttpNetfs {
  readonly fscache: Fscache;
  readonly client: HttpClient;
  readonly netfs: Netfs;
  readonly maxAgeMs: number;
  readonly staleIfError: boolean;
  readonly blockSize: number;
  readonly maxRequestBytes: number;
  readonly now: () => number;
  readonly stats: HttpNetfsStats = {
    opens: 0,
    fresh: 0,
    revalidated: 0,
    changed: 0,
    staleServed: 0,
    bytesFromCache: 0,
    bytesFromNetwork: 0,
  };
  /** Fetches in flight, shared by every reader of the same block. */
  readonly inflight = new Map<string, Promise<Buffer>>();
  readonly #servers = new Map<string, { cookie: Promise<FscacheCookie | null>; users: number }>();
  readonly #resources = new Map<string, Promise<Resource>>();
  readonly #ownClient: boolean;

  constructor(options: HttpNetfsOptions) {
    this.fscache = options.fscache;
    this.#ownClient = options.client === undefined;
    this.client = options.client ?? new HttpClient();
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.staleIfError = options.staleIfError ?? false;
    this.blockSize = options.blockSize ?? 64 * 1024;
    this.maxRequestBytes = options.maxRequestBytes ?? 8 << 20;
    this.now = options.now ?? Date.now;
    if (!(this.maxAgeMs >= 0)) throw new RangeError(`maxAgeMs must be 0 or more (got ${this.maxAgeMs})`);
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
    resource.users++;
    return new RemoteFile(this, resource);
  }

  /** @internal the last file of a resource was closed: write back, let go of the cookie. */
  async closeResource(resource: Resource): Promise<void> {
    if (--resource.users > 0) return;
    this.#resources.delete(`${resource.origin}\0${resource.key}`);
    await Promise.allSettled([...resource.writing.values()]);
    const cookie = resource.cookie;
    resource.cookie = null;
    await this.fscache.relinquishCookie(cookie);
    await this.#releaseServer(resource.origin);
  }

  /** @internal the cached copy cannot be trusted any more: delete it; reads go to the network. */
  async retireResource(resource: Resource): Promise<void> {
    const cookie = resource.cookie;
    resource.cookie = null;
    await Promise.allSettled([...resource.writing.values()]);
    if (cookie) await this.fscache.relinquishCookie(cookie, { retire: true });
  }

  async #openResource(url: URL, origin: string, key: string): Promise<Resource> {
    const server = await this.#server(origin);
    try {
      const { cookie, state, stale } = await this.#lookup(url, key, server);
      return { key, origin, url, cookie, state, stale, users: 0, writing: new Map() };
    } catch (err) {
      await this.#releaseServer(origin);
      throw err;
    }
  }

  async #lookup(url: URL, key: string, server: FscacheCookie | null) {
    const fs = this.fscache;
    const state: ResourceState = { key, stored: null, current: null };
    let cookie = await fs.acquireCookie(server, resourceDef, state);
    await fs.waitForDeferredLookup(cookie);
    const stored = cookie ? state.stored : null;
    const now = this.now();
    if (stored) {
      if (now - stored.validatedAt <= this.maxAgeMs) {
        this.stats.fresh++;
        state.current = stored;
        return { cookie, state, stale: false };
      }
      let info: RemoteInfo;
      try {
        info = await this.#probe(url, stored);
      } catch (err) {
        if (err instanceof RemoteError && err.transient && this.staleIfError) {
          this.stats.staleServed++;
          state.current = stored;
          return { cookie, state, stale: true };
        }
        await fs.relinquishCookie(cookie);
        throw err;
      }
      const fresh = describe(info, now);
      if (info.status === 304 || sameVersion(stored, fresh)) {
        this.stats.revalidated++;
        state.current = { ...stored, validatedAt: now };
        fs.updateCookie(cookie);
        return { cookie, state, stale: false };
      }
      // The resource changed: retire the old copy and cache the new one afresh.
      this.stats.changed++;
      await fs.relinquishCookie(cookie, { retire: true });
      const next: ResourceState = { key, stored: null, current: fresh };
      cookie = await fs.acquireCookie(server, resourceDef, next);
      return { cookie, state: next, stale: false };
    }
    let info: RemoteInfo;
    try {
      info = await this.#probe(url, null);
    } catch (err) {
      await fs.relinquishCookie(cookie);
      throw err;
    }
    state.current = describe(info, now);
    fs.updateCookie(cookie); // the new object stores the validators once it is active
    return { cookie, state, stale: false };
  }

  // Asks the server for validators and length; conditionally when we hold a copy.
  async #probe(url: URL, held: RemoteAux | null): Promise<RemoteInfo> {
    const conditions = held
      ? {
          ...(held.etag ? { ifNoneMatch: held.etag } : {}),
          ...(held.lastModified && !held.etag ? { ifModifiedSince: held.lastModified } : {}),
        }
      : {};
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

function describe(info: RemoteInfo, now: number): RemoteAux {
  return {
    etag: info.etag ?? null,
    lastModified: info.lastModified ?? null,
    length: info.length ?? 0,
    validatedAt: now,
  };
}
