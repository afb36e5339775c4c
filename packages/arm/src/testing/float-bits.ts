/**
 * The IEEE bit patterns of JavaScript numbers and back, as bigints, the form in which the
 * softfloat and NEON float code takes and returns its operands.
 */

// One scratch buffer: the conversions are synchronous, so no call can see another's bytes.
const buf = new DataView(new ArrayBuffer(8));

/** The binary64 bits of `x`. */
export const d2b = (x: number): bigint => {
  buf.setFloat64(0, x, true);
  return buf.getBigUint64(0, true);
};

/** The double whose binary64 bits are `b`. */
export const b2d = (b: bigint): number => {
  buf.setBigUint64(0, b, true);
  return buf.getFloat64(0, true);
};

/** The binary32 bits of `x`, rounded to single precision first. */
export const f2b = (x: number): bigint => {
  buf.setFloat32(0, x, true);
  return BigInt(buf.getUint32(0, true));
};

/** The single whose binary32 bits are the low 32 of `b`. */
export const b2f = (b: bigint): number => {
  buf.setUint32(0, Number(b), true);
  return buf.getFloat32(0, true);
};
