/** Multiplies, extends and bitfield extracts in generated code, shared by A32 and Thumb-2. */
import type { Emitted } from './emitter.ts';

/** MUL (no `ra`), MLA or MLS into `rd`; with `flags`, N and Z as MULS sets them. */
export function multiply(
  rd: number,
  rn: number,
  rm: number,
  ra: number | null,
  sub: boolean,
  flags: boolean,
): Emitted | null {
  if (rd === 15 || rn === 15 || rm === 15 || ra === 15) return null;
  const product = `Math.imul(r[${rn}], r[${rm}])`;
  const value = ra === null ? product : sub ? `(r[${ra}] - ${product}) | 0` : `(${product} + r[${ra}]) | 0`;
  const code = `res = ${value}; r[${rd}] = res;${flags ? ' cpu.n = res >>> 31; cpu.z = res === 0 ? 1 : 0;' : ''}`;
  return { code, end: false };
}

/**
 * SXTB, SXTH, UXTB, UXTH and their accumulating forms (A32 opcode bits 22:20 = 2, 3, 6, 7; Rn 15 means
 * no accumulate) with a rotation of 0, 8, 16 or 24; the dual-halfword forms keep their executor.
 */
export function extend(op: number, rd: number, rn: number, rm: number, rot: number): Emitted | null {
  if (rd === 15 || rm === 15 || (op !== 2 && op !== 3 && op !== 6 && op !== 7)) return null;
  const m = rot === 0 ? `r[${rm}]` : `((r[${rm}] >>> ${rot}) | (r[${rm}] << ${32 - rot}))`;
  const value = [`(${m} << 24) >> 24`, `(${m} << 16) >> 16`, `${m} & 255`, `${m} & 65535`][
    (op & 1) | ((op >>> 1) & 2)
  ]!;
  return { code: `r[${rd}] = ${rn === 15 ? value : `(${value}) + r[${rn}] | 0`};`, end: false };
}

/** SBFX/UBFX Rd, Rn, #lsb, #width. */
export function bitfieldExtract(
  rd: number,
  rn: number,
  lsb: number,
  width: number,
  unsigned: boolean,
): Emitted | null {
  if (rd === 15 || rn === 15 || lsb + width > 32) return null;
  const up = `r[${rn}] << ${32 - lsb - width}`;
  return {
    code: `r[${rd}] = (${up}) ${unsigned ? '>>>' : '>>'} ${32 - width}${unsigned ? ' | 0' : ''};`,
    end: false,
  };
}

/** UMULL/SMULL RdLo, RdHi, Rn, Rm (no accumulate, no flags). */
export function multiplyLong(
  lo: number,
  hi: number,
  rn: number,
  rm: number,
  signed: boolean,
): Emitted | null {
  if (lo === 15 || hi === 15 || rn === 15 || rm === 15 || lo === hi) return null;
  return {
    code: `a = r[${rn}]; b = r[${rm}]; r[${lo}] = Math.imul(a, b); r[${hi}] = H.mulHigh(a, b, ${signed});`,
    end: false,
  };
}

/** SDIV/UDIV Rd, Rn, Rm: a zero divisor gives zero. */
export function divide(rd: number, rn: number, rm: number, signed: boolean): Emitted | null {
  if (rd === 15 || rn === 15 || rm === 15) return null;
  const quotient = signed ? 'Math.trunc(a / b) | 0' : 'Math.floor((a >>> 0) / (b >>> 0)) | 0';
  return { code: `a = r[${rn}]; b = r[${rm}]; r[${rd}] = b === 0 ? 0 : ${quotient};`, end: false };
}
