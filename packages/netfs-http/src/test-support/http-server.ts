/**
 * A real node:http server on 127.0.0.1 serving in-memory files the way a careful origin does
 * (strong ETags, Last-Modified, single Range requests, conditional requests, HEAD), with knobs
 * that make it misbehave the ways real servers do. For tests only; not part of the build.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A self-signed certificate for localhost, 127.0.0.1 and ::1 (valid for a century), and its key:
 * trust `TEST_CERT` (the client's `ca`, or NODE_EXTRA_CA_CERTS for a child process) to talk to
 * a server started with `{ tls: true }`.
 */
export const TEST_CERT_FILE = new URL('./tls/localhost.crt', import.meta.url);
export const TEST_CERT = readFileSync(TEST_CERT_FILE, 'utf8');
const TEST_KEY = readFileSync(new URL('./tls/localhost.key', import.meta.url), 'utf8');

/** Ways a file (or every file) can misbehave. */
export interface ServerKnobs {
  /** Answer Range requests with 200 and the whole body. */
  ignoreRange?: boolean;
  /** Advertise this many more bytes in Content-Length than are sent, then close the connection. */
  lieContentLength?: number;
  /** Answer with this status (404, 500, 503, …) and a short text body. */
  status?: number;
  /** Destroy the socket after this many body bytes. */
  dropAfter?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Extra response headers (Cache-Control, Expires, …) on 200, 206 and 304 answers. */
  headers?: Record<string, string>;
  /** Send no ETag. */
  noEtag?: boolean;
  /** Send no Last-Modified. */
  noLastModified?: boolean;
  /** Send the ETag as a weak one (`W/"…"`). */
  weakEtag?: boolean;
  /** Disregard If-Range: serve the range asked for whatever the validator says. */
  ignoreIfRange?: boolean;
  /** The next this-many GETs fail (`status` answered, or the body cut after `dropAfter` bytes), then all is well. */
  failNext?: { count: number; status?: number; dropAfter?: number };
  /** Send the body in pieces of this many bytes, `everyMs` apart (a slow link). */
  throttle?: { bytes: number; everyMs: number };
}

/** One request as the server saw it. */
export interface RequestLogEntry {
  method: string;
  path: string;
  range: string | undefined;
  ifNoneMatch: string | undefined;
  ifModifiedSince: string | undefined;
  ifRange: string | undefined;
  acceptEncoding: string | undefined;
  status: number;
}

interface ServedFile {
  bytes: Buffer;
  etag: string;
  lastModified: Date;
  knobs: ServerKnobs;
}

/** The in-memory origin server; start it with `TestHttpServer.start()`, end it with `close()`. */
export class TestHttpServer {
  /** Knobs applied to every file (a file's own knobs win). */
  knobs: ServerKnobs = {};
  /** Requests answered, in any way. */
  requests = 0;
  /** Body bytes written to sockets. */
  bodyBytesSent = 0;
  /** Every request in arrival order. */
  readonly log: RequestLogEntry[] = [];
  /** Called at each GET of a file before it is answered (a test may change the file here). */
  onGet: ((path: string, range: string | undefined) => void) | null = null;

  readonly #server: Server;
  readonly #files = new Map<string, ServedFile>();
  readonly #redirects = new Map<string, { status: number; location: string }>();
  readonly #timers = new Set<NodeJS.Timeout>();
  // A deterministic clock: each change moves Last-Modified one second on, so If-Modified-Since sees it.
  #clock = Date.UTC(2024, 0, 1);
  #version = 0;

  readonly #scheme: 'http' | 'https';

  private constructor(server: Server, scheme: 'http' | 'https') {
    this.#server = server;
    this.#scheme = scheme;
  }

  /** Starts a server on 127.0.0.1 with an ephemeral port; `tls` serves https with TEST_CERT. */
  static async start(
    files: Record<string, string | Uint8Array> = {},
    options: { tls?: boolean } = {},
  ): Promise<TestHttpServer> {
    const server = options.tls ? createTlsServer({ key: TEST_KEY, cert: TEST_CERT }) : createServer();
    const self = new TestHttpServer(server, options.tls ? 'https' : 'http');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => self.#handle(req, res));
    for (const [path, bytes] of Object.entries(files)) self.setFile(path, bytes);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return self;
  }

  /** `http://127.0.0.1:PORT` (https: with `tls`). */
  get origin(): string {
    return `${this.#scheme}://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The URL of `path` on this server. */
  url(path: string): string {
    return this.origin + path;
  }

  /** Adds or replaces a file, with optional knobs of its own. */
  setFile(path: string, bytes: string | Uint8Array, knobs: ServerKnobs = {}): void {
    const buf = Buffer.from(bytes);
    this.#clock += 1000;
    const digest = createHash('sha256').update(buf).digest('hex').slice(0, 16);
    this.#files.set(path, {
      bytes: buf,
      etag: `"${digest}-${++this.#version}"`,
      lastModified: new Date(this.#clock),
      knobs,
    });
  }

  /**
   * Replaces a file's bytes, keeping its knobs: a new ETag and a later Last-Modified (or, with
   * `keepEtag`, the old ETag: a server that forgets to change it).
   */
  changeFile(path: string, bytes: string | Uint8Array, options: { keepEtag?: boolean } = {}): void {
    const old = this.#files.get(path);
    this.setFile(path, bytes, old?.knobs ?? {});
    if (options.keepEtag && old) this.#files.get(path)!.etag = old.etag;
  }

  /** Sets the knobs of one file. */
  setKnobs(path: string, knobs: ServerKnobs): void {
    const file = this.#files.get(path);
    if (!file) throw new Error(`no file ${path}`);
    file.knobs = knobs;
  }

  /** The current ETag and Last-Modified of a file. */
  validators(path: string): { etag: string; lastModified: string } {
    const file = this.#files.get(path);
    if (!file) throw new Error(`no file ${path}`);
    return { etag: file.etag, lastModified: file.lastModified.toUTCString() };
  }

  /** Answers `path` with a redirect to `location` (absolute or relative). */
  redirect(path: string, location: string, status = 302): void {
    this.#redirects.set(path, { status, location });
  }

  /** Requests logged for one path. */
  logFor(path: string): RequestLogEntry[] {
    return this.log.filter((e) => e.path === path);
  }

  /** Stops listening and ends every socket, idle keep-alive ones included, so the test can exit. */
  /** Answers held back by `delayMs` or trickling out, still to come. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = this.#files.get(path);
    const knobs = { ...this.knobs, ...file?.knobs };
    const entry: RequestLogEntry = {
      method: req.method ?? '',
      path,
      range: req.headers.range,
      ifNoneMatch: req.headers['if-none-match'],
      ifModifiedSince: req.headers['if-modified-since'],
      ifRange: firstHeader(req.headers['if-range']),
      acceptEncoding: req.headers['accept-encoding'],
      status: 0,
    };
    this.log.push(entry);
    const answer = () => {
      entry.status = this.#answer(req, res, path, file, knobs);
    };
    if (knobs.delayMs) {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        if (!res.destroyed) answer();
      }, knobs.delayMs);
      this.#timers.add(t);
    } else {
      answer();
    }
  }

  /** Writes the response and returns its status. */
  #answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    file: ServedFile | undefined,
    knobs: ServerKnobs,
  ): number {
    const redirect = this.#redirects.get(path);
    if (redirect) {
      res.writeHead(redirect.status, { location: redirect.location, 'content-length': 0 }).end();
      return redirect.status;
    }
    if (knobs.status !== undefined) return this.#text(res, knobs.status, `status ${knobs.status}\n`);
    if (file && req.method === 'GET') {
      this.onGet?.(path, req.headers.range);
      file = this.#files.get(path); // the hook may have changed it
    }
    if (!file) return this.#text(res, 404, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.#text(res, 405, 'method not allowed\n');
    let failure: { status?: number; dropAfter?: number } | undefined;
    if (req.method === 'GET' && knobs.failNext && knobs.failNext.count > 0) {
      knobs.failNext.count--;
      failure = knobs.failNext;
      if (failure.status !== undefined) return this.#text(res, failure.status, `status ${failure.status}\n`);
    }

    const etag = knobs.weakEtag ? `W/${file.etag}` : file.etag;
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
    if (!knobs.noEtag) headers['etag'] = etag;
    if (!knobs.noLastModified) headers['last-modified'] = file.lastModified.toUTCString();
    if (!knobs.ignoreRange) headers['accept-ranges'] = 'bytes';
    Object.assign(headers, knobs.headers);
    if (notModified(req, file, knobs)) {
      res.writeHead(304, headers).end();
      return 304;
    }
    const len = file.bytes.length;
    let status = 200;
    let body = file.bytes;
    // If-Range: the range only if the validator is current (a strong ETag, or the exact date).
    const ifRange = firstHeader(req.headers['if-range']);
    const current =
      ifRange === undefined ||
      knobs.ignoreIfRange ||
      (ifRange.startsWith('"')
        ? !knobs.noEtag && !knobs.weakEtag && ifRange === file.etag
        : !knobs.noLastModified && ifRange === file.lastModified.toUTCString());
    const range = knobs.ignoreRange || !current ? undefined : parseRangeHeader(req.headers.range, len);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { 'content-range': `bytes */${len}`, 'content-length': 0 }).end();
      return 416;
    }
    if (range) {
      status = 206;
      body = file.bytes.subarray(range.start, range.end + 1);
      headers['content-range'] = `bytes ${range.start}-${range.end}/${len}`;
    }
    headers['content-length'] = body.length + (knobs.lieContentLength ?? 0);
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return status;
    }
    const dropAfter = failure?.dropAfter ?? knobs.dropAfter;
    if (dropAfter !== undefined && dropAfter < body.length) {
      const part = body.subarray(0, dropAfter);
      this.bodyBytesSent += part.length;
      res.write(part, () => res.socket?.destroy());
      return status;
    }
    if (knobs.throttle) {
      this.#trickle(res, body, knobs.throttle);
      return status;
    }
    this.bodyBytesSent += body.length;
    if (knobs.lieContentLength) {
      // Fewer bytes than promised, then the end of the connection: the client must notice.
      res.write(body, () => res.socket?.end());
      return status;
    }
    res.end(body);
    return status;
  }

  // Writes `body` a piece at a time; stops when the client goes away.
  #trickle(res: ServerResponse, body: Buffer, t: { bytes: number; everyMs: number }): void {
    let at = 0;
    const step = () => {
      if (res.destroyed) return;
      const part = body.subarray(at, at + t.bytes);
      at += part.length;
      this.bodyBytesSent += part.length;
      if (at >= body.length) return void res.end(part);
      res.write(part);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        step();
      }, t.everyMs);
      this.#timers.add(timer);
    };
    step();
  }

  #text(res: ServerResponse, status: number, text: string): number {
    this.bodyBytesSent += Buffer.byteLength(text);
    res
      .writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) })
      .end(text);
    return status;
  }
}

/** If-None-Match wins over If-Modified-Since, as RFC 9110 §13.2.2 orders them. */
function notModified(req: IncomingMessage, file: ServedFile, knobs: ServerKnobs): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && !knobs.noEtag) {
    return inm
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''))
      .some((t) => t === '*' || t === file.etag);
  }
  const ims = req.headers['if-modified-since'];
  if (ims !== undefined && !knobs.noLastModified) {
    const since = Date.parse(ims);
    return !Number.isNaN(since) && file.lastModified.getTime() <= since;
  }
  return false;
}

/** One `bytes=` range (a-b, a-, -n) clamped to the file; multiple ranges are ignored (200). */
function parseRangeHeader(
  header: string | undefined,
  len: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || len === 0) return 'unsatisfiable';
    return { start: Math.max(0, len - n), end: len - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? len - 1 : Math.min(Number(m[2]), len - 1);
  if (start >= len) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

/** A request header Node does not type as single-valued, as its first value. */
function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
