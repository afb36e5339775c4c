/**
 * The metadata kept beside each object: its type, whose it is (its key, and a digest of every key
 * from the master index down), aux data, size, block size, which blocks it holds with a checksum
 * for each, and a DIRTY flag set before a held block is modified and cleared once its data is
 * durable. The whole record carries a checksum; anything that does not decode cleanly, is DIRTY,
 * or names another object marks a stale object that must never be served.
 *
 * Layout (little-endian):
 *   0  magic "FSCm"        4  version (2)   5  type   6  flags (1 = DIRTY)   7  reserved
 *   8  blockSize u32      12  objectSize u64 (as two u32, low first)
 *  20  identity: SHA-256 of the key path (32 bytes)
 *  52  keyLength u16, key bytes, then auxLength u16 and aux bytes
 *   …  blockCount u32, then blockCount × crc32 (0xffffffff for a block not held), then
 *   …  (INLINE objects only) dataLength u32 and the object's one block of data, then
 *   …  crc32 of everything before it
 *
 * An INLINE object keeps its data in the same file as its metadata: small objects cost one
 * file, and the record checksum covers the data too.
 */
import { crc32 } from 'node:zlib';

const MAGIC = 0x6d435346; // "FSCm"
const VERSION = 2;
/** Bytes of an object's identity (a SHA-256). */
export const IDENTITY_BYTES = 32;
const KEY_AT = 20 + IDENTITY_BYTES;
/** The type codes stored on disk. */
export const META_TYPE = { index: 0, data: 1, special: 2 } as const;
const TYPES = ['index', 'data', 'special'] as const;
/** Marks a block the object does not hold. */
export const NO_BLOCK = 0xffffffff;
const FLAG_DIRTY = 1;
const FLAG_INLINE = 2;

/** An object's metadata. */
export interface ObjectMeta {
  type: (typeof TYPES)[number];
  dirty: boolean;
  blockSize: number;
  objectSize: number;
  /** SHA-256 of the object's key path (see key-encoding.ts `keyIdentity`): whose object this is. */
  identity: Uint8Array;
  /** The object's own key. */
  key: Uint8Array;
  aux: Uint8Array;
  /** Per block: its crc32, or NO_BLOCK. */
  blocks: Uint32Array;
  /** For an object stored inline: its data (block 0), or null when it holds none. */
  inline?: Uint8Array | null;
}

/** Why a metadata record was refused. */
export type MetaProblem = 'short' | 'magic' | 'version' | 'checksum' | 'type' | 'layout';

/** The outcome of decoding: the metadata, or what is wrong with it. */
export type DecodedMeta = { ok: true; meta: ObjectMeta } | { ok: false; problem: MetaProblem };

/** Serialises metadata with its trailing checksum. */
export function encodeMeta(m: ObjectMeta): Buffer {
  if (m.aux.length > 0xffff) throw new RangeError(`aux data of ${m.aux.length} bytes is too long`);
  if (m.key.length > 0xffff) throw new RangeError(`a key of ${m.key.length} bytes is too long`);
  if (m.identity.length !== IDENTITY_BYTES) throw new RangeError('an identity is 32 bytes');
  const n = m.blocks.length;
  const inline = m.inline !== undefined;
  const dataLen = inline ? (m.inline?.length ?? 0) : 0;
  const head = KEY_AT + 2 + m.key.length + 2;
  const buf = Buffer.alloc(head + m.aux.length + 4 + n * 4 + (inline ? 4 + dataLen : 0) + 4);
  buf.writeUInt32LE(MAGIC, 0);
  buf[4] = VERSION;
  buf[5] = META_TYPE[m.type];
  buf[6] = (m.dirty ? FLAG_DIRTY : 0) | (inline ? FLAG_INLINE : 0);
  buf.writeUInt32LE(m.blockSize, 8);
  buf.writeUInt32LE(m.objectSize % 2 ** 32, 12);
  buf.writeUInt32LE(Math.floor(m.objectSize / 2 ** 32), 16);
  buf.set(m.identity, 20);
  buf.writeUInt16LE(m.key.length, KEY_AT);
  buf.set(m.key, KEY_AT + 2);
  buf.writeUInt16LE(m.aux.length, head - 2);
  buf.set(m.aux, head);
  let o = head + m.aux.length;
  buf.writeUInt32LE(n, o);
  o += 4;
  Buffer.from(m.blocks.buffer, m.blocks.byteOffset, n * 4).copy(buf, o);
  o += n * 4;
  if (inline) {
    buf.writeUInt32LE(dataLen, o);
    o += 4;
    if (m.inline) buf.set(m.inline, o);
    o += dataLen;
  }
  buf.writeUInt32LE(crc32(buf.subarray(0, o)), o);
  return buf;
}

/** True when `head` (the first 7 or more bytes of a file) starts an inline object's record. */
export function isInlineRecordHead(head: Uint8Array): boolean {
  return (
    head.length >= 7 &&
    (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0 === MAGIC &&
    (head[6]! & FLAG_INLINE) !== 0
  );
}

/** Decodes metadata, refusing anything truncated, foreign or corrupted. */
export function decodeMeta(buf: Uint8Array): DecodedMeta {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < KEY_AT + 12) return { ok: false, problem: 'short' };
  if (b.readUInt32LE(0) !== MAGIC) return { ok: false, problem: 'magic' };
  if (b[4] !== VERSION) return { ok: false, problem: 'version' };
  const end = b.length - 4;
  if (crc32(b.subarray(0, end)) !== b.readUInt32LE(end)) return { ok: false, problem: 'checksum' };
  const type = TYPES[b[5]!];
  if (!type) return { ok: false, problem: 'type' };
  const keyLen = b.readUInt16LE(KEY_AT);
  const auxAt = KEY_AT + 2 + keyLen + 2;
  if (auxAt > end) return { ok: false, problem: 'layout' };
  const auxLen = b.readUInt16LE(auxAt - 2);
  const countAt = auxAt + auxLen;
  if (countAt + 4 > end) return { ok: false, problem: 'layout' };
  const n = b.readUInt32LE(countAt);
  const inline = (b[6]! & FLAG_INLINE) !== 0;
  const blocksEnd = countAt + 4 + n * 4;
  let data: Uint8Array | null | undefined;
  if (inline) {
    if (blocksEnd + 4 > end || n > 1) return { ok: false, problem: 'layout' };
    const len = b.readUInt32LE(blocksEnd);
    if (blocksEnd + 4 + len !== end) return { ok: false, problem: 'layout' };
    data = len > 0 ? new Uint8Array(b.subarray(blocksEnd + 4, end)) : null;
  } else if (blocksEnd !== end) {
    return { ok: false, problem: 'layout' };
  }
  const blocks = new Uint32Array(n);
  Buffer.from(blocks.buffer).set(b.subarray(countAt + 4, blocksEnd));
  const blockSize = b.readUInt32LE(8);
  if (blockSize === 0 && n > 0) return { ok: false, problem: 'layout' };
  return {
    ok: true,
    meta: {
      type,
      dirty: (b[6]! & FLAG_DIRTY) !== 0,
      blockSize,
      objectSize: b.readUInt32LE(12) + b.readUInt32LE(16) * 2 ** 32,
      identity: new Uint8Array(b.subarray(20, KEY_AT)),
      key: new Uint8Array(b.subarray(KEY_AT + 2, KEY_AT + 2 + keyLen)),
      aux: new Uint8Array(b.subarray(auxAt, countAt)),
      blocks,
      ...(inline ? { inline: data ?? null } : {}),
    },
  };
}
