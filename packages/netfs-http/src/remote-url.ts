/** A user-given URL, checked and normalised into the two cache keys of the HTTP netfs. */
import { URL } from 'node:url';
import { RemoteUrlError } from './errors.ts';

/** Longest URL accepted, before and after normalisation (servers commonly refuse beyond 8 KiB). */
export const MAX_URL_LENGTH = 8192;

/** A URL this netfs will fetch, with the keys of its server (index cookie) and resource (data cookie). */
export interface RemoteUrl {
  /** The normalised URL: lowercase scheme and host, no default port, no fragment. */
  readonly url: URL;
  /** Cache key of the server: `scheme://host:port`, the port always written so the key is unambiguous. */
  readonly origin: string;
  /** Cache key of the resource on that server: path plus query. */
  readonly key: string;
}

const DEFAULT_PORT = { 'http:': '80', 'https:': '443' } as const;

/** Parses and validates `input`; throws RemoteUrlError (ERR_NETFS_URL) naming the problem. */
export function parseRemoteUrl(input: string | URL): RemoteUrl {
  if (input instanceof URL) input = input.href;
  if (typeof input !== 'string') throw new RemoteUrlError(`URL must be a string, got ${typeof input}`);
  if (input.trim() === '') throw new RemoteUrlError('URL is empty');
  if (input.length > MAX_URL_LENGTH) {
    throw new RemoteUrlError(`URL is ${input.length} characters long; the limit is ${MAX_URL_LENGTH}`);
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new RemoteUrlError(`not an absolute URL: ${quote(input)}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteUrlError(`scheme ${quote(url.protocol)} is not supported; use http: or https:`);
  }
  // WHATWG parsing already requires a host for http(s); kept as a guard should that ever change.
  if (url.hostname === '') throw new RemoteUrlError(`URL has no host: ${quote(input)}`);
  // Credentials would end up in cache keys, logs and `ls` output: refuse rather than strip silently.
  if (url.username !== '' || url.password !== '') {
    throw new RemoteUrlError('credentials in the URL (user:password@host) are refused; remove them');
  }
  url.hash = ''; // The fragment never reaches the server, so it must not split the cache.
  if (url.href.length > MAX_URL_LENGTH) {
    throw new RemoteUrlError(
      `URL is ${url.href.length} characters long once encoded; the limit is ${MAX_URL_LENGTH}`,
    );
  }
  const port = url.port === '' ? DEFAULT_PORT[url.protocol] : url.port;
  return { url, origin: `${url.protocol}//${url.hostname}:${port}`, key: url.pathname + url.search };
}

/** Shows the start of a bad input in a message without flooding it or echoing a password. */
function quote(s: string): string {
  const shown = s.replace(/\/\/[^/?#]*@/, '//***@');
  return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 80)}…` : shown);
}
