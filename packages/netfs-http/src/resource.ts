/**
 * A resource open in the HTTP netfs, and what its files (remote-file.ts) and transfers
 * (transfer.ts) need from the netfs and from each transfer. They are typed against these
 * interfaces rather than HttpNetfs and Transfer, so the modules do not import each other in a ring.
 */
import type { Clock, Fscache, FscacheCookie } from '@armvm/fscache';
import type { RemoteError } from './errors.ts';
import type { HttpClient } from './http-client.ts';
import type { RemoteAux } from './remote-aux.ts';

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
  /** Blocks fetched and being written to the cache: readers take them from here meanwhile. */
  pending: Map<number, Buffer>;
  /**
   * Blocks fetched lately while no cache backs it (at most 16, oldest dropped first):
   * a read right after another (a header, then the whole file) takes them rather than fetch them again.
   */
  recent: Map<number, Buffer>;
  /** GETs in flight for it. */
  transfers: Set<ResourceTransfer>;
  /** The server answered a Range request with the whole resource: ask it for ranges no more. */
  rangeIgnored: boolean;
  /** Set once the resource changed while being read: every further read fails with it. */
  changed: RemoteError | null;
  /** The retirement that a change started, for the last close to wait for. */
  retiring: Promise<void> | null;
}

/** A resource's cookie data: what the cache held, and what the resource is now. */
export interface ResourceState {
  key: string;
  /** The validators found in the cache during lookup, if any. */
  stored: RemoteAux | null;
  /** The validators the cached object should carry; null until known. */
  current: RemoteAux | null;
}

/** A GET in flight for a resource, as its files and the netfs see it (a Transfer). */
export interface ResourceTransfer {
  /** Settles when the transfer has ended, well or not (never rejects). */
  readonly done: Promise<void>;
  /** Will this transfer deliver block `p` (or does it hold it already)? */
  covers(p: number): boolean;
  /** Block `p`, when it arrives. Only for blocks it covers. */
  take(p: number): Promise<Buffer>;
  /** Stops the transfer; readers still waiting get `reason`. */
  abort(reason: unknown): void;
}

/** What a resource's files and transfers use of the netfs (an HttpNetfs). */
export interface ResourceNetfs {
  readonly fscache: Fscache;
  readonly client: HttpClient;
  readonly blockSize: number;
  readonly maxRequestBytes: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly clock: Clock;
  readonly stats: { bytesFromCache: number; bytesFromNetwork: number; retries: number };
  /** The last file of a resource was closed: stop its transfers, let go of the cookie. */
  closeResource(resource: Resource): Promise<void>;
  /** The resource changed on the server mid-read: fail its readers and retire the cached copy. */
  resourceChanged(resource: Resource, err: RemoteError): Promise<void>;
}
