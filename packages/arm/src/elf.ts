/** A minimal ELF32 little-endian ARM loader: PT_LOAD segments at their physical addresses. */

/** Thrown for a file this loader cannot load. */
export class ElfError extends Error {
  /** Stable code for programs. */
  readonly code = 'ARM_BAD_ELF';
}

/** One loadable segment. */
export interface ElfSegment {
  /** Physical load address (p_paddr). */
  readonly paddr: number;
  /** File bytes (p_filesz of them). */
  readonly data: Uint8Array;
  /** Size in memory; bytes past `data` are zero (p_memsz). */
  readonly memsz: number;
}

/** What a loader needs from an executable. */
export interface ElfImage {
  /** Entry point (bit 0 set means Thumb). */
  readonly entry: number;
  /** The PT_LOAD segments in file order. */
  readonly segments: readonly ElfSegment[];
}

const EM_ARM = 40;
const PT_LOAD = 1;

/** Parses an ELF32 ARM executable. */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('not an ELF file');
  }
  if (bytes[4] !== 1 || bytes[5] !== 1) throw new ElfError('not a 32-bit little-endian ELF file');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint16(18, true) !== EM_ARM) throw new ElfError('not an ARM ELF file');
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  if (phentsize < 32 || phoff + phnum * phentsize > bytes.length)
    throw new ElfError('program headers out of range');
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (v.getUint32(at, true) !== PT_LOAD) continue;
    const offset = v.getUint32(at + 4, true);
    const paddr = v.getUint32(at + 12, true);
    const filesz = v.getUint32(at + 16, true);
    const memsz = v.getUint32(at + 20, true);
    if (offset + filesz > bytes.length || filesz > memsz) throw new ElfError(`segment ${i} out of range`);
    segments.push({ paddr, data: bytes.subarray(offset, offset + filesz), memsz });
  }
  return { entry, segments };
}
