/** Multiplies, extends and bitfield extracts in generated code, shared by A32 and Thumb-2. */
import { js, reg, setFlag, setReg } from './code.ts';
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
  const product = js`Math.imul(${reg(rn)}, ${reg(rm)})`;
  const value =
    ra === null ? product : sub ? js`(${reg(ra)} - ${product}) | 0` : js`(${product} + ${reg(ra)}) | 0`;
  const nz = js` ${setFlag('n', 'res >>> 31')} ${setFlag('z', 'res === 0 ? 1 : 0')}`;
  const code = js`res = ${value}; ${setReg(rd, 'res')}${flags ? nz : ''}`;
  return { code, end: false };
}

/**
 * SXTB, SXTH, UXTB, UXTH and their accumulating forms (A32 opcode bits 22:20 = 2, 3, 6, 7; Rn 15 means
 * no accumulate) with a rotation of 0, 8, 16 or 24; the dual-halfword forms keep their executor.
 */
export function extend(op: number, rd: number, rn: number, rm: number, rot: number): Emitted | null {
  if (rd === 15 || rm === 15 || (op !== 2 && op !== 3 && op !== 6 && op !== 7)) return null;
  const m = rot === 0 ? reg(rm) : js`((${reg(rm)} >>> ${rot}) | (${reg(rm)} << ${32 - rot}))`;
  const value = [js`(${m} << 24) >> 24`, js`(${m} << 16) >> 16`, js`${m} & 255`, js`${m} & 65535`][
    (op & 1) | ((op >>> 1) & 2)
  ]!;
  return { code: setReg(rd, rn === 15 ? value : js`(${value}) + ${reg(rn)} | 0`), end: false };
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
  const up = js`${reg(rn)} << ${32 - lsb - width}`;
  return {
    code: setReg(rd, js`(${up}) ${unsigned ? '>>>' : '>>'} ${32 - width}${unsigned ? ' | 0' : ''}`),
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
    code: js`a = ${reg(rn)}; b = ${reg(rm)}; ${setReg(lo, 'Math.imul(a, b)')} ${setReg(hi, `H.mulHigh(a, b, ${signed})`)}`,
    end: false,
  };
}

/** SDIV/UDIV Rd, Rn, Rm: a zero divisor gives zero. */
export function divide(rd: number, rn: number, rm: number, signed: boolean): Emitted | null {
  if (rd === 15 || rn === 15 || rm === 15) return null;
  const quotient = signed ? 'Math.trunc(a / b) | 0' : 'Math.floor((a >>> 0) / (b >>> 0)) | 0';
  return { code: js`a = ${reg(rn)}; b = ${reg(rm)}; ${setReg(rd, `b === 0 ? 0 : ${quotient}`)}`, end: false };
}
