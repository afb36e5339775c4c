/** VFPv3-D32 state: 32 doubleword registers (aliased as 32 singles in D0-D15), FPSCR and FPEXC. */
import { FpEnv } from './softfloat.ts';

/** VFP system register values of the Cortex-A15 as the reference model reports them. */
export const VfpId = {
  fpsid: 0x410430f0,
  mvfr0: 0x10110222,
  mvfr1: 0x11111111,
} as const;

/** FPSCR bits that hold a value (NZCV, QC, AHP, DN, FZ, RMode, Stride, Len, flags; no trap enables). */
const FPSCR_MASK = 0xfff7009f | 0;
/** FPEXC bits software may write (EX, EN and the implementation-defined low bits stay 0 here). */
const FPEXC_MASK = 0x40000000;

/** The floating-point register file and controls. */
export class Vfp {
  /** The 64 words of D0-D31 (S<i> is word i for i < 32; D<i> is words 2i, 2i+1). */
  readonly words = new Int32Array(64);
  /** The same registers as singles (S0-S31 are the first 32), for the host-arithmetic fast path. */
  readonly f32 = new Float32Array(this.words.buffer);
  /** The same registers as doubles (D0-D31). */
  readonly f64 = new Float64Array(this.words.buffer);
  /** Rounding, flush, default-NaN controls and the cumulative flags, as the arithmetic uses them. */
  readonly env = new FpEnv();
  /** FPEXC. */
  fpexc = 0;
  private fpscrRest = 0;

  /** FPSCR assembled from the controls and flags. */
  get fpscr(): number {
    return ((this.fpscrRest & ~0x9f) | this.env.flags) >>> 0;
  }

  /** Writes FPSCR and updates the arithmetic controls. */
  set fpscr(value: number) {
    const v = value & FPSCR_MASK;
    this.fpscrRest = v;
    this.env.flags = v & 0x9f;
    this.env.rmode = (v >>> 22) & 3;
    this.env.fz = ((v >>> 24) & 1) === 1;
    this.env.dn = ((v >>> 25) & 1) === 1;
  }

  /** Zeroes the registers, FPSCR and FPEXC (the reset state). */
  reset(): void {
    this.words.fill(0);
    this.fpscr = 0;
    this.fpexc = 0;
  }

  /** Sets FPSCR.NZCV from a nibble (VCMP). */
  setNzcv(nzcv: number): void {
    this.fpscrRest = (this.fpscrRest & 0x0fffffff) | (nzcv << 28);
  }

  /** Writes FPEXC (only EN is writable here). */
  writeFpexc(value: number): void {
    this.fpexc = value & FPEXC_MASK;
  }

  /** True when FPEXC.EN lets VFP instructions run. */
  get enabled(): boolean {
    return (this.fpexc & 0x40000000) !== 0;
  }

  /** S<i> as raw bits. */
  s(i: number): bigint {
    return BigInt(this.words[i]! >>> 0);
  }

  /** Writes S<i> from raw bits. */
  setS(i: number, bits: bigint): void {
    this.words[i] = Number(bits & 0xffffffffn);
  }

  /** D<i> as raw bits. */
  d(i: number): bigint {
    return (BigInt(this.words[2 * i + 1]! >>> 0) << 32n) | BigInt(this.words[2 * i]! >>> 0);
  }

  /** Writes D<i> from raw bits. */
  setD(i: number, bits: bigint): void {
    this.words[2 * i] = Number(bits & 0xffffffffn);
    this.words[2 * i + 1] = Number((bits >> 32n) & 0xffffffffn);
  }
}
