/** HTTP netfs: the public surface (URL keys, byte ranges, the HTTP client and their errors). */
export { type NetfsCode, RemoteError, type RemoteErrorCode, RemoteUrlError } from './errors.ts';
export { MAX_URL_LENGTH, parseRemoteUrl, type RemoteUrl } from './remote-url.ts';
export {
  type ByteRange,
  ByteRangeError,
  checkAnswersRange,
  checkByteRange,
  type ContentRange,
  formatRange,
  parseContentRange,
  parseUnsatisfiedRange,
  rangeLength,
} from './byte-range.ts';
export {
  type Conditions,
  type GetOptions,
  HttpClient,
  type HttpClientOptions,
  type HttpClientStats,
  redirectAllowed,
  type RemoteBody,
  type RemoteInfo,
} from './http-client.ts';
export { HttpNetfs, type HttpNetfsOptions, type HttpNetfsStats } from './http-netfs.ts';
export { decodeAux, encodeAux, type RemoteAux, sameVersion } from './remote-aux.ts';
export { RemoteFile } from './remote-file.ts';
export type { ResourceState } from './resource.ts';
export { defaultCacheDir } from './cli/cache-location.ts';
export { HttpCache, type HttpCacheOptions, openHttpCache } from './http-cache.ts';
export {
  DEFAULT_PROXY_PORT,
  noProxyMatches,
  type Proxy,
  proxyFromEnv,
  ProxyRouter,
  type ProxySettings,
} from './proxy-env.ts';
