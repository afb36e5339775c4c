/**
 * Unpacking a zImage on the host. A zImage is a small decompressor followed by the compressed
 * kernel; run in the guest, the decompressor spends billions of instructions (an XZ kernel takes
 * two billion) to write the kernel to RAM base + TEXT_OFFSET and jump to it with the registers the
 * boot loader gave it. The host does the same work in a fraction of a second: it finds the payload
 * through the table the kernel build puts in every zImage for loaders (the offset of the
 * uncompressed size, the kernel's BSS size and TEXT_OFFSET), decodes it, and the loader enters the
 * kernel where the decompressor would have. Anything it does not recognise is booted as it is; an
 * XZ payload that does not decode is an error.
 */
import { gunzipSync } from 'node:zlib';
import type { KernelImage } from './kernel-image.ts';
import { LoaderError } from './loader-error.ts';
import { XzError } from './xz/xz-error.ts';
import { decodeXz, isXzHeader } from './xz/xz-stream.ts';

/** zImage header words: the "table follows" magic at 0x34 and the table's offset at 0x38. */
const TABLE_MAGIC = 0x45454545;
const TABLE_MAGIC_OFFSET = 0x34;
const TABLE_OFFSET_OFFSET = 0x38;
/** The table's tag for the kernel's sizes, "KLSZ". */
const TAG_KERNEL_SIZES = 0x5a534c4b;
const FDT_MAGIC = 0xd00dfeed;

/** A kernel unpacked from its zImage. */
export interface UnpackedKernel {
  /** The kernel image (what the decompressor writes to RAM). */
  readonly image: Uint8Array;
  /** Its offset from the start of RAM (the kernel's TEXT_OFFSET). */
  readonly textOffset: number;
  /** Bytes the kernel clears past the image for its BSS: nothing else may be loaded there. */
  readonly bssSize: number;
  /** The compression the payload used. */
  readonly format: 'xz' | 'gzip';
}

/**
 * The kernel inside `zimage`, or the reason it is booted as it is instead: no loader table (kernels
 * older than 5.x), a compression other than XZ or gzip, an appended device tree (which the
 * decompressor would have used), or a payload that does not decode to the size the table states.
 */
export function unpackZImage(
  zimage: KernelImage & { kind: 'zimage' },
  name: string,
): UnpackedKernel | string {
  const bytes = zimage.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < TABLE_OFFSET_OFFSET + 4 || view.getUint32(TABLE_MAGIC_OFFSET, true) !== TABLE_MAGIC)
    return 'the zImage has no loader table';
  const sizes = kernelSizes(view, view.getUint32(TABLE_OFFSET_OFFSET, true) - zimage.start);
  if (typeof sizes === 'string') return sizes;
  const end = zimage.end - zimage.start;
  if (end + 4 <= bytes.length && view.getUint32(end, false) === FDT_MAGIC)
    return 'the zImage carries an appended device tree';
  const unpackedSize = view.getUint32(sizes.sizeAt, true);
  const payload = findPayload(bytes, sizes.sizeAt, unpackedSize, name);
  if (typeof payload === 'string') return payload;
  return {
    image: payload.image,
    textOffset: sizes.textOffset,
    bssSize: sizes.bssSize,
    format: payload.format,
  };
}

/** The KLSZ entry of the table at `at`: where the size word is, the BSS size and TEXT_OFFSET. */
function kernelSizes(
  view: DataView,
  at: number,
): { sizeAt: number; bssSize: number; textOffset: number } | string {
  let p = at;
  for (;;) {
    if (p < 0 || p + 8 > view.byteLength) return 'the zImage loader table is outside the file';
    const words = view.getUint32(p, true);
    if (words === 0) return 'the zImage loader table has no kernel sizes';
    if (view.getUint32(p + 4, true) === TAG_KERNEL_SIZES) {
      if (words < 5) return 'the zImage loader table does not give TEXT_OFFSET';
      if (p + 20 > view.byteLength) return 'the zImage loader table is truncated';
      const sizeAt = view.getUint32(p + 8, true);
      if (sizeAt + 4 > view.byteLength) return 'the zImage size word is outside the file';
      return { sizeAt, bssSize: view.getUint32(p + 12, true), textOffset: view.getUint32(p + 16, true) };
    }
    p += words * 4;
  }
}

/**
 * The payload that ends just before the size word at `sizeAt` and unpacks to `size` bytes. An XZ
 * stream header is recognised by its CRC, so one that does not decode to what the table states is
 * a damaged kernel: a LoaderError says so (the zImage's own decompressor would only hang).
 */
function findPayload(
  bytes: Uint8Array,
  sizeAt: number,
  size: number,
  name: string,
): { image: Uint8Array; format: 'xz' | 'gzip' } | string {
  for (let at = bytes.indexOf(0xfd); at >= 0 && at < sizeAt; at = bytes.indexOf(0xfd, at + 1)) {
    if (!isXzHeader(bytes, at)) continue;
    let problem: string;
    try {
      const { data, end } = decodeXz(bytes, at, size);
      if (end === sizeAt && data.length === size) return { image: data, format: 'xz' };
      problem = `it unpacks to ${data.length} bytes ending at 0x${end.toString(16)}, the table says ${size} ending at 0x${sizeAt.toString(16)}`;
    } catch (err) {
      if (!(err instanceof XzError)) throw err;
      problem = err.message;
    }
    throw new LoaderError(
      'LOADER_READ_FAILED',
      `${name}: the zImage's XZ payload at 0x${at.toString(16)} is damaged (${problem}); --guest-decompress boots it as it is`,
    );
  }
  for (let at = bytes.indexOf(0x1f); at >= 0 && at < sizeAt; at = bytes.indexOf(0x1f, at + 1)) {
    if (bytes[at + 1] !== 0x8b || bytes[at + 2] !== 8) continue;
    try {
      const data = gunzipSync(bytes.subarray(at, sizeAt));
      if (data.length === size)
        return { image: new Uint8Array(data.buffer, data.byteOffset, data.length), format: 'gzip' };
    } catch {
      // gzip's three magic bytes also occur in code: not the payload, look further
    }
  }
  return 'the zImage payload is not XZ or gzip (or does not unpack to its stated size)';
}
