/**
 * The checks a response passes before its body is believed, and the RemoteError each failure
 * becomes. Kept apart from the client so that the rules read as one list.
 */
import type { IncomingMessage } from 'node:http';
import type { URL } from 'node:url';
import {
  type ByteRange,
  ByteRangeError,
  checkAnswersRange,
  type ContentRange,
  parseContentRange,
  parseUnsatisfiedRange,
  rangeLength,
} from './byte-range.ts';
import { RemoteError } from './errors.ts';

/** A header's single value; repeated headers are joined as Node joins them. */
export function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Content-Length as a number; Node's parser has already refused non-numeric or conflicting values. */
export function contentLength(res: IncomingMessage, url: URL): number | undefined {
  const v = header(res, 'content-length');
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) {
    throw new RemoteError('ERR_NETFS_BAD_RESPONSE', url.href, `invalid Content-Length ${JSON.stringify(v)}`);
  }
  return n;
}

/** Refuses a compressed body: we asked for identity, and encoded bytes are not the resource's bytes. */
export function checkIdentity(res: IncomingMessage, url: URL): void {
  const enc = header(res, 'content-encoding');
  if (enc !== undefined && enc.trim().toLowerCase() !== 'identity') {
    throw new RemoteError('ERR_NETFS_BAD_RESPONSE', url.href, `unexpected Content-Encoding ${enc}`, {
      status: res.statusCode,
    });
  }
}

/** Checks a 206 against the Range asked for and its own Content-Length. */
export function checkPartial(
  res: IncomingMessage,
  asked: ByteRange,
  length: number | undefined,
  url: URL,
): ContentRange {
  const status = res.statusCode;
  const raw = header(res, 'content-range');
  try {
    if (raw === undefined) throw new ByteRangeError('a 206 without Content-Range (or a multipart answer)');
    const got = parseContentRange(raw);
    checkAnswersRange(asked, got);
    if (length !== undefined && length !== rangeLength(got)) {
      throw new ByteRangeError(`Content-Length ${length} disagrees with Content-Range ${raw}`);
    }
    return got;
  } catch (err) {
    if (!(err instanceof ByteRangeError)) throw err;
    throw new RemoteError('ERR_NETFS_BAD_RANGE', url.href, err.message, { status });
  }
}

/** The error of a status that is neither success nor redirect. */
export function statusError(status: number, url: URL, res?: IncomingMessage): RemoteError {
  if (status === 404 || status === 410) {
    return new RemoteError('ERR_NETFS_NOT_FOUND', url.href, 'resource not found', { status });
  }
  if (status === 416) {
    const total = parseUnsatisfiedRange(res && header(res, 'content-range'));
    const what = total === undefined ? '' : `: the resource is ${total} bytes long`;
    return new RemoteError('ERR_NETFS_HTTP_STATUS', url.href, `range not satisfiable${what}`, { status });
  }
  if (status === 304) {
    return new RemoteError('ERR_NETFS_HTTP_STATUS', url.href, '304 to a request that was not conditional', {
      status,
    });
  }
  return new RemoteError('ERR_NETFS_HTTP_STATUS', url.href, `server answered ${status}`, { status });
}

/** A body whose length is not the one its headers promised. */
export function lengthError(url: URL, bytes: number, expected: number, how: 'more' | 'fewer'): RemoteError {
  return new RemoteError(
    'ERR_NETFS_TRUNCATED',
    url.href,
    `body has ${how} bytes than promised: ${bytes} of ${expected}`,
  );
}

/** A connection lost after the headers: the body is partial, whatever Node calls the cause. */
export function truncated(url: URL, cause: unknown, bytes?: number, expected?: number): RemoteError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('HPE_')) {
    // Node's parser reads exactly Content-Length bytes; anything after them is parsed as a response.
    const why = `bytes after the promised body, or a malformed body (${(cause as Error).message})`;
    return new RemoteError('ERR_NETFS_TRUNCATED', url.href, why, { cause });
  }
  const got = bytes === undefined ? '' : `: ${bytes} of ${expected ?? 'an unknown number of'} bytes`;
  return new RemoteError('ERR_NETFS_TRUNCATED', url.href, `connection lost mid-body${got}`, { cause });
}

/** Keeps Node's errno (ECONNREFUSED, ECONNRESET, …); parser errors mean a malformed response. */
export function networkError(url: URL, err: NodeJS.ErrnoException): RemoteError {
  const code = err.code ?? 'ECONNRESET';
  const tls = tlsError(url, err, code);
  if (tls) return tls;
  if (code.startsWith('HPE_')) {
    return new RemoteError('ERR_NETFS_BAD_RESPONSE', url.href, `malformed HTTP response: ${err.message}`, {
      cause: err,
    });
  }
  const safe = /^E[A-Z0-9_]+$/.test(code) ? (code as `E${string}`) : 'ECONNRESET';
  return new RemoteError(safe, url.href, err.message, { cause: err });
}

// OpenSSL's certificate verdicts (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ...) and Node's
// host name check: the server is not the one asked for, or cannot be shown to be.
const CERT_CODE = /^(?:ERR_TLS_CERT_ALTNAME_INVALID|[A-Z_]*(?:CERT|SIGNED|ISSUER|VERIFY)[A-Z_]*)$/;

/**
 * A TLS failure as one line: OpenSSL's text ("C0...:error:0A00010B:SSL routines:ssl3_get_record:
 * wrong version number:...") is reduced to its reason. Null when `err` is not about TLS.
 */
function tlsError(url: URL, err: NodeJS.ErrnoException, code: string): RemoteError | null {
  const firstLine = err.message.split('\n')[0]!.trim();
  if (CERT_CODE.test(code)) {
    return new RemoteError(
      'ERR_NETFS_TLS_CERT',
      url.href,
      `TLS: the server's certificate is not trusted: ${firstLine}`,
      {
        cause: err,
      },
    );
  }
  if (code.startsWith('ERR_SSL_') || (code === 'EPROTO' && /SSL|TLS/.test(err.message))) {
    const reason = /SSL routines:[^:]*:([^:\n]+)/.exec(err.message)?.[1] ?? firstLine;
    return new RemoteError('ERR_NETFS_TLS', url.href, `TLS handshake failed: ${reason}`, { cause: err });
  }
  return null;
}
