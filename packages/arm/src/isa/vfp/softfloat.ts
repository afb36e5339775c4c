/**
 * IEEE 754 binary32/binary64 arithmetic as VFP does it, computed exactly with BigInt and rounded
 * once: every rounding mode, flush-to-zero, default NaN and the cumulative exception flags.
 * Values travel as raw bit patterns (bigint) so NaN payloads survive.
 */

/** A floating-point format. */
export interface FloatFormat {
  readonly bits: number;
  readonly mantBits: number;
  readonly expBits: number;
}

/** binary32. */
export const F32: FloatFormat = { bits: 32, mantBits: 23, expBits: 8 };
/** binary64. */
export const F64: FloatFormat = { bits: 64, mantBits: 52, expBits: 11 };
/** binary16 (IEEE half precision). */
export const F16: FloatFormat = { bits: 16, mantBits: 10, expBits: 5 };

/** FPSCR cumulative exception flag bits. */
export const FpFlag = { IOC: 1, DZC: 2, OFC: 4, UFC: 8, IXC: 16, IDC: 128 } as const;

/** FPSCR.RMode values. */
export const RoundingMode = { nearest: 0, plusInf: 1, minusInf: 2, zero: 3 } as const;

/** The FPSCR controls an operation obeys, and where it accumulates flags. */
export class FpEnv {
  /** Rounding mode (FPSCR.RMode). */
  rmode = 0;
  /** Flush-to-zero (FPSCR.FZ). */
  fz = false;
  /** Default NaN (FPSCR.DN). */
  dn = false;
  /** Flags raised since last cleared (OR into FPSCR). */
  flags = 0;
}

const B = BigInt;

function masks(f: FloatFormat) {
  const mant = (1n << B(f.mantBits)) - 1n;
  const expMax = (1 << f.expBits) - 1;
  return { mant, expMax, bias: (1 << (f.expBits - 1)) - 1, signBit: 1n << B(f.bits - 1) };
}
const M32 = masks(F32);
const M64 = masks(F64);
const M16 = masks(F16);
const mk = (f: FloatFormat) => (f.bits === 32 ? M32 : f.bits === 64 ? M64 : M16);

/** Unpacked finite value: (-1)^sign * m * 2^e, or a class marker. */
interface Unpacked {
  sign: number;
  cls: 0 | 1 | 2 | 3; // zero, finite, infinity, NaN
  m: bigint;
  e: number;
}

function unpack(x: bigint, f: FloatFormat, env: FpEnv): Unpacked {
  const k = mk(f);
  const sign = x & k.signBit ? 1 : 0;
  const exp = Number((x >> B(f.mantBits)) & B(k.expMax));
  const mant = x & k.mant;
  if (exp === k.expMax) return { sign, cls: mant === 0n ? 2 : 3, m: mant, e: 0 };
  if (exp === 0) {
    if (mant === 0n) return { sign, cls: 0, m: 0n, e: 0 };
    if (env.fz) {
      env.flags |= FpFlag.IDC;
      return { sign, cls: 0, m: 0n, e: 0 };
    }
    return { sign, cls: 1, m: mant, e: 1 - k.bias - f.mantBits };
  }
  return { sign, cls: 1, m: mant | (1n << B(f.mantBits)), e: exp - k.bias - f.mantBits };
}

/** True for a signalling NaN. */
export function isSignalling(x: bigint, f: FloatFormat): boolean {
  const k = mk(f);
  const exp = Number((x >> B(f.mantBits)) & B(k.expMax));
  return exp === k.expMax && (x & k.mant) !== 0n && (x & (1n << B(f.mantBits - 1))) === 0n;
}

/** True for any NaN. */
export function isNaN_(x: bigint, f: FloatFormat): boolean {
  const k = mk(f);
  return Number((x >> B(f.mantBits)) & B(k.expMax)) === k.expMax && (x & k.mant) !== 0n;
}

/** The default NaN. */
export function defaultNaN(f: FloatFormat): bigint {
  const k = mk(f);
  return (B(k.expMax) << B(f.mantBits)) | (1n << B(f.mantBits - 1));
}

function quiet(x: bigint, f: FloatFormat, env: FpEnv): bigint {
  if (env.dn) return defaultNaN(f);
  return x | (1n << B(f.mantBits - 1));
}

/** With flush-to-zero, notes denormal inputs (IDC) before anything else, NaN handling included. */
function flushInputs(ops: readonly bigint[], f: FloatFormat, env: FpEnv): void {
  if (!env.fz) return;
  const k = mk(f);
  for (const x of ops) {
    if (((x >> B(f.mantBits)) & B(k.expMax)) === 0n && (x & k.mant) !== 0n) env.flags |= FpFlag.IDC;
  }
}

/** ARM NaN propagation: the first signalling NaN, else the first quiet NaN (operands in order). */
function processNaNs(ops: readonly bigint[], f: FloatFormat, env: FpEnv): bigint | undefined {
  flushInputs(ops, f, env);
  for (const x of ops) {
    if (isSignalling(x, f)) {
      env.flags |= FpFlag.IOC;
      return quiet(x, f, env);
    }
  }
  for (const x of ops) if (isNaN_(x, f)) return quiet(x, f, env);
  return undefined;
}

function infinity(sign: number, f: FloatFormat): bigint {
  const k = mk(f);
  return (sign ? k.signBit : 0n) | (B(k.expMax) << B(f.mantBits));
}

function zero(sign: number, f: FloatFormat): bigint {
  return sign ? mk(f).signBit : 0n;
}

function bitLength(m: bigint): number {
  return m.toString(2).length;
}

/** Rounds (-1)^sign * m * 2^e (m > 0; `sticky` means a nonzero remainder lies below m) into `f`. */
export function roundPack(
  sign: number,
  m: bigint,
  e: number,
  sticky: boolean,
  f: FloatFormat,
  env: FpEnv,
): bigint {
  const k = mk(f);
  const p = f.mantBits + 1;
  const emin = 1 - k.bias;
  const top = e + bitLength(m) - 1; // exponent of the leading bit
  const tiny = top < emin;
  const lsbExp = Math.max(top, emin) - (p - 1);
  let q: bigint;
  let inexact = sticky;
  let roundUp = false;
  if (lsbExp <= e) q = m << B(e - lsbExp);
  else {
    const shift = B(lsbExp - e);
    q = m >> shift;
    const rem = m & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    if (rem !== 0n) inexact = true;
    switch (env.rmode) {
      case RoundingMode.nearest:
        roundUp = rem > half || (rem === half && (sticky || (q & 1n) === 1n));
        break;
      case RoundingMode.plusInf:
        roundUp = inexact && sign === 0;
        break;
      case RoundingMode.minusInf:
        roundUp = inexact && sign === 1;
        break;
    }
  }
  if (lsbExp <= e && sticky && env.rmode !== RoundingMode.zero) {
    // only directed modes can move an exact head with a sticky tail
    roundUp =
      env.rmode === RoundingMode.plusInf
        ? sign === 0
        : env.rmode === RoundingMode.minusInf
          ? sign === 1
          : false;
  }
  if (roundUp) q += 1n;
  let exp = lsbExp;
  if (q >> B(p) !== 0n) {
    q >>= 1n;
    exp += 1;
  }
  if (tiny && env.fz) {
    env.flags |= FpFlag.UFC;
    return zero(sign, f);
  }
  if (tiny && inexact) env.flags |= FpFlag.UFC;
  if (inexact) env.flags |= FpFlag.IXC;
  const normal = q >> B(p - 1) !== 0n;
  const biased = normal ? exp + (p - 1) + k.bias : 0;
  if (biased >= k.expMax) {
    env.flags |= FpFlag.OFC | FpFlag.IXC;
    const toInf =
      env.rmode === RoundingMode.nearest ||
      (env.rmode === RoundingMode.plusInf && sign === 0) ||
      (env.rmode === RoundingMode.minusInf && sign === 1);
    if (toInf) return infinity(sign, f);
    return (sign ? k.signBit : 0n) | (B(k.expMax - 1) << B(f.mantBits)) | k.mant;
  }
  if (q === 0n) return zero(sign, f);
  return (sign ? k.signBit : 0n) | (B(biased) << B(f.mantBits)) | (q & k.mant);
}

/** a + b (b negated first when `subtract`). */
export function fpAdd(a: bigint, b: bigint, f: FloatFormat, env: FpEnv, subtract = false): bigint {
  const nan = processNaNs([a, b], f, env);
  if (nan !== undefined) return nan;
  const x = unpack(a, f, env);
  const y = unpack(b, f, env);
  if (subtract) y.sign ^= 1;
  if (x.cls === 2 || y.cls === 2) {
    if (x.cls === 2 && y.cls === 2 && x.sign !== y.sign) {
      env.flags |= FpFlag.IOC;
      return defaultNaN(f);
    }
    return infinity(x.cls === 2 ? x.sign : y.sign, f);
  }
  if (x.cls === 0 && y.cls === 0) {
    const s = x.sign === y.sign ? x.sign : env.rmode === RoundingMode.minusInf ? 1 : 0;
    return zero(s, f);
  }
  if (x.cls === 0) return roundPack(y.sign, y.m, y.e, false, f, env);
  if (y.cls === 0) return roundPack(x.sign, x.m, x.e, false, f, env);
  const e = Math.min(x.e, y.e);
  const sx = (x.m << B(x.e - e)) * (x.sign ? -1n : 1n);
  const sy = (y.m << B(y.e - e)) * (y.sign ? -1n : 1n);
  const sum = sx + sy;
  if (sum === 0n) return zero(env.rmode === RoundingMode.minusInf ? 1 : 0, f);
  return roundPack(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e, false, f, env);
}

/** a * b. */
export function fpMul(a: bigint, b: bigint, f: FloatFormat, env: FpEnv): bigint {
  const nan = processNaNs([a, b], f, env);
  if (nan !== undefined) return nan;
  const x = unpack(a, f, env);
  const y = unpack(b, f, env);
  const sign = x.sign ^ y.sign;
  if ((x.cls === 2 && y.cls === 0) || (x.cls === 0 && y.cls === 2)) {
    env.flags |= FpFlag.IOC;
    return defaultNaN(f);
  }
  if (x.cls === 2 || y.cls === 2) return infinity(sign, f);
  if (x.cls === 0 || y.cls === 0) return zero(sign, f);
  return roundPack(sign, x.m * y.m, x.e + y.e, false, f, env);
}

/** a * b + c with one rounding (VFMA); `negProduct` negates a*b first. */
export function fpMulAdd(
  a: bigint,
  b: bigint,
  c: bigint,
  f: FloatFormat,
  env: FpEnv,
  negProduct = false,
): bigint {
  // infinity times zero is invalid even when the addend is a quiet NaN: the default NaN wins
  if (isNaN_(c, f) && !isSignalling(c, f) && !isSignalling(a, f) && !isSignalling(b, f)) {
    const x = unpack(a, f, env);
    const y = unpack(b, f, env);
    if ((x.cls === 2 && y.cls === 0) || (x.cls === 0 && y.cls === 2)) {
      env.flags |= FpFlag.IOC;
      return defaultNaN(f);
    }
  }
  const nan = processNaNs([c, a, b], f, env);
  if (nan !== undefined) return nan;
  const x = unpack(a, f, env);
  const y = unpack(b, f, env);
  const z = unpack(c, f, env);
  const ps = x.sign ^ y.sign ^ (negProduct ? 1 : 0);
  if ((x.cls === 2 && y.cls === 0) || (x.cls === 0 && y.cls === 2)) {
    env.flags |= FpFlag.IOC;
    return defaultNaN(f);
  }
  const pInf = x.cls === 2 || y.cls === 2;
  if (pInf || z.cls === 2) {
    if (pInf && z.cls === 2 && ps !== z.sign) {
      env.flags |= FpFlag.IOC;
      return defaultNaN(f);
    }
    return infinity(pInf ? ps : z.sign, f);
  }
  const pZero = x.cls === 0 || y.cls === 0;
  if (pZero && z.cls === 0) return zero(ps === z.sign ? ps : env.rmode === RoundingMode.minusInf ? 1 : 0, f);
  if (pZero) return roundPack(z.sign, z.m, z.e, false, f, env);
  const pm = x.m * y.m;
  const pe = x.e + y.e;
  if (z.cls === 0) return roundPack(ps, pm, pe, false, f, env);
  const e = Math.min(pe, z.e);
  const sum = (pm << B(pe - e)) * (ps ? -1n : 1n) + (z.m << B(z.e - e)) * (z.sign ? -1n : 1n);
  if (sum === 0n) return zero(env.rmode === RoundingMode.minusInf ? 1 : 0, f);
  return roundPack(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e, false, f, env);
}

/** a / b. */
export function fpDiv(a: bigint, b: bigint, f: FloatFormat, env: FpEnv): bigint {
  const nan = processNaNs([a, b], f, env);
  if (nan !== undefined) return nan;
  const x = unpack(a, f, env);
  const y = unpack(b, f, env);
  const sign = x.sign ^ y.sign;
  if ((x.cls === 2 && y.cls === 2) || (x.cls === 0 && y.cls === 0)) {
    env.flags |= FpFlag.IOC;
    return defaultNaN(f);
  }
  if (x.cls === 2 || y.cls === 0) {
    if (x.cls === 1) env.flags |= FpFlag.DZC; // only a finite dividend divides by zero
    return infinity(sign, f);
  }
  if (x.cls === 0 || y.cls === 2) return zero(sign, f);
  const k = Math.max(0, f.mantBits + 4 + bitLength(y.m) - bitLength(x.m));
  const num = x.m << B(k);
  const q = num / y.m;
  const rem = num % y.m;
  return roundPack(sign, q, x.e - y.e - k, rem !== 0n, f, env);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << B(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** sqrt(a). */
export function fpSqrt(a: bigint, f: FloatFormat, env: FpEnv): bigint {
  const nan = processNaNs([a], f, env);
  if (nan !== undefined) return nan;
  const x = unpack(a, f, env);
  if (x.cls === 0) return zero(x.sign, f);
  if (x.sign) {
    env.flags |= FpFlag.IOC;
    return defaultNaN(f);
  }
  if (x.cls === 2) return infinity(0, f);
  let shift = 2 * (f.mantBits + 4) - bitLength(x.m);
  if (shift < 0) shift = 0;
  if ((x.e - shift) & 1) shift += 1;
  const n = x.m << B(shift);
  const r = isqrt(n);
  return roundPack(0, r, (x.e - shift) / 2, r * r !== n, f, env);
}

/** Compares a and b: the NZCV nibble VCMP writes. `signalAll` (VCMPE) raises IOC on quiet NaNs too. */
export function fpCompare(a: bigint, b: bigint, f: FloatFormat, env: FpEnv, signalAll: boolean): number {
  flushInputs([a, b], f, env);
  if (isNaN_(a, f) || isNaN_(b, f)) {
    if (signalAll || isSignalling(a, f) || isSignalling(b, f)) env.flags |= FpFlag.IOC;
    return 0x3;
  }
  const x = unpack(a, f, env);
  const y = unpack(b, f, env);
  const val = (u: Unpacked) => (u.cls === 0 ? 0 : u.cls === 2 ? (u.sign ? -1 : 1) * Infinity : 0);
  let cmp: number;
  if (x.cls === 2 || y.cls === 2 || x.cls === 0 || y.cls === 0) {
    const vx = x.cls === 1 ? (x.sign ? -1 : 1) : val(x);
    const vy = y.cls === 1 ? (y.sign ? -1 : 1) : val(y);
    cmp = vx === vy ? 0 : vx < vy ? -1 : 1;
  } else {
    const e = Math.min(x.e, y.e);
    const sx = (x.m << B(x.e - e)) * (x.sign ? -1n : 1n);
    const sy = (y.m << B(y.e - e)) * (y.sign ? -1n : 1n);
    cmp = sx === sy ? 0 : sx < sy ? -1 : 1;
  }
  return cmp === 0 ? 0x6 : cmp < 0 ? 0x8 : 0x2;
}

/** Converts between binary32 and binary64. */
export function fpConvert(a: bigint, from: FloatFormat, to: FloatFormat, env: FpEnv): bigint {
  flushInputs([a], from, env);
  if (isNaN_(a, from)) {
    if (isSignalling(a, from)) env.flags |= FpFlag.IOC;
    if (env.dn) return defaultNaN(to);
    const sign = a >> B(from.bits - 1);
    const payload = (a & mk(from).mant) | (1n << B(from.mantBits - 1));
    const moved =
      to.mantBits > from.mantBits
        ? payload << B(to.mantBits - from.mantBits)
        : payload >> B(from.mantBits - to.mantBits);
    return (
      (sign << B(to.bits - 1)) | (B(mk(to).expMax) << B(to.mantBits)) | moved | (1n << B(to.mantBits - 1))
    );
  }
  const x = unpack(a, from, env);
  if (x.cls === 0) return zero(x.sign, to);
  if (x.cls === 2) return infinity(x.sign, to);
  return roundPack(x.sign, x.m, x.e, false, to, env);
}

/**
 * Converts to a 32-bit integer, saturating (NaN gives 0, with IOC); `roundZero` overrides RMode.
 * With `fracBits` the result is fixed-point (the value times 2^fracBits), saturated to `width` bits.
 */
export function fpToInt(
  a: bigint,
  f: FloatFormat,
  env: FpEnv,
  signed: boolean,
  roundZero: boolean,
  fracBits = 0,
  width = 32,
): number {
  flushInputs([a], f, env);
  if (isNaN_(a, f)) {
    env.flags |= FpFlag.IOC;
    return 0;
  }
  const x = unpack(a, f, env);
  const max = signed ? (1n << B(width - 1)) - 1n : (1n << B(width)) - 1n;
  const min = signed ? -(1n << B(width - 1)) : 0n;
  if (x.cls === 0) return 0;
  x.e += fracBits;
  if (x.cls === 2) {
    env.flags |= FpFlag.IOC;
    return Number(x.sign ? min : max) | 0;
  }
  let v: bigint;
  let inexact = false;
  if (x.e >= 0) v = x.m << B(x.e);
  else {
    const sh = B(-x.e);
    v = x.m >> sh;
    const rem = x.m & ((1n << sh) - 1n);
    if (rem !== 0n) {
      inexact = true;
      const half = 1n << (sh - 1n);
      const mode = roundZero ? RoundingMode.zero : env.rmode;
      const up =
        mode === RoundingMode.nearest
          ? rem > half || (rem === half && (v & 1n) === 1n)
          : mode === RoundingMode.plusInf
            ? x.sign === 0
            : mode === RoundingMode.minusInf
              ? x.sign === 1
              : false;
      if (up) v += 1n;
    }
  }
  if (x.sign) v = -v;
  if (v > max || v < min) {
    env.flags |= FpFlag.IOC;
    return Number(v > max ? max : min) | 0;
  }
  if (inexact) env.flags |= FpFlag.IXC;
  return Number(v) | 0;
}

/**
 * Converts a 32-bit integer (signed or not) to a float, rounding per RMode; with `fracBits` the
 * integer is a fixed-point number (divided by 2^fracBits).
 */
export function fpFromInt(v: number, f: FloatFormat, env: FpEnv, signed: boolean, fracBits = 0): bigint {
  const n = signed ? B(v | 0) : B(v >>> 0);
  if (n === 0n) return 0n;
  return roundPack(n < 0n ? 1 : 0, n < 0n ? -n : n, -fracBits, false, f, env);
}
