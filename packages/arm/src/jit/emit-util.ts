/**
 * Source snippets shared by the instruction emitters: conditions, flags, the shifter, and memory
 * access through the soft TLB. Generated code sees these names:
 *
 *   cpu, r          the CPU and its register array (guest registers and flags are `code.ts` marks)
 *   a, b, res, wide, sc, va, i, o   scratch locals (sc: shifter carry)
 *   view, ram       RAM as a DataView and as bytes
 *   rt, ro, wt, wo  the soft TLB (read/write tags and page offsets); cm: the code map
 */
import { CHUNK_SHIFT } from './code-watch.ts';
import { SOFT_TLB_SIZE } from './soft-tlb.ts';
import { type Code, flag, js, type Piece, reg, setFlag, setReg } from './code.ts';

/** A JS expression that is true when condition `cond` (0-13) passes. */
export function condExpr(cond: number): Code {
  const [n, z, c, v] = [flag('n'), flag('z'), flag('c'), flag('v')];
  switch (cond) {
    case 0:
      return js`${z} !== 0`;
    case 1:
      return js`${z} === 0`;
    case 2:
      return js`${c} !== 0`;
    case 3:
      return js`${c} === 0`;
    case 4:
      return js`${n} !== 0`;
    case 5:
      return js`${n} === 0`;
    case 6:
      return js`${v} !== 0`;
    case 7:
      return js`${v} === 0`;
    case 8:
      return js`(${c} !== 0 && ${z} === 0)`;
    case 9:
      return js`(${c} === 0 || ${z} !== 0)`;
    case 10:
      return js`${n} === ${v}`;
    case 11:
      return js`${n} !== ${v}`;
    case 12:
      return js`(${z} === 0 && ${n} === ${v})`;
    case 13:
      return js`(${z} !== 0 || ${n} !== ${v})`;
    default:
      return js`true`;
  }
}

/** A register read: the PC reads as the constant `pc` (instruction address + 8 or + 4). */
export function regOrPc(n: number, pc: number): Code {
  return n === 15 ? js`${pc | 0}` : reg(n);
}

/** `res = a + b + carryIn` with a and b already in locals; sets NZCV when `flags`. */
export function addWithCarry(carryIn: Piece, flags: boolean): Code {
  if (!flags) return js`res = (a + b + ${carryIn}) | 0;`;
  return js`wide = (a >>> 0) + (b >>> 0) + ${carryIn}; res = wide | 0; ${nz()} ${setFlag('c', 'wide > 4294967295 ? 1 : 0')} ${setFlag('v', '((a ^ res) & (b ^ res)) >>> 31')}`;
}

/** N and Z from `res`. */
function nz(): Code {
  return js`${setFlag('n', 'res >>> 31')} ${setFlag('z', 'res === 0 ? 1 : 0')}`;
}

/** `res = a - b`; sets NZCV when `flags` (C is "no borrow"). */
export function subtract(flags: boolean): Code {
  if (!flags) return js`res = (a - b) | 0;`;
  return js`res = (a - b) | 0; ${nz()} ${setFlag('c', 'a >>> 0 >= b >>> 0 ? 1 : 0')} ${setFlag('v', '((a ^ b) & (a ^ res)) >>> 31')}`;
}

/** `res = a + b`; sets NZCV when `flags`. */
export function add(flags: boolean): Code {
  if (!flags) return js`res = (a + b) | 0;`;
  return js`res = (a + b) | 0; ${nz()} ${setFlag('c', 'res >>> 0 < a >>> 0 ? 1 : 0')} ${setFlag('v', '((a ^ res) & (b ^ res)) >>> 31')}`;
}

/** N and Z from `res`, C from `carry` (null: unchanged), V unchanged: the logical operations' rule. */
export function logicFlags(carry: string | null): Code {
  return js`${nz()}${carry === null ? '' : js` ${setFlag('c', carry)}`}`;
}

/**
 * `b = <value> shifted by an immediate` as A32/T32 encode it (imm5 0 means 32, or RRX for ROR).
 * With `carry`, also `sc` = the shifter's carry out; returns the carry expression (null when the
 * shift leaves C unchanged).
 */
export function shiftImm(
  value: Piece,
  type: number,
  imm5: number,
  carry: boolean,
): { code: Code; carry: string | null } {
  const pre = js`b = ${value};`;
  let shift: Piece;
  let c: string | null;
  switch (type) {
    case 0:
      if (imm5 === 0) return { code: pre, carry: null };
      shift = `b << ${imm5}`;
      c = `(b >>> ${32 - imm5}) & 1`;
      break;
    case 1:
      shift = imm5 === 0 ? '0' : `(b >>> ${imm5}) | 0`;
      c = imm5 === 0 ? 'b >>> 31' : `(b >>> ${imm5 - 1}) & 1`;
      break;
    case 2:
      shift = imm5 === 0 ? 'b >> 31' : `b >> ${imm5}`;
      c = imm5 === 0 ? 'b >>> 31' : `(b >> ${imm5 - 1}) & 1`;
      break;
    default:
      shift = imm5 === 0 ? js`(${flag('c')} << 31) | (b >>> 1)` : `(b >>> ${imm5}) | (b << ${32 - imm5})`;
      c = imm5 === 0 ? 'b & 1' : `(b >>> ${imm5 - 1}) & 1`;
      break;
  }
  return { code: js`${pre}${carry ? ` sc = ${c};` : ''} b = ${shift};`, carry: carry ? 'sc' : null };
}

const TLB_MASK = SOFT_TLB_SIZE - 1;

/** How a load's bytes become a value. */
function readRam(size: 1 | 2 | 4, signed: boolean): string {
  if (size === 4) return 'view.getInt32(o, true)';
  if (size === 2) return signed ? 'view.getInt16(o, true)' : 'view.getUint16(o, true)';
  return signed ? '((ram[o] << 24) >> 24)' : 'ram[o]';
}

/**
 * Loads `size` bytes at the address in local `va` into register `rt` (not the PC) through the soft
 * TLB; anything else (a miss, MMIO, a page-crossing word) leaves through `miss` before the
 * instruction, for the interpreter to run it.
 */
export function load(size: 1 | 2 | 4, signed: boolean, rt: number, miss: Code): Code {
  return js`i = (va >>> 12) & ${TLB_MASK}; if (rt[i] === va >>> 12 && (va & 4095) <= ${4096 - size}) { o = ro[i] + (va & 4095); ${setReg(rt, readRam(size, signed))} } else { ${miss} }`;
}

/**
 * Stores the value in local `a` (`size` bytes) at the address in local `va` through the soft TLB.
 * A miss, MMIO, and a store to a RAM chunk holding translated code (which must drop the translations)
 * leave through `miss` before the instruction, for the interpreter to run it.
 */
export function store(size: 1 | 2 | 4, miss: Code): Code {
  const write =
    size === 4
      ? 'view.setInt32(o, a, true)'
      : size === 2
        ? 'view.setUint16(o, a & 65535, true)'
        : 'ram[o] = a';
  return js`i = (va >>> 12) & ${TLB_MASK}; o = wo[i] + (va & 4095); if (wt[i] === va >>> 12 && (va & 4095) <= ${4096 - size} && cm[o >>> ${CHUNK_SHIFT}] === 0) { ${write}; } else { ${miss} }`;
}
