/**
 * Guests that hang without a word, for the tools that find where: raw images booted by the Linux
 * protocol at RAM + 0x10000, written here as instruction words so no toolchain is needed.
 */
import { writeFileSync } from 'node:fs';

/** Where the Linux boot protocol puts a raw image (QEMU's address). */
export const IMAGE_BASE = 0x40010000;
/** The undefined instruction the first guest loops on. */
export const UDF_AT = IMAGE_BASE + 8;

function image(words: Record<number, number>, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  for (const [off, w] of Object.entries(words)) view.setUint32(Number(off), w, true);
  return bytes;
}

/**
 * Sets VBAR to its own table, then executes UDF; the undefined-instruction handler returns to the
 * UDF (SUBS PC, LR, #4), so the guest takes the same exception forever.
 */
export function undefinedLoopImage(): Uint8Array {
  return image(
    {
      0x00: 0xe59f0010, // ldr r0, [pc, #16]      the table's address, from 0x18
      0x04: 0xee0c0f10, // mcr p15, 0, r0, c12, c0, 0   VBAR
      0x08: 0xe7f000f0, // udf #0                 <- hangs here
      0x0c: 0xeafffffe, // b .
      0x18: IMAGE_BASE + 0x100,
      0x100: 0xeafffffe, // reset: b .
      0x104: 0xe25ef004, // undefined: subs pc, lr, #4   (back to the UDF)
    },
    0x108,
  );
}

/** Writes the image to `path` and returns the path. */
export function writeUndefinedLoop(path: string): string {
  writeFileSync(path, undefinedLoopImage());
  return path;
}
