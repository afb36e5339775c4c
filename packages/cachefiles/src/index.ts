/** CacheFiles: an on-disk cache backend for FS-Cache, with its culler. */
export { CacheDir, isCacheDir } from './cache-dir.ts';
export {
  type CacheSettings,
  readCacheSettings,
  SETTINGS_FILE,
  writeCacheSettings,
} from './cache-settings.ts';
export { type CacheIo, errnoCode, isAbsentOrForeign, nodeIo, openRegular, READ_FLAGS } from './cache-io.ts';
export { CacheFiles, type CacheFilesOptions, type CacheFilesStats } from './cachefiles.ts';
export {
  completeLimits,
  Culler,
  type CullerOptions,
  type CullLimits,
  type CullReport,
  DEFAULT_LIMITS,
  type DiscardReport,
  validateLimits,
} from './culler.ts';
export { DiskObject } from './disk-object.ts';
export { claimPath, type ClaimResult, ownerOf, releaseClaim, takeClaim } from './object-claim.ts';
export { FOREIGN_LEASE_MS, HEARTBEAT_MS, kernelTag, Presence } from './presence.ts';
export { WRITER_QUIET_MS } from './shared-reader.ts';
export { CHECK_BYTES, SpaceGuard, type SpaceGuardOptions } from './space-guard.ts';
export {
  base32,
  decodeName,
  encodeKey,
  keyIdentity,
  ROOT_IDENTITY,
  MAX_COMPONENT,
  MAX_KEY_BYTES,
  TYPE_LETTER,
  unbase32,
} from './key-encoding.ts';
export { type ListedObject, listObjects } from './list-objects.ts';
export {
  type DecodedMeta,
  decodeMeta,
  encodeMeta,
  IDENTITY_BYTES,
  isInlineRecordHead,
  type MetaProblem,
  NO_BLOCK,
  type ObjectMeta,
} from './object-meta.ts';
