/**
 * The .xz container around LZMA2: stream header, blocks (each with its filter chain and integrity
 * check), index and footer. The filters supported are those Linux uses for ARM kernels: LZMA2,
 * alone or after the ARM or ARM-Thumb branch converter.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { decodeBcj } from './bcj.ts';
import { crc64 } from './crc64.ts';
import { decodeLzma2 } from './lzma2-decoder.ts';
import { XzError } from './xz-error.ts';

/** The six bytes every .xz stream starts with. */
export const XZ_MAGIC = Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00);
const FILTER_LZMA2 = 0x21;
const FILTER_ARM = 0x07;
const FILTER_ARMTHUMB = 0x08;
const CHECK_NONE = 0;
const CHECK_CRC32 = 1;
const CHECK_CRC64 = 4;
const CHECK_SHA256 = 10;

/** True when `input` holds an .xz stream header (magic and a matching CRC) at `at`. */
export function isXzHeader(input: Uint8Array, at: number): boolean {
  if (at + 12 > input.length) return false;
  for (let i = 0; i < XZ_MAGIC.length; i++) if (input[at + i] !== XZ_MAGIC[i]) return false;
  return crc32(input.subarray(at + 6, at + 8)) === readU32(input, at + 8);
}

/**
 * Decodes the .xz stream at `start` of `input`, whose output is at most `capacity` bytes. Returns
 * the output and where the stream ends in `input` (just past its footer).
 */
export function decodeXz(
  input: Uint8Array,
  start: number,
  capacity: number,
): { data: Uint8Array; end: number } {
  if (!isXzHeader(input, start)) throw new XzError('not an .xz stream header');
  if (input[start + 6] !== 0 || (input[start + 7]! & 0xf0) !== 0)
    throw new XzError('unsupported .xz stream flags');
  const check = input[start + 7]! & 0x0f;
  const out = new Uint8Array(capacity);
  let outPos = 0;
  let p = start + 12;
  /** Each block's unpadded and uncompressed sizes, which the index must repeat. */
  const blocks: number[] = [];
  for (;;) {
    if (p >= input.length) throw new XzError('.xz stream is truncated');
    if (input[p] === 0) break; // the index
    const block = readBlockHeader(input, p);
    const dataStart = p + block.headerSize;
    const { inEnd, outEnd } = decodeLzma2(input, dataStart, out, outPos);
    if (block.packedSize !== undefined && inEnd - dataStart !== block.packedSize)
      throw new XzError('.xz block size does not match its header');
    if (block.unpackedSize !== undefined && outEnd - outPos !== block.unpackedSize)
      throw new XzError('.xz block unpacks to another size than its header says');
    const data = out.subarray(outPos, outEnd);
    for (let i = block.filters.length - 1; i >= 0; i--) {
      const f = block.filters[i]!;
      decodeBcj(data, f.id === FILTER_ARM ? 'arm' : 'thumb', f.startOffset);
    }
    const checkStart = inEnd + ((4 - ((inEnd - start) % 4)) % 4);
    for (let q = inEnd; q < checkStart; q++)
      if (input[q] !== 0) throw new XzError('.xz block padding is not zero');
    p = verifyCheck(check, data, input, checkStart);
    blocks.push(inEnd - block.start + (p - checkStart), outEnd - outPos);
    outPos = outEnd;
  }
  p = skipIndex(input, p, blocks);
  if (p + 12 > input.length) throw new XzError('.xz stream footer is missing');
  if (crc32(input.subarray(p + 4, p + 10)) !== readU32(input, p))
    throw new XzError('.xz stream footer is corrupt');
  if (
    input[p + 8] !== input[start + 6] ||
    input[p + 9] !== input[start + 7] ||
    input[p + 10] !== 0x59 ||
    input[p + 11] !== 0x5a
  )
    throw new XzError('.xz stream footer does not match its header');
  return { data: out.subarray(0, outPos), end: p + 12 };
}

interface BlockHeader {
  readonly start: number;
  readonly headerSize: number;
  readonly packedSize: number | undefined;
  readonly unpackedSize: number | undefined;
  /** The branch converters to undo, in stream order (LZMA2, always last, is not listed). */
  readonly filters: readonly { id: number; startOffset: number }[];
}

function readBlockHeader(input: Uint8Array, at: number): BlockHeader {
  const headerSize = (input[at]! + 1) * 4;
  if (at + headerSize > input.length) throw new XzError('.xz block header is truncated');
  if (crc32(input.subarray(at, at + headerSize - 4)) !== readU32(input, at + headerSize - 4))
    throw new XzError('.xz block header is corrupt');
  const flags = input[at + 1]!;
  if ((flags & 0x3c) !== 0) throw new XzError('unsupported .xz block flags');
  const r = { p: at + 2 };
  const packedSize = flags & 0x40 ? readVarint(input, r) : undefined;
  const unpackedSize = flags & 0x80 ? readVarint(input, r) : undefined;
  const count = (flags & 3) + 1;
  const filters: { id: number; startOffset: number }[] = [];
  for (let i = 0; i < count; i++) {
    const id = readVarint(input, r);
    const size = readVarint(input, r);
    const props = r.p;
    r.p += size;
    const last = i === count - 1;
    if (last !== (id === FILTER_LZMA2))
      throw new XzError(`unsupported .xz filter chain (filter 0x${id.toString(16)})`);
    if (last) {
      if (size !== 1) throw new XzError('bad LZMA2 filter properties');
    } else if (id === FILTER_ARM || id === FILTER_ARMTHUMB) {
      if (size !== 0 && size !== 4) throw new XzError('bad branch-converter properties');
      filters.push({ id, startOffset: size === 4 ? readU32(input, props) : 0 });
    } else {
      throw new XzError(`unsupported .xz filter 0x${id.toString(16)}`);
    }
  }
  for (let q = r.p; q < at + headerSize - 4; q++)
    if (input[q] !== 0) throw new XzError('.xz block header padding is not zero');
  return { start: at, headerSize, packedSize, unpackedSize, filters };
}

/** Checks a block's integrity field at `at`; returns where it ends. */
function verifyCheck(check: number, data: Uint8Array, input: Uint8Array, at: number): number {
  const size = check === 0 ? 0 : 4 << (((check - 1) / 3) | 0);
  if (at + size > input.length) throw new XzError('.xz block check is truncated');
  const field = input.subarray(at, at + size);
  let ok = true;
  if (check === CHECK_CRC32) ok = crc32(data) === readU32(field, 0);
  else if (check === CHECK_CRC64)
    ok = crc64(data) === new DataView(field.buffer, field.byteOffset, 8).getBigUint64(0, true);
  else if (check === CHECK_SHA256) ok = Buffer.from(field).equals(createHash('sha256').update(data).digest());
  else if (check !== CHECK_NONE) throw new XzError(`unsupported .xz check type ${check}`);
  if (!ok) throw new XzError('.xz data does not match its check: the stream is corrupt');
  return at + size;
}

/**
 * Checks the index against the blocks decoded (`sizes`: each block's unpadded and uncompressed
 * size) and its CRC; returns where it ends.
 */
function skipIndex(input: Uint8Array, at: number, sizes: readonly number[]): number {
  const r = { p: at + 1 };
  if (readVarint(input, r) * 2 !== sizes.length)
    throw new XzError('.xz index does not list the blocks found');
  for (const size of sizes)
    if (readVarint(input, r) !== size) throw new XzError('.xz index does not match the blocks');
  while ((r.p - at) % 4 !== 0) if (input[r.p++] !== 0) throw new XzError('.xz index padding is not zero');
  if (r.p + 4 > input.length || crc32(input.subarray(at, r.p)) !== readU32(input, r.p))
    throw new XzError('.xz index is corrupt');
  return r.p + 4;
}

function readVarint(input: Uint8Array, r: { p: number }): number {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (r.p >= input.length) throw new XzError('.xz stream is truncated');
    const b = input[r.p++]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return value;
  }
  throw new XzError('bad .xz variable-length number');
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}
