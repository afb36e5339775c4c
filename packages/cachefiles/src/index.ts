/** CacheFiles: an on-disk cache backend for FS-Cache, with its culler. */
export { base32, encodeKey, MAX_COMPONENT, MAX_KEY_BYTES, TYPE_LETTER } from './key-encoding.ts';
export {
  decodeMeta,
  type DecodedMeta,
  encodeMeta,
  type MetaProblem,
  NO_BLOCK,
  type ObjectMeta,
} from './object-meta.ts';
