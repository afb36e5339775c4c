/** Helpers that generated code calls (as `H.name`) for work too long to emit inline. */

/** The high 32 bits of the 64-bit product of two int32 values, unsigned (or signed when `signed`). */
export function mulHigh(a: number, b: number, signed: boolean): number {
  const ua = a >>> 0;
  const ub = b >>> 0;
  const aLo = ua & 0xffff;
  const aHi = ua >>> 16;
  const bLo = ub & 0xffff;
  const bHi = ub >>> 16;
  const mid = aHi * bLo + ((aLo * bLo) >>> 16);
  const mid2 = (mid & 0xffff) + aLo * bHi;
  let high = aHi * bHi + Math.floor(mid / 65536) + Math.floor(mid2 / 65536);
  if (signed) {
    // two's complement correction: a negative operand contributed 2^32 times the other
    if (a < 0) high -= ub;
    if (b < 0) high -= ua;
  }
  return high | 0;
}

/** The object passed to generated code. */
export const RUNTIME = { mulHigh } as const;
