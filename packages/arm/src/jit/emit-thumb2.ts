/**
 * Inline code for the common 32-bit Thumb-2 instructions: data processing with a modified
 * immediate or a shifted register, ADDW/SUBW/MOVW/MOVT, single loads and stores, LDM/STM (PUSH.W,
 * POP.W) and LDRD/STRD. The caller has already matched the word to its table row (`name`), so the
 * encodings the table rejects never reach here. Unusual forms return null and run their executor.
 */
import { aluOp } from './emit-dataproc.ts';
import { dualT32, loadStoreMultiple } from './emit-multiple.ts';
import { bitfieldExtract, divide, extend, multiply, multiplyLong } from './emit-media.ts';
import { load, regOrPc, shiftImm, store } from './emit-util.ts';
import { type Code, js, reg, setReg } from './code.ts';
import type { Emitted, InsnContext } from './emitter.ts';

/** Inline code for a 32-bit Thumb-2 word of table row `name`, or null. */
export function emitThumb2(name: string, w: number, ctx: InsnContext): Emitted | null {
  switch (name) {
    case 'DP(modified imm)':
      return modifiedImm(w);
    case 'DP(shifted reg)':
      return shiftedReg(w, ctx);
    case 'DP(plain imm)':
      return plainImm(w, ctx);
    case 'LDR/STR':
      return loadStore(w, ctx);
    case 'LDM/STM/SRS/RFE': {
      // IA (op 1) and DB (op 2) are the A32 LDM/STM; SRS and RFE keep their executors
      const op = (w >>> 23) & 3;
      if (op !== 1 && op !== 2) return null;
      return loadStoreMultiple(
        (0xe8000000 | (op === 1 ? 0x00800000 : 0x01000000) | (w & 0x003fffff)) & ~0x00400000,
        ctx,
      );
    }
    case 'LDRD/STRD':
      return dualT32(w, ctx);
    case 'multiply': {
      if ((w >>> 20) & 7 || (w & 0x20) !== 0) return null; // only MUL, MLA, MLS
      const ra = (w >>> 12) & 0xf;
      const sub = (w & 0x10) !== 0;
      return multiply((w >>> 8) & 0xf, (w >>> 16) & 0xf, w & 0xf, ra === 15 && !sub ? null : ra, sub, false);
    }
    case 'long multiply/divide': {
      const op = (w >>> 20) & 7;
      const op2 = (w >>> 4) & 0xf;
      const lo = (w >>> 12) & 0xf;
      const hi = (w >>> 8) & 0xf;
      if ((op === 0 || op === 2) && op2 === 0)
        return multiplyLong(lo, hi, (w >>> 16) & 0xf, w & 0xf, op === 0);
      if ((op === 1 || op === 3) && op2 === 15) return divide(hi, (w >>> 16) & 0xf, w & 0xf, op === 1);
      return null;
    }
    case 'extend': {
      const op = [3, 7, 0, 4, 2, 6][(w >>> 20) & 7];
      if (op === undefined) return null;
      return extend(op, (w >>> 8) & 0xf, (w >>> 16) & 0xf, w & 0xf, (w >>> 1) & 0x18);
    }
    default:
      return null;
  }
}

/** The A32 opcode of a Thumb-2 data-processing opcode (-1 for ORN), given Rn and Rd/S. */
function a32Op(op: number, n: number, d: number, s: boolean): number | null {
  const test = d === 15 && s;
  switch (op) {
    case 0:
      return test ? 8 : 0;
    case 1:
      return 14;
    case 2:
      return n === 15 ? 13 : 12;
    case 3:
      return n === 15 ? 15 : -1;
    case 4:
      return test ? 9 : 1;
    case 8:
      return test ? 11 : 4;
    case 10:
      return 5;
    case 11:
      return 6;
    case 13:
      return test ? 10 : 2;
    case 14:
      return 3;
    default:
      return null;
  }
}

/** Shared tail: operand in `b` (with shifter carry `carry`), ALU op, destination. */
function dp(w: number, operand: Code, carry: string | null): Emitted | null {
  const s = (w & 0x00100000) !== 0;
  const n = (w >>> 16) & 0xf;
  const d = (w >>> 8) & 0xf;
  const op = a32Op((w >>> 21) & 0xf, n, d, s);
  if (op === null) return null;
  const compare = op >= 8 && op <= 11;
  if (!compare && (d === 15 || d === 13)) return null; // PC and SP destinations keep the executor's checks
  if (n === 15 && op !== 13 && op !== 15) return null;
  const a = op === 13 || op === 15 ? '' : js`a = ${reg(n)}; `;
  if (op === -1) return { code: js`${a}${operand} b = ~b; ${aluOp(12, d, s, carry)}`, end: false };
  return { code: js`${a}${operand} ${aluOp(op, compare ? 0 : d, s, carry)}`, end: false };
}

function modifiedImm(w: number): Emitted | null {
  const imm12 = ((w >>> 15) & 0x800) | ((w >>> 4) & 0x700) | (w & 0xff);
  const byte = imm12 & 0xff;
  let value: number;
  let carry: string | null = null;
  if ((imm12 & 0xc00) === 0) {
    const pattern = (imm12 >>> 8) & 3;
    value =
      pattern === 0
        ? byte
        : pattern === 1
          ? byte | (byte << 16)
          : pattern === 2
            ? (byte << 8) | (byte << 24)
            : byte | (byte << 8) | (byte << 16) | (byte << 24);
  } else {
    const unrotated = 0x80 | (imm12 & 0x7f);
    const rot = imm12 >>> 7;
    value = (unrotated >>> rot) | (unrotated << (32 - rot));
    carry = String(value >>> 31);
  }
  return dp(w, js`b = ${value | 0};`, carry);
}

function shiftedReg(w: number, ctx: InsnContext): Emitted | null {
  const m = w & 0xf;
  if (m === 15 || m === 13) return null;
  const imm5 = ((w >>> 10) & 0x1c) | ((w >>> 6) & 3);
  const shifted = shiftImm(regOrPc(m, ctx.pc), (w >>> 4) & 3, imm5, (w & 0x00100000) !== 0);
  return dp(w, shifted.code, shifted.carry);
}

function plainImm(w: number, ctx: InsnContext): Emitted | null {
  const n = (w >>> 16) & 0xf;
  const d = (w >>> 8) & 0xf;
  if (d === 15 || d === 13) return null;
  const imm12 = ((w >>> 15) & 0x800) | ((w >>> 4) & 0x700) | (w & 0xff);
  switch ((w >>> 20) & 0x1f) {
    case 0x00:
      return {
        code: setReg(d, n === 15 ? String(((ctx.pc & ~3) + imm12) | 0) : js`(${reg(n)} + ${imm12}) | 0`),
        end: false,
      };
    case 0x0a:
      return {
        code: setReg(d, n === 15 ? String(((ctx.pc & ~3) - imm12) | 0) : js`(${reg(n)} - ${imm12}) | 0`),
        end: false,
      };
    case 0x04:
      return { code: setReg(d, (n << 12) | imm12), end: false };
    case 0x0c:
      return { code: setReg(d, js`${(((n << 12) | imm12) << 16) | 0} | (${reg(d)} & 65535)`), end: false };
    case 0x14:
    case 0x1c: {
      const lsb = ((w >>> 10) & 0x1c) | ((w >>> 6) & 3);
      return bitfieldExtract(d, n, lsb, (w & 0x1f) + 1, (w & 0x00800000) !== 0);
    }
    default:
      return null;
  }
}

/** LDR/STR/LDRB/LDRH/LDRSB/LDRSH: literal, imm12, imm8 with pre/post index and writeback, register. */
function loadStore(w: number, ctx: InsnContext): Emitted | null {
  const n = (w >>> 16) & 0xf;
  const t = (w >>> 12) & 0xf;
  const isLoad = (w & 0x00100000) !== 0;
  const signed = (w & 0x01000000) !== 0;
  const sz = (w >>> 21) & 3;
  if (sz === 3 || (signed && !isLoad) || t === 15 || t === 13) return null;
  const size = sz === 0 ? 1 : sz === 1 ? 2 : 4;
  let address: Code;
  let writeback: Code | '' = '';
  if (n === 15) {
    if (!isLoad) return null;
    const base = ctx.pc & ~3;
    address = js`va = ${(w & 0x00800000 ? base + (w & 0xfff) : base - (w & 0xfff)) | 0};`;
  } else if (w & 0x00800000) {
    address = js`va = (${reg(n)} + ${w & 0xfff}) | 0;`;
  } else if (w & 0x800) {
    const imm = w & 0xff;
    const off = w & 0x200 ? `+ ${imm}` : `- ${imm}`;
    const p = (w & 0x400) !== 0;
    const wb = (w & 0x100) !== 0;
    if ((w & 0x700) === 0x600 || (!p && !wb)) return null; // unprivileged forms; undefined
    if (wb && (n === t || n === 13)) return null;
    address = js`res = (${reg(n)} ${off}) | 0; va = ${p ? 'res' : reg(n)};`;
    if (wb) writeback = js` ${setReg(n, 'res')}`;
  } else {
    if (w & 0x7c0) return null;
    const m = w & 0xf;
    if (m === 15 || m === 13) return null;
    address = js`va = (${reg(n)} + (${reg(m)} << ${(w >>> 4) & 3})) | 0;`;
  }
  const access = isLoad
    ? load(size, signed, t, ctx.exitHere(false))
    : js`a = ${reg(t)}; ${store(size, ctx.exitHere(true))}`;
  return { code: js`${address} ${access}${writeback}`, end: false };
}
