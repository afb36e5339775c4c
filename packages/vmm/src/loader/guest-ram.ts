/** The board's RAM as one block, its physical base and its bytes: what loaders fill and a debugger reads. */
import { LoaderError } from './loader-error.ts';

/** Guest RAM as one block of bytes at a guest-physical base (loaders, the debugger's page walk). */
export interface GuestRam {
  /** Guest physical address of the first byte. */
  readonly base: number;
  /** The bytes (the RAM region's backing). */
  readonly bytes: Uint8Array;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Copies `data` to guest address `address` and zeroes `zeroTo - data.length` bytes after it. */
export function placeInRam(
  ram: GuestRam,
  address: number,
  data: Uint8Array,
  what: string,
  memsz = data.length,
): void {
  const offset = address - ram.base;
  if (offset < 0 || offset + memsz > ram.bytes.length) {
    throw new LoaderError(
      'LOADER_OUTSIDE_RAM',
      `${what} at ${hex(address)}..${hex(address + memsz)} lies outside RAM ${hex(ram.base)}..${hex(ram.base + ram.bytes.length)}`,
    );
  }
  ram.bytes.set(data, offset);
  ram.bytes.fill(0, offset + data.length, offset + memsz);
}
