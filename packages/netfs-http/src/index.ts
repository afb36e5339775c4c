/** HTTP netfs: the public surface (URL keys and their errors; the HTTP client follows). */
export { type NetfsCode, RemoteError, type RemoteErrorCode, RemoteUrlError } from './errors.ts';
export { MAX_URL_LENGTH, parseRemoteUrl, type RemoteUrl } from './remote-url.ts';
