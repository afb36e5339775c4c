/** Errors of the HTTP netfs: a refused URL, and a failed exchange with a remote server. */
import { CodedError } from '@armvm/fscache';

/** Codes of failures decided here rather than by Node's networking. */
export type NetfsCode =
  | 'ERR_NETFS_URL'
  | 'ERR_NETFS_TLS'
  | 'ERR_NETFS_TLS_CERT'
  | 'ERR_NETFS_BAD_RANGE'
  | 'ERR_NETFS_TRUNCATED'
  | 'ERR_NETFS_NOT_FOUND'
  | 'ERR_NETFS_HTTP_STATUS'
  | 'ERR_NETFS_REDIRECT'
  | 'ERR_NETFS_BAD_RESPONSE'
  | 'ERR_NETFS_CHANGED'
  | 'ERR_NETFS_PROXY_URL'
  | 'ERR_NETFS_PROXY_NOT_FOUND'
  | 'ERR_NETFS_PROXY_TUNNEL';

/** Every code a RemoteError carries: ours, a timeout, an abort, or Node's errno (ECONNREFUSED, …). */
export type RemoteErrorCode = Exclude<NetfsCode, 'ERR_NETFS_URL'> | 'ETIMEDOUT' | 'ABORT_ERR' | `E${string}`;

/** A URL a user gave that this netfs will not fetch; the message names the problem. */
export class RemoteUrlError extends CodedError<'ERR_NETFS_URL'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_NETFS_URL', message, options);
  }
}

/** Codes after which the same request may succeed later: the caller may fall back to cached bytes. */
const TRANSIENT = new Set<string>([
  'ERR_NETFS_TRUNCATED',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_NETFS_PROXY_NOT_FOUND',
]);

/** A failed exchange with a server: a stable `code`, the HTTP `status` when there was one, the `url`. */
export class RemoteError extends CodedError<RemoteErrorCode> {
  readonly status: number | undefined;
  readonly url: string;
  constructor(
    code: RemoteErrorCode,
    url: string,
    message: string,
    options?: { status?: number; cause?: unknown },
  ) {
    super(code, `${message} (${code}${options?.status !== undefined ? ` ${options.status}` : ''}, ${url})`, {
      cause: options?.cause,
    });
    this.status = options?.status;
    this.url = url;
  }

  /** True when retrying later may succeed (network trouble, a 5xx, a cut body), false when it will not. */
  get transient(): boolean {
    if (this.code === 'ERR_NETFS_HTTP_STATUS' || this.code === 'ERR_NETFS_PROXY_TUNNEL')
      return this.status !== undefined && this.status >= 500;
    return TRANSIENT.has(this.code);
  }
}
