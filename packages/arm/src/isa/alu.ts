/** The integer ALU: the barrel shifter, add-with-carry and the flag rules of data processing. */
import type { CpuState } from '../cpu-state.ts';

/** Shift types as encoded in bits 6:5 of a shifted-register operand. */
export const Shift = { lsl: 0, lsr: 1, asr: 2, ror: 3 } as const;

/**
 * Carry out of the last shift. Kept at module level so the shifter returns a bare int32 (no
 * allocation); callers read it right after the shift that set it.
 */
export let shifterCarry = 0;

/** Shifts `value` by an immediate as encoded (imm5 0 means 32 for LSR/ASR and RRX for ROR). */
export function shiftImm(value: number, type: number, imm5: number, carryIn: number): number {
  switch (type) {
    case 0:
      if (imm5 === 0) {
        shifterCarry = carryIn;
        return value;
      }
      shifterCarry = (value >>> (32 - imm5)) & 1;
      return value << imm5;
    case 1:
      if (imm5 === 0) {
        shifterCarry = value >>> 31;
        return 0;
      }
      shifterCarry = (value >>> (imm5 - 1)) & 1;
      return (value >>> imm5) | 0;
    case 2:
      if (imm5 === 0) {
        shifterCarry = value >>> 31;
        return value >> 31;
      }
      shifterCarry = (value >> (imm5 - 1)) & 1;
      return value >> imm5;
    default:
      if (imm5 === 0) {
        shifterCarry = value & 1;
        return (carryIn << 31) | (value >>> 1);
      }
      shifterCarry = (value >>> (imm5 - 1)) & 1;
      return (value >>> imm5) | (value << (32 - imm5));
  }
}

/** Shifts `value` by the bottom byte of a register, as the register-shifted forms do. */
export function shiftReg(value: number, type: number, amountReg: number, carryIn: number): number {
  const n = amountReg & 0xff;
  if (n === 0) {
    shifterCarry = carryIn;
    return value;
  }
  switch (type) {
    case 0:
      if (n < 32) {
        shifterCarry = (value >>> (32 - n)) & 1;
        return value << n;
      }
      shifterCarry = n === 32 ? value & 1 : 0;
      return 0;
    case 1:
      if (n < 32) {
        shifterCarry = (value >>> (n - 1)) & 1;
        return (value >>> n) | 0;
      }
      shifterCarry = n === 32 ? value >>> 31 : 0;
      return 0;
    case 2:
      if (n < 32) {
        shifterCarry = (value >> (n - 1)) & 1;
        return value >> n;
      }
      shifterCarry = value >>> 31;
      return value >> 31;
    default: {
      const r = n & 31;
      const result = r === 0 ? value : (value >>> r) | (value << (32 - r));
      shifterCarry = result >>> 31;
      return result;
    }
  }
}

/** Expands a 12-bit modified immediate (rotate-right by twice the top nibble). */
export function expandImm(imm12: number, carryIn: number): number {
  const rot = (imm12 >>> 7) & 0x1e;
  const base = imm12 & 0xff;
  if (rot === 0) {
    shifterCarry = carryIn;
    return base;
  }
  const value = (base >>> rot) | (base << (32 - rot));
  shifterCarry = value >>> 31;
  return value;
}

/** a + b + carry, setting N, Z, C and V on `s`. */
export function addWithCarry(s: CpuState, a: number, b: number, carry: number): number {
  const wide = (a >>> 0) + (b >>> 0) + carry;
  const r = wide | 0;
  s.n = r >>> 31;
  s.z = r === 0 ? 1 : 0;
  s.c = wide > 0xffffffff ? 1 : 0;
  s.v = ((a ^ r) & (b ^ r)) >>> 31;
  return r;
}

/** Sets N and Z from a result and C from the shifter, leaving V (the logical operations' rule). */
export function logicFlags(s: CpuState, r: number, carry: number): void {
  s.n = r >>> 31;
  s.z = r === 0 ? 1 : 0;
  s.c = carry;
}

/** The data-processing opcodes (bits 24:21). */
export const DpOp = {
  and: 0,
  eor: 1,
  sub: 2,
  rsb: 3,
  add: 4,
  adc: 5,
  sbc: 6,
  rsc: 7,
  tst: 8,
  teq: 9,
  cmp: 10,
  cmn: 11,
  orr: 12,
  mov: 13,
  bic: 14,
  mvn: 15,
} as const;

/**
 * Applies data-processing opcode `op` to `a` and the shifted operand `b` (whose shifter carry is
 * `carry`); sets flags when `setFlags`. Returns the result (the compare opcodes' is discarded).
 */
export function dataProcessing(
  s: CpuState,
  op: number,
  a: number,
  b: number,
  carry: number,
  setFlags: boolean,
): number {
  let r: number;
  switch (op) {
    case 0:
    case 8:
      r = a & b;
      break;
    case 1:
    case 9:
      r = a ^ b;
      break;
    case 2:
    case 10:
      return setFlags ? addWithCarry(s, a, ~b, 1) : (a - b) | 0;
    case 3:
      return setFlags ? addWithCarry(s, b, ~a, 1) : (b - a) | 0;
    case 4:
    case 11:
      return setFlags ? addWithCarry(s, a, b, 0) : (a + b) | 0;
    case 5:
      return setFlags ? addWithCarry(s, a, b, s.c) : (a + b + s.c) | 0;
    case 6:
      return setFlags ? addWithCarry(s, a, ~b, s.c) : (a + ~b + s.c) | 0;
    case 7:
      return setFlags ? addWithCarry(s, b, ~a, s.c) : (b + ~a + s.c) | 0;
    case 12:
      r = a | b;
      break;
    case 13:
      r = b;
      break;
    case 14:
      r = a & ~b;
      break;
    default:
      r = ~b;
      break;
  }
  if (setFlags) logicFlags(s, r, carry);
  return r;
}

/** True when condition `cond` (bits 31:28; 14 and 15 always) holds for the flags in `s`. */
export function conditionPassed(s: CpuState, cond: number): boolean {
  switch (cond) {
    case 0:
      return s.z === 1;
    case 1:
      return s.z === 0;
    case 2:
      return s.c === 1;
    case 3:
      return s.c === 0;
    case 4:
      return s.n === 1;
    case 5:
      return s.n === 0;
    case 6:
      return s.v === 1;
    case 7:
      return s.v === 0;
    case 8:
      return s.c === 1 && s.z === 0;
    case 9:
      return s.c === 0 || s.z === 1;
    case 10:
      return s.n === s.v;
    case 11:
      return s.n !== s.v;
    case 12:
      return s.z === 0 && s.n === s.v;
    case 13:
      return s.z === 1 || s.n !== s.v;
    default:
      return true;
  }
}

/** Signed saturation of `value` (a JS number, possibly beyond int32) to `bits` bits; sets `saturated`. */
export function signedSat(value: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  if (value > max) {
    saturated = 1;
    return max;
  }
  if (value < min) {
    saturated = 1;
    return min;
  }
  saturated = 0;
  return value;
}

/** Unsigned saturation of `value` to `bits` bits; sets `saturated`. */
export function unsignedSat(value: number, bits: number): number {
  const max = 2 ** bits - 1;
  if (value > max) {
    saturated = 1;
    return max;
  }
  if (value < 0) {
    saturated = 1;
    return 0;
  }
  saturated = 0;
  return value;
}

/** 1 when the last `signedSat`/`unsignedSat` clipped its value (it then sets CPSR.Q). */
export let saturated = 0;

/** Expands a Thumb-2 modified immediate (i:imm3:imm8): byte patterns, or a rotated 8-bit value. */
export function expandThumbImm(imm12: number, carryIn: number): number {
  const b = imm12 & 0xff;
  if ((imm12 & 0xc00) === 0) {
    shifterCarry = carryIn;
    switch ((imm12 >>> 8) & 3) {
      case 0:
        return b;
      case 1:
        return b | (b << 16);
      case 2:
        return (b << 8) | (b << 24);
      default:
        return b | (b << 8) | (b << 16) | (b << 24);
    }
  }
  const unrotated = 0x80 | (imm12 & 0x7f);
  const rot = imm12 >>> 7;
  const value = (unrotated >>> rot) | (unrotated << (32 - rot));
  shifterCarry = value >>> 31;
  return value;
}
