/** Register fields of a Thumb-2 32-bit instruction word (hw1 << 16 | hw2). */

/** Rn in hw1 bits 3:0. */
export const rn = (w: number) => (w >>> 16) & 0xf;
/** Rd in hw2 bits 11:8. */
export const rd8 = (w: number) => (w >>> 8) & 0xf;
/** Rt, Ra or RdLo in hw2 bits 15:12. */
export const rt12 = (w: number) => (w >>> 12) & 0xf;
/** Rm in hw2 bits 3:0. */
export const rm = (w: number) => w & 0xf;
