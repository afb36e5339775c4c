/** CacheFiles: an on-disk cache backend for FS-Cache, with its culler. */
export { CacheDir } from './cache-dir.ts';
export { type CacheIo, errnoCode, nodeIo } from './cache-io.ts';
export { CacheFiles, type CacheFilesOptions, type CacheFilesStats } from './cachefiles.ts';
export { Culler, type CullLimits, type CullReport, DEFAULT_LIMITS, validateLimits } from './culler.ts';
export { DiskObject } from './disk-object.ts';
export {
  base32,
  decodeName,
  encodeKey,
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
  isInlineRecordHead,
  type MetaProblem,
  NO_BLOCK,
  type ObjectMeta,
} from './object-meta.ts';
