/** Loaders: images into guest RAM, the Linux boot protocol, and remote images through the cache. */
export { openRemoteCache, type RemoteCache, type RemoteCacheOptions } from './remote-cache.ts';
