/**
 * What kind of kernel a file is: an ELF, an ARM Linux zImage (self-decompressing, recognised by
 * its magic at 0x24), or any other raw image (a flat binary, an uncompressed Image).
 */
import { isElf } from './elf-loader.ts';
import { LoaderError } from './loader-error.ts';

/** The zImage magic number at offset 0x24. */
export const ZIMAGE_MAGIC = 0x016f2818;
const ZIMAGE_MAGIC_OFFSET = 0x24;
const ZIMAGE_START_OFFSET = 0x28;
const ZIMAGE_END_OFFSET = 0x2c;

/** A kernel file, classified. */
export type KernelImage =
  | { readonly kind: 'elf'; readonly bytes: Uint8Array }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'zimage';
      readonly bytes: Uint8Array;
      /** The zImage's own start and end fields (end - start is its size; start 0 means position independent). */
      readonly start: number;
      readonly end: number;
    };

/** Classifies `bytes`; a zImage whose header claims more bytes than the file holds is refused. */
export function classifyKernel(bytes: Uint8Array, name: string): KernelImage {
  if (bytes.length === 0) throw new LoaderError('LOADER_READ_FAILED', `${name}: the kernel image is empty`);
  if (isElf(bytes)) return { kind: 'elf', bytes };
  if (bytes.length >= ZIMAGE_END_OFFSET + 4) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(ZIMAGE_MAGIC_OFFSET, true) === ZIMAGE_MAGIC) {
      const start = view.getUint32(ZIMAGE_START_OFFSET, true);
      const end = view.getUint32(ZIMAGE_END_OFFSET, true);
      if (end < start || end - start > bytes.length) {
        throw new LoaderError(
          'LOADER_READ_FAILED',
          `${name}: zImage header claims ${end - start} bytes but the file has ${bytes.length} (truncated or corrupt)`,
        );
      }
      return { kind: 'zimage', bytes, start, end };
    }
  }
  return { kind: 'raw', bytes };
}
