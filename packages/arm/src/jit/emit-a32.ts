/**
 * Inline code for the common A32 instructions: data processing with an immediate or an
 * immediate-shifted register, MOVW/MOVT, MUL/MLA, word, byte and halfword loads and stores (LDR PC
 * too), LDM/STM and LDRD/STRD (`emit-multiple.ts`), B, BL and BX. Anything else (or an unusual
 * form, like a PC destination) returns null and runs its executor.
 */
import { aluOp } from './emit-dataproc.ts';
import { dualA32, loadStoreMultiple } from './emit-multiple.ts';
import { bitfieldExtract, divide, extend, multiply, multiplyLong } from './emit-media.ts';
import { load, regOrPc, shiftImm, store } from './emit-util.ts';
import { type Code, js, reg, setReg } from './code.ts';
import { SOFT_TLB_SIZE } from './soft-tlb.ts';
import type { Emitted, InsnContext } from './emitter.ts';

/** Inline code for A32 word `w`, or null to call its executor. */
export function emitA32(w: number, ctx: InsnContext): Emitted | null {
  if (w >>> 28 === 15) return null;
  const top = (w >>> 25) & 7;
  if (top === 5) return branch(w, ctx);
  if (top === 4) return loadStoreMultiple(w, ctx);
  if (top === 0 || top === 1) {
    if ((w & 0x0ffffff0) === 0x012fff10) return bx(w & 0xf, ctx);
    if (top === 0 && (w & 0x90) === 0x90 && (w & 0x60) !== 0) return loadStoreHalf(w, ctx);
    if (top === 0 && (w & 0x0fc000f0) === 0x00000090) return mul(w);
    if (top === 0 && (w & 0x0fb000f0) === 0x00800090) {
      return multiplyLong(
        (w >>> 12) & 0xf,
        (w >>> 16) & 0xf,
        w & 0xf,
        (w >>> 8) & 0xf,
        (w & 0x00400000) !== 0,
      );
    }
    if (top === 0 && (w & 0x0ff000f0) === 0x00600090) {
      return multiply((w >>> 16) & 0xf, w & 0xf, (w >>> 8) & 0xf, (w >>> 12) & 0xf, true, false);
    }
    if ((w & 0x0fb00000) === 0x03000000) return movwt(w);
    return dataProcessing(w, ctx);
  }
  if (top === 2 || (top === 3 && (w & 0x10) === 0)) return loadStore(w, ctx);
  if ((w & 0x0f8003f0) === 0x06800070) {
    return extend((w >>> 20) & 7, (w >>> 12) & 0xf, (w >>> 16) & 0xf, w & 0xf, (w >>> 7) & 0x18);
  }
  if ((w & 0x0fd0f0f0) === 0x0710f010) {
    return divide((w >>> 16) & 0xf, w & 0xf, (w >>> 8) & 0xf, (w & 0x00200000) === 0);
  }
  if ((w & 0x0fa00070) === 0x07a00050) {
    const width = ((w >>> 16) & 0x1f) + 1;
    return bitfieldExtract((w >>> 12) & 0xf, w & 0xf, (w >>> 7) & 0x1f, width, (w & 0x00400000) !== 0);
  }
  return null;
}

function dataProcessing(w: number, ctx: InsnContext): Emitted | null {
  const imm = (w & 0x02000000) !== 0;
  if (!imm && (w & 0x10) !== 0) return null; // register-shifted register, or not data processing
  if (imm && (w & 0x01900000) === 0x01000000) return null; // MOVW/MOVT/MSR/hints
  const op = (w >>> 21) & 0xf;
  const s = (w & 0x00100000) !== 0;
  const rn = (w >>> 16) & 0xf;
  const rd = (w >>> 12) & 0xf;
  const compare = (op & 0xc) === 8;
  if (compare && !s) return null; // MRS, BX, CLZ, ... live in this space
  if (compare ? rd !== 0 : rd === 15) return null;
  if ((op === 13 || op === 15) && rn !== 0) return null;
  let operand: Code;
  let carry: string | null;
  if (imm) {
    const rot = (w >>> 7) & 0x1e;
    const base = w & 0xff;
    const value = rot === 0 ? base : (base >>> rot) | (base << (32 - rot)) | 0;
    operand = js`b = ${value};`;
    carry = rot === 0 ? null : String(value >>> 31);
  } else {
    const rm = w & 0xf;
    const shifted = shiftImm(regOrPc(rm, ctx.pc), (w >>> 5) & 3, (w >>> 7) & 0x1f, s);
    operand = shifted.code;
    carry = shifted.carry;
  }
  const a = op === 13 || op === 15 ? '' : js`a = ${regOrPc(rn, ctx.pc)}; `;
  return { code: js`${a}${operand} ${aluOp(op, rd, s, carry)}`, end: false };
}

function movwt(w: number): Emitted | null {
  const rd = (w >>> 12) & 0xf;
  if (rd === 15) return null;
  const imm16 = ((w >>> 4) & 0xf000) | (w & 0xfff);
  if (w & 0x00400000) return { code: setReg(rd, js`${imm16 << 16} | (${reg(rd)} & 65535)`), end: false };
  return { code: setReg(rd, imm16), end: false };
}

/** MUL and MLA (bits 27:22 zero); the long multiplies keep their executors. */
function mul(w: number): Emitted | null {
  const accumulate = (w & 0x00200000) !== 0;
  const ra = accumulate ? (w >>> 12) & 0xf : null;
  return multiply((w >>> 16) & 0xf, w & 0xf, (w >>> 8) & 0xf, ra, false, (w & 0x00100000) !== 0);
}

function branch(w: number, ctx: InsnContext): Emitted {
  const target = (ctx.pc + ((w << 8) >> 6)) | 0;
  const link = w & 0x01000000 ? js`${setReg(14, ctx.addr + 4)} ` : '';
  return { code: js`${link}${ctx.exitTo(target, false)}`, end: true };
}

function bx(rm: number, ctx: InsnContext): Emitted {
  return {
    code: js`a = ${regOrPc(rm, ctx.pc)}; if (a & 1) { cpu.t = 1; r[15] = a & ~1; } else { r[15] = a & ~3; } ${ctx.exitDynamic()}`,
    end: true,
  };
}

/** LDR, STR, LDRB, STRB with an immediate or immediate-shifted register offset (not the T forms). */
function loadStore(w: number, ctx: InsnContext): Emitted | null {
  const p = (w & 0x01000000) !== 0;
  const u = (w & 0x00800000) !== 0;
  const byte = (w & 0x00400000) !== 0;
  const wb = (w & 0x00200000) !== 0;
  const isLoad = (w & 0x00100000) !== 0;
  const rn = (w >>> 16) & 0xf;
  const rt = (w >>> 12) & 0xf;
  if (!p && wb) return null; // LDRT and friends: unprivileged access
  const writeback = !p || wb;
  if (writeback && (rn === 15 || rn === rt)) return null;
  if (rt === 15 && (!isLoad || byte)) return null;
  let offset: Code;
  if (w & 0x02000000) {
    const rm = w & 0xf;
    if (rm === 15) return null;
    offset = shiftImm(reg(rm), (w >>> 5) & 3, (w >>> 7) & 0x1f, false).code;
  } else {
    offset = js`b = ${w & 0xfff};`;
  }
  const base = rn === 15 ? String(ctx.pc) : reg(rn);
  const moved = u ? '(a + b) | 0' : '(a - b) | 0';
  const size = byte ? 1 : 4;
  // the base is written back (from `res`) only once the access succeeded
  const code = js`${offset} a = ${base}; res = ${moved}; va = ${p ? 'res' : 'a'}; `;
  const wbCode = writeback ? js` ${setReg(rn, 'res')}` : '';
  if (rt === 15) return { code: js`${code}${loadPc(wbCode, ctx)}`, end: true };
  const access = isLoad
    ? load(size, false, rt, ctx.exitHere(false))
    : js`a = ${reg(rt)}; ${store(size, ctx.exitHere(true))}`;
  return { code: js`${code}${access}${wbCode}`, end: false };
}

/** LDRH, STRH, LDRSB, LDRSH with an immediate or register offset (not LDRD/STRD, not the T forms). */
function loadStoreHalf(w: number, ctx: InsnContext): Emitted | null {
  const p = (w & 0x01000000) !== 0;
  const u = (w & 0x00800000) !== 0;
  const wb = (w & 0x00200000) !== 0;
  const isLoad = (w & 0x00100000) !== 0;
  const sh = (w >>> 5) & 3;
  if (!isLoad && sh !== 1) return dualA32(w, ctx);
  if (!p && wb) return null; // LDRHT and friends: unprivileged access
  const rn = (w >>> 16) & 0xf;
  const rt = (w >>> 12) & 0xf;
  const writeback = !p || wb;
  if (rt === 15 || (writeback && (rn === 15 || rn === rt))) return null;
  let offset: Code;
  if (w & 0x00400000) offset = js`b = ${((w >>> 4) & 0xf0) | (w & 0xf)};`;
  else {
    if ((w & 0xf) === 15 || (w & 0xf00) !== 0) return null;
    offset = js`b = ${reg(w & 0xf)};`;
  }
  const base = rn === 15 ? String(ctx.pc) : reg(rn);
  const code = js`${offset} a = ${base}; res = ${u ? '(a + b) | 0' : '(a - b) | 0'}; va = ${p ? 'res' : 'a'}; `;
  const wbCode = writeback ? js` ${setReg(rn, 'res')}` : '';
  let access: Code;
  if (!isLoad) access = js`a = ${reg(rt)}; ${store(2, ctx.exitHere(true))}`;
  else if (sh === 1) access = load(2, false, rt, ctx.exitHere(false));
  else access = load(sh === 2 ? 1 : 2, true, rt, ctx.exitHere(false));
  return { code: js`${code}${access}${wbCode}`, end: false };
}

/**
 * LDR PC (POP {pc} is LDR PC, [SP], #4): a RAM word through the soft TLB becomes the PC as BX would
 * take it; anything else leaves for the interpreter (MMIO, faults, a PC value the CPU completes later).
 */
function loadPc(wbCode: Code | '', ctx: InsnContext): Code {
  return js`i = (va >>> 12) & ${SOFT_TLB_SIZE - 1}; if (rt[i] === va >>> 12 && (va & 4095) <= 4092 && (va & 3) === 0) { o = ro[i] + (va & 4095); a = view.getInt32(o, true);${wbCode} if (a & 1) { cpu.t = 1; r[15] = a & ~1; } else { r[15] = a & ~3; } ${ctx.exitDynamic()} } ${ctx.exitHere(false)}`;
}
