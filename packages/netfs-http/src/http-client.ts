/**
 * The HTTP side of the netfs: HEAD and GET with Range and conditional headers over keep-alive
 * agents, validated strictly so that a cache above it never stores wrong or partial bytes.
 */
import { Buffer } from 'node:buffer';
import {
  Agent as HttpAgent,
  type ClientRequest,
  type IncomingMessage,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { URL } from 'node:url';
import { type ByteRange, type ContentRange, formatRange, rangeLength } from './byte-range.ts';
import { RemoteError, RemoteUrlError } from './errors.ts';
import { type Proxy, ProxyRouter, type ProxySettings } from './proxy-env.ts';
import { ProxyFailure, proxyError, TunnelAgent } from './proxy-tunnel.ts';
import { parseRemoteUrl } from './remote-url.ts';
import {
  checkIdentity,
  checkPartial,
  contentLength,
  header,
  lengthError,
  networkError,
  statusError,
  truncated,
} from './response-check.ts';

/** How an HttpClient behaves; every field has a default. */
export interface HttpClientOptions {
  /** Longest silence allowed while connecting, waiting for headers or between body chunks (default 30 s). */
  timeoutMs?: number;
  /** Redirects (301/302/307/308) followed before giving up (default 5; 0 refuses every redirect). */
  maxRedirects?: number;
  /** The User-Agent header (default `netfs-http`). */
  userAgent?: string;
  /** Extra TLS trust, e.g. a test CA (passed to the https agent). */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * Proxies, in the environment variables' syntax (default none). `proxyFromEnv()` gives the
   * ones curl would use: http: URLs are sent to the proxy in absolute form, https: URLs go
   * through a CONNECT tunnel with TLS to the server inside it.
   */
  proxy?: ProxySettings;
}

/** Conditional headers: ask the server to answer 304 if the copy we hold is still current. */
export interface Conditions {
  /** An ETag we hold (sent as If-None-Match). */
  ifNoneMatch?: string;
  /** A Last-Modified we hold (sent as If-Modified-Since). */
  ifModifiedSince?: string | Date;
  /** Cancels the request; it then fails with ABORT_ERR. */
  signal?: AbortSignal;
}

/** Options of `get`. */
export interface GetOptions extends Conditions {
  /** The inclusive span wanted; omitted for the whole resource. */
  range?: ByteRange;
  /**
   * With `range`: send it only if the resource still has this validator (a strong ETag, or a
   * Last-Modified date); otherwise the server answers 200 with the whole current resource.
   */
  ifRange?: string;
  /** Called with each body chunk as it arrives (progress), before the whole body is checked. */
  onData?: (chunk: Buffer) => void;
  /**
   * Streams the body instead of collecting it: `head` is told the status and headers before the
   * first byte (it may throw to refuse the response), and `sink` gets each chunk; while a promise
   * it returns is pending, reading stops. The result's `body` is then empty.
   */
  stream?: { head?: (head: ResponseHead) => void; sink: (chunk: Buffer) => void | Promise<void> };
}

/** What a response says before its body: for a streamed GET to decide what to do with it. */
export interface ResponseHead {
  status: 200 | 206;
  /** Offset of the first body byte in the resource. */
  start: number;
  /** Bytes the body will have. */
  length: number | undefined;
  /** The resource's length (the Content-Range total of a 206, the length of a 200). */
  totalLength: number | undefined;
  etag: string | undefined;
  lastModified: string | undefined;
  /** The headers that decide caching (see CACHE_HEADERS). */
  headers: Record<string, string>;
}

/** The response headers that decide caching and coherency, kept with a cached resource. */
export const CACHE_HEADERS = [
  'cache-control',
  'expires',
  'date',
  'age',
  'last-modified',
  'etag',
  'pragma',
  'vary',
] as const;

/** What a HEAD learnt about a resource. */
export interface RemoteInfo {
  /** 200, or 304 when the conditions held. */
  status: 200 | 304;
  /** The URL finally answered, after redirects. */
  url: string;
  etag: string | undefined;
  lastModified: string | undefined;
  /** Content-Length, when the server gave one. */
  length: number | undefined;
  /** True when the server advertised `Accept-Ranges: bytes`. */
  acceptRanges: boolean;
  /** The headers that decide caching (see CACHE_HEADERS). */
  headers: Record<string, string>;
}

/** The result of a GET, checked: its body is exactly the bytes the headers promised. */
export interface RemoteBody {
  /** 200 (whole resource), 206 (the range asked for) or 304 (conditions held, empty body). */
  status: 200 | 206 | 304;
  /** The URL finally answered, after redirects. */
  url: string;
  etag: string | undefined;
  lastModified: string | undefined;
  /** Length of the whole resource: the Content-Range total of a 206 or the length of a 200. */
  totalLength: number | undefined;
  /** Offset of `body` in the resource (0 unless a 206). */
  start: number;
  body: Buffer;
  /** Body bytes received for this call. */
  bytes: number;
  /** True when a range was asked for and the server sent the whole resource (200) instead. */
  rangeIgnored: boolean;
  /** The headers that decide caching (see CACHE_HEADERS). */
  headers: Record<string, string>;
}

/** Counters of an HttpClient, for a caller proving what crossed the network. */
export interface HttpClientStats {
  /** Requests sent, redirects and retries included. */
  requests: number;
  /** Body bytes received, of any status. */
  bodyBytes: number;
  /** Conditional requests answered 304. */
  notModified: number;
  /** Redirects followed. */
  redirects: number;
  /** Requests sent again because a reused keep-alive socket had been closed by the server. */
  retries: number;
}

/** What a response must look like to be accepted, decided from its status and headers. */
interface Plan {
  /** Keep the body in memory. */
  collect: boolean;
  /** Hand the body to the caller's onData (otherwise, if not collected, it is drained and dropped). */
  deliver?: boolean;
  /** Exact body length required, when known. */
  expected: number | undefined;
  /** Fail with this once the (small) body is drained: a status error. */
  error?: RemoteError;
}

interface Exchange {
  res: IncomingMessage;
  url: URL;
  body: Buffer;
  bytes: number;
}

const REDIRECTS = new Set([301, 302, 307, 308]);
/** Error bodies larger than this are not drained: the socket is dropped instead of read to the end. */
const DRAIN_LIMIT = 64 * 1024;

/** May a redirect go from `from` to `to`? Same scheme, or an upgrade from http to https; never a downgrade. */
export function redirectAllowed(from: URL, to: URL): boolean {
  return from.protocol === to.protocol || (from.protocol === 'http:' && to.protocol === 'https:');
}

/** An HTTP(S) client with one keep-alive agent per scheme, strict response checks and counters. */
export class HttpClient {
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly userAgent: string;
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;
  readonly #ca: HttpClientOptions['ca'];
  readonly #router: ProxyRouter;
  /** Keep-alive connections to http: proxies, which carry absolute-form requests for any server. */
  readonly #toProxy = new HttpAgent({ keepAlive: true });
  /** One tunnelling agent per https: proxy. */
  readonly #tunnels = new Map<string, TunnelAgent>();
  readonly #stats: HttpClientStats = { requests: 0, bodyBytes: 0, notModified: 0, redirects: 0, retries: 0 };

  constructor(options: HttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.userAgent = options.userAgent ?? 'netfs-http';
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${this.timeoutMs}`);
    if (!Number.isInteger(this.maxRedirects) || this.maxRedirects < 0) {
      throw new RangeError(`maxRedirects must be a non-negative integer, got ${this.maxRedirects}`);
    }
    this.#http = new HttpAgent({ keepAlive: true });
    this.#ca = options.ca;
    this.#https = new HttpsAgent({
      keepAlive: true,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    });
    this.#router = new ProxyRouter(options.proxy ?? {});
  }

  /** A copy of the counters. */
  get stats(): HttpClientStats {
    return { ...this.#stats };
  }

  /** Closes idle keep-alive sockets; requests still running are not interrupted by it. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
    this.#toProxy.destroy();
    for (const tunnel of this.#tunnels.values()) tunnel.destroy();
  }

  /** Asks for a resource's validators and length without its body. */
  async head(url: string | URL, options: Conditions = {}): Promise<RemoteInfo> {
    const conditional = options.ifNoneMatch !== undefined || options.ifModifiedSince !== undefined;
    const ex = await this.#follow(
      url,
      'HEAD',
      this.#headers(options),
      options.signal,
      undefined,
      (res, at) => {
        const status = res.statusCode ?? 0;
        if (status === 200 || (status === 304 && conditional)) return { collect: false, expected: 0 };
        return { collect: false, expected: 0, error: statusError(status, at) };
      },
    );
    return {
      ...this.#answered(ex),
      status: ex.res.statusCode as 200 | 304,
      length: contentLength(ex.res, ex.url),
      acceptRanges: /(^|,)\s*bytes\s*(,|$)/i.test(header(ex.res, 'accept-ranges') ?? ''),
    };
  }

  // What every answer reports: where it came from and its validators; a 304 is counted here.
  #answered(ex: Exchange): {
    url: string;
    etag: string | undefined;
    lastModified: string | undefined;
    headers: Record<string, string>;
  } {
    if (ex.res.statusCode === 304) this.#stats.notModified++;
    return {
      url: ex.url.href,
      etag: header(ex.res, 'etag'),
      lastModified: header(ex.res, 'last-modified'),
      headers: cacheHeaders(ex.res),
    };
  }

  /** Fetches a resource or one range of it; the body returned is checked against every header. */
  async get(url: string | URL, options: GetOptions = {}): Promise<RemoteBody> {
    const { range } = options;
    const headers = this.#headers(options);
    if (range !== undefined) {
      try {
        headers['range'] = formatRange(range);
      } catch (err) {
        throw new RangeError((err as Error).message);
      }
      if (options.ifRange !== undefined) headers['if-range'] = options.ifRange;
    }
    const stream = options.stream;
    const conditional = options.ifNoneMatch !== undefined || options.ifModifiedSince !== undefined;
    let contentRange: ContentRange | undefined;
    const onData = stream ? stream.sink : options.onData;
    const ex = await this.#follow(url, 'GET', headers, options.signal, onData, (res, at) => {
      const status = res.statusCode ?? 0;
      const length = contentLength(res, at);
      if (status === 304 && conditional) return { collect: false, expected: 0 };
      if (status !== 200 && status !== 206)
        return { collect: false, expected: length, error: statusError(status, at, res) };
      checkIdentity(res, at);
      let plan: Plan;
      if (status === 200) {
        plan = { collect: !stream, deliver: true, expected: length };
      } else {
        if (range === undefined)
          throw new RemoteError('ERR_NETFS_BAD_RANGE', at.href, 'a 206 answered a request without Range', {
            status,
          });
        contentRange = checkPartial(res, range, length, at);
        plan = { collect: !stream, deliver: true, expected: rangeLength(contentRange) };
      }
      stream?.head?.({
        status,
        start: contentRange?.start ?? 0,
        length: plan.expected,
        totalLength: status === 206 ? contentRange!.total : length,
        etag: header(res, 'etag'),
        lastModified: header(res, 'last-modified'),
        headers: cacheHeaders(res),
      });
      return plan;
    });
    const status = ex.res.statusCode as 200 | 206 | 304;
    return {
      ...this.#answered(ex),
      status,
      totalLength: status === 206 ? contentRange!.total : status === 200 ? ex.bytes : undefined,
      start: status === 206 ? contentRange!.start : 0,
      body: ex.body,
      bytes: ex.bytes,
      rangeIgnored: range !== undefined && status === 200,
    };
  }

  #headers(options: Conditions): Record<string, string> {
    // identity: the bytes we cache and slice must be the resource's own bytes, never an encoding of them.
    const headers: Record<string, string> = { 'user-agent': this.userAgent, 'accept-encoding': 'identity' };
    if (options.ifNoneMatch !== undefined) headers['if-none-match'] = options.ifNoneMatch;
    const ims = options.ifModifiedSince;
    if (ims !== undefined) headers['if-modified-since'] = typeof ims === 'string' ? ims : ims.toUTCString();
    return headers;
  }

  /** Sends the request, following redirects within the bound and the scheme rule. */
  async #follow(
    input: string | URL,
    method: 'GET' | 'HEAD',
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    onData: ((chunk: Buffer) => void | Promise<void>) | undefined,
    plan: (res: IncomingMessage, url: URL) => Plan,
  ): Promise<Exchange> {
    let url = parseRemoteUrl(input).url;
    for (let hops = 0; ; hops++) {
      const ex = await this.#send(
        url,
        method,
        headers,
        signal,
        (res, at) => {
          if (REDIRECTS.has(res.statusCode ?? 0)) return { collect: false, expected: contentLength(res, at) };
          return plan(res, at);
        },
        onData,
      );
      const status = ex.res.statusCode ?? 0;
      if (!REDIRECTS.has(status)) return ex;
      const location = header(ex.res, 'location');
      if (location === undefined) {
        throw new RemoteError('ERR_NETFS_REDIRECT', url.href, 'redirect without a Location header', {
          status,
        });
      }
      if (hops >= this.maxRedirects) {
        throw new RemoteError('ERR_NETFS_REDIRECT', url.href, `more than ${this.maxRedirects} redirects`, {
          status,
        });
      }
      let next: URL;
      try {
        next = parseRemoteUrl(new URL(location, url).href).url;
      } catch (cause) {
        const why = cause instanceof RemoteUrlError ? cause.message : 'not a URL';
        throw new RemoteError('ERR_NETFS_REDIRECT', url.href, `redirect to a refused location: ${why}`, {
          status,
          cause,
        });
      }
      if (!redirectAllowed(url, next)) {
        throw new RemoteError(
          'ERR_NETFS_REDIRECT',
          url.href,
          `redirect from ${url.protocol} to ${next.protocol} refused`,
          { status },
        );
      }
      this.#stats.redirects++;
      url = next;
    }
  }

  // An http: URL through a proxy is asked of the proxy in absolute form; an https: one goes
  // through the proxy's tunnelling agent; without a proxy, each scheme has its own agent.
  #request(url: URL, method: string, headers: Record<string, string>, proxy: Proxy | null): ClientRequest {
    const https = url.protocol === 'https:';
    if (!proxy)
      return (https ? httpsRequest : httpRequest)(url, {
        method,
        headers,
        agent: https ? this.#https : this.#http,
      });
    if (https) {
      let agent = this.#tunnels.get(proxy.href + (proxy.authorization ?? ''));
      if (!agent) {
        agent = new TunnelAgent(proxy, this.timeoutMs, {
          keepAlive: true,
          ...(this.#ca !== undefined ? { ca: this.#ca } : {}),
        });
        this.#tunnels.set(proxy.href + (proxy.authorization ?? ''), agent);
      }
      return httpsRequest(url, { method, headers, agent });
    }
    return httpRequest({
      host: proxy.host,
      port: proxy.port,
      method,
      path: `${url.protocol}//${url.host}${url.pathname}${url.search}`,
      headers: {
        ...headers,
        host: url.host,
        ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}),
      },
      agent: this.#toProxy,
    });
  }

  /** One request and its whole response, or a RemoteError; retried once on a stale keep-alive socket. */
  #send(
    url: URL,
    method: 'GET' | 'HEAD',
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    plan: (res: IncomingMessage, url: URL) => Plan,
    onData: ((chunk: Buffer) => void | Promise<void>) | undefined,
    retry = true,
  ): Promise<Exchange> {
    return new Promise<Exchange>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new RemoteError('ABORT_ERR', url.href, 'request aborted', { cause: signal.reason }));
        return;
      }
      let proxy: Proxy | null;
      let req: ClientRequest;
      try {
        proxy = this.#router.proxyFor(url);
        req = this.#request(url, method, headers, proxy);
      } catch (err) {
        reject(err);
        return;
      }
      this.#stats.requests++;
      let settled = false;
      let res: IncomingMessage | undefined;
      const onAbort = () =>
        fail(new RemoteError('ABORT_ERR', url.href, 'request aborted', { cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (err: unknown) => {
        if (settled) return;
        settle();
        req.destroy();
        res?.destroy();
        reject(err);
      };

      req.setTimeout(this.timeoutMs, () => {
        const phase = res === undefined ? 'waiting for the response' : 'receiving the body';
        fail(new RemoteError('ETIMEDOUT', url.href, `no data for ${this.timeoutMs} ms while ${phase}`));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        if (res !== undefined) return fail(truncated(url, err, undefined, undefined));
        if (err instanceof ProxyFailure) return fail(err.toRemoteError(url.href));
        // A keep-alive socket the server closed while idle fails at once: send again on a fresh one.
        if (retry && req.reusedSocket && err.code === 'ECONNRESET') {
          settle();
          this.#stats.retries++;
          resolve(this.#send(url, method, headers, signal, plan, onData, false));
          return;
        }
        const viaProxy = proxy && url.protocol === 'http:' ? proxyError(proxy, err) : null;
        fail(viaProxy ? viaProxy.toRemoteError(url.href) : networkError(url, err));
      });
      req.on('response', (r) => {
        res = r;
        let p: Plan;
        try {
          p = plan(r, url);
        } catch (err) {
          return fail(err);
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        r.on('data', (chunk: Buffer) => {
          if (settled) return;
          bytes += chunk.length;
          this.#stats.bodyBytes += chunk.length;
          if (p.expected !== undefined && bytes > p.expected) {
            return fail(lengthError(url, bytes, p.expected, 'more'));
          }
          if (!p.deliver) {
            if (bytes > DRAIN_LIMIT)
              fail(p.error ?? new RemoteError('ERR_NETFS_BAD_RESPONSE', url.href, 'body too large to drain'));
            return;
          }
          if (p.collect) chunks.push(chunk);
          let pending: void | Promise<void>;
          try {
            pending = onData?.(chunk);
          } catch (err) {
            return fail(err);
          }
          if (pending instanceof Promise) {
            // The consumer is busy: stop reading until it is done. Its wait is not the server's
            // silence, so the timeout waits too.
            r.pause();
            req.setTimeout(0);
            pending.then(
              () => {
                if (settled) return;
                req.setTimeout(this.timeoutMs);
                r.resume();
              },
              (err) => fail(err),
            );
          }
        });
        r.on('error', (err) => fail(p.error ?? truncated(url, err, bytes, p.expected)));
        r.on('close', () => {
          if (!r.complete) fail(p.error ?? truncated(url, undefined, bytes, p.expected));
        });
        r.on('end', () => {
          if (settled) return;
          if (!r.complete) return fail(p.error ?? truncated(url, undefined, bytes, p.expected));
          if (p.expected !== undefined && bytes !== p.expected)
            return fail(lengthError(url, bytes, p.expected, 'fewer'));
          if (p.error) return fail(p.error);
          settle();
          resolve({
            res: r,
            url,
            body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes),
            bytes,
          });
        });
      });
      req.end();
    });
  }
}

// The response headers that decide caching, lower-cased, repeated ones joined.
function cacheHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CACHE_HEADERS) {
    const v = header(res, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
