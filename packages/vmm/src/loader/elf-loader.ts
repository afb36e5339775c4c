/**
 * Loads an ELF executable the way QEMU does for a non-Linux image: each PT_LOAD segment at its
 * physical address (bss zeroed), entered at the ELF entry point with r0-r2 zero. If the image
 * leaves room at the base of RAM, the device tree goes there, as QEMU puts it.
 */
import { ElfError, parseElf } from '@armvm/arm';
import type { BootEntry } from './boot-entry.ts';
import { type GuestRam, placeInRam } from './guest-ram.ts';
import { LoaderError } from './loader-error.ts';

/** What loading an ELF did. */
export interface ElfLoadResult {
  readonly entry: BootEntry;
  /** Lowest and highest (exclusive) guest address written. */
  readonly low: number;
  readonly high: number;
  /** Where the device tree may go, or undefined when the image starts at RAM's base. */
  readonly dtbRoom: { address: number; limit: number } | undefined;
}

/** True when `bytes` start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46
  );
}

/** Loads `bytes` (an ELF named `name` in errors) into `ram`. */
export function loadElf(ram: GuestRam, bytes: Uint8Array, name: string): ElfLoadResult {
  let image;
  try {
    image = parseElf(bytes);
  } catch (err) {
    if (err instanceof ElfError)
      throw new LoaderError('LOADER_BAD_ELF', `${name}: ${err.message}`, { cause: err });
    throw err;
  }
  if (image.segments.length === 0) throw new LoaderError('LOADER_BAD_ELF', `${name}: no loadable segment`);
  let low = Infinity;
  let high = 0;
  for (const [i, s] of image.segments.entries()) {
    if (s.memsz > ram.bytes.length) {
      throw new LoaderError(
        'LOADER_TOO_BIG',
        `${name}: segment ${i} (${s.memsz} bytes) is larger than RAM (${ram.bytes.length} bytes)`,
      );
    }
    placeInRam(ram, s.paddr, s.data, `${name}: segment ${i}`, s.memsz);
    low = Math.min(low, s.paddr);
    high = Math.max(high, s.paddr + s.memsz);
  }
  const entry: BootEntry = {
    pc: image.entry & ~1,
    thumb: (image.entry & 1) === 1,
    r0: 0,
    r1: 0,
    r2: 0,
  };
  return { entry, low, high, dtbRoom: low > ram.base ? { address: ram.base, limit: low } : undefined };
}
