/**
 * The ARM and ARM-Thumb branch converters of .xz, decoding direction. The encoder turned the
 * PC-relative offsets of BL instructions into absolute addresses (which repeat, so they compress
 * better); decoding turns them back. Positions count from the start of the block's output plus the
 * filter's start offset.
 */

/** Undoes the `kind` branch conversion over `data` in place. */
export function decodeBcj(data: Uint8Array, kind: 'arm' | 'thumb', startOffset: number): void {
  if (kind === 'arm') decodeArm(data, startOffset);
  else decodeThumb(data, startOffset);
}

/** A32 BL: condition AL and opcode 0b1011 in the top byte, a 24-bit word offset below. */
function decodeArm(data: Uint8Array, start: number): void {
  for (let i = 0; i + 4 <= data.length; i += 4) {
    if (data[i + 3] !== 0xeb) continue;
    const absolute = ((data[i + 2]! << 16) | (data[i + 1]! << 8) | data[i]!) << 2;
    const offset = (absolute - (start + i + 8)) >>> 2;
    data[i] = offset;
    data[i + 1] = offset >>> 8;
    data[i + 2] = offset >>> 16;
  }
}

/** Thumb BL: two halfwords 0b11110 and 0b11111 carrying 11 bits of the halfword offset each. */
function decodeThumb(data: Uint8Array, start: number): void {
  for (let i = 0; i + 4 <= data.length; i += 2) {
    if ((data[i + 1]! & 0xf8) !== 0xf0 || (data[i + 3]! & 0xf8) !== 0xf8) continue;
    const absolute =
      (((data[i + 1]! & 7) << 19) | (data[i]! << 11) | ((data[i + 3]! & 7) << 8) | data[i + 2]!) << 1;
    const offset = (absolute - (start + i + 4)) >>> 1;
    data[i + 1] = 0xf0 | ((offset >>> 19) & 7);
    data[i] = offset >>> 11;
    data[i + 3] = 0xf8 | ((offset >>> 8) & 7);
    data[i + 2] = offset;
    i += 2;
  }
}
