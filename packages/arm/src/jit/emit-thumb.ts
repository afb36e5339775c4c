/**
 * Inline code for the common Thumb instructions: the 16-bit data processing, loads and stores,
 * SP arithmetic, extends, PUSH/POP and LDMIA/STMIA, branches and CBZ/CBNZ, and the 32-bit BL and B.
 * Anything else returns null and runs its executor.
 */
import { aluOp } from './emit-dataproc.ts';
import { loadStoreMultiple } from './emit-multiple.ts';
import { emitThumb2 } from './emit-thumb2.ts';
import { condExpr, load, logicFlags, regOrPc, shiftImm, store } from './emit-util.ts';
import { type Code, js, reg, setReg } from './code.ts';
import type { Emitted, InsnContext } from './emitter.ts';

/**
 * Inline code for the Thumb instruction `w` (a halfword, or hw1 << 16 | hw2 when `wide`) whose table
 * row is `name`, or null.
 */
export function emitThumb(name: string, w: number, wide: boolean, ctx: InsnContext): Emitted | null {
  if (!wide) return emit16(w, ctx);
  return emitThumb2(name, w, ctx) ?? emit32(w, ctx);
}

/** Code for an instruction that goes on to the next one. */
const op = (code: Code): Emitted => ({ code, end: false });

function emit16(w: number, ctx: InsnContext): Emitted | null {
  const flags = !ctx.inIt;
  switch (w >>> 11) {
    case 0:
    case 1:
    case 2: {
      // LSL/LSR/ASR Rd, Rm, #imm5
      const s = shiftImm(reg((w >>> 3) & 7), (w >>> 11) & 3, (w >>> 6) & 0x1f, flags);
      return op(js`${s.code} res = b; ${setReg(w & 7, 'res')}${flags ? js` ${logicFlags(s.carry)}` : ''}`);
    }
    case 3: {
      // ADD/SUB Rd, Rn, Rm or #imm3
      const b = w & 0x400 ? String((w >>> 6) & 7) : reg((w >>> 6) & 7);
      return op(js`a = ${reg((w >>> 3) & 7)}; b = ${b}; ${aluOp(w & 0x200 ? 2 : 4, w & 7, flags, null)}`);
    }
    case 4:
      // MOV Rd, #imm8 (N and Z; C and V unchanged)
      return op(
        js`res = ${w & 0xff}; ${setReg((w >>> 8) & 7, 'res')}${flags ? js` ${logicFlags(null)}` : ''}`,
      );
    case 5:
      return op(js`a = ${reg((w >>> 8) & 7)}; b = ${w & 0xff}; ${aluOp(10, 0, true, null)}`);
    case 6:
    case 7: {
      const d = (w >>> 8) & 7;
      return op(js`a = ${reg(d)}; b = ${w & 0xff}; ${aluOp(w & 0x800 ? 2 : 4, d, flags, null)}`);
    }
    case 8:
      return (w & 0x400) === 0 ? dpReg(w, flags) : hiReg(w, ctx);
    case 9: {
      // LDR Rt, [PC, #imm8 * 4]
      const va = (((ctx.pc & ~3) + (w & 0xff) * 4) | 0) >>> 0;
      return op(js`va = ${va | 0}; ${load(4, false, (w >>> 8) & 7, ctx.exitHere(false))}`);
    }
    case 10:
    case 11:
      return loadStoreReg(w, ctx);
    case 12:
    case 13:
    case 14:
    case 15:
    case 16:
    case 17: {
      // LDR/STR (word, byte, halfword) Rt, [Rn, #imm5 * size]
      const size = w >>> 11 >= 16 ? 2 : w & 0x1000 ? 1 : 4;
      const va = js`va = (${reg((w >>> 3) & 7)} + ${((w >>> 6) & 0x1f) * size}) | 0;`;
      return access(va, size, (w & 0x800) !== 0, false, w & 7, ctx);
    }
    case 18:
    case 19: {
      // LDR/STR Rt, [SP, #imm8 * 4]
      const va = js`va = (${reg(13)} + ${(w & 0xff) * 4}) | 0;`;
      return access(va, 4, (w & 0x800) !== 0, false, (w >>> 8) & 7, ctx);
    }
    case 20:
      return op(setReg((w >>> 8) & 7, ((ctx.pc & ~3) + (w & 0xff) * 4) | 0));
    case 21:
      return op(setReg((w >>> 8) & 7, js`(${reg(13)} + ${(w & 0xff) * 4}) | 0`));
    case 22:
    case 23:
      return misc(w, ctx);
    case 24:
    case 25: {
      // LDMIA/STMIA Rn!, {list}: STM always writes back, LDM unless it loads the base
      const n = (w >>> 8) & 7;
      const load = (w & 0x800) !== 0;
      const wb = load ? !(w & (1 << n)) : true;
      return loadStoreMultiple(
        0xe8800000 | (load ? 0x100000 : 0) | (wb ? 0x200000 : 0) | (n << 16) | (w & 0xff),
        ctx,
      );
    }
    case 26:
    case 27:
      return condBranch(w, ctx);
    case 28: {
      const target = (ctx.pc + (((w & 0x7ff) << 21) >> 20)) | 0;
      return { code: ctx.exitTo(target, true), end: true };
    }
    default:
      return null;
  }
}

/** The sixteen register operations of 010000 (the shifts by register keep their executor). */
function dpReg(w: number, flags: boolean): Emitted | null {
  const d = w & 7;
  const m = reg((w >>> 3) & 7);
  const opc = (w >>> 6) & 0xf;
  const load = js`a = ${reg(d)}; b = ${m}; `;
  switch (opc) {
    case 0:
    case 1:
    case 12:
    case 14:
    case 15:
      return op(js`${load}${aluOp(opc === 0 ? 0 : opc === 1 ? 1 : opc, d, flags, null)}`);
    case 5:
    case 6:
      return op(js`${load}${aluOp(opc, d, flags, null)}`);
    case 8:
    case 10:
    case 11:
      return op(js`${load}${aluOp(opc, 0, true, null)}`);
    case 9:
      // NEG: RSB Rd, Rm, #0
      return op(js`a = ${m}; b = 0; ${aluOp(3, d, flags, null)}`);
    case 13:
      return op(
        js`res = Math.imul(${reg(d)}, ${m}); ${setReg(d, 'res')}${flags ? js` ${logicFlags(null)}` : ''}`,
      );
    default:
      return null;
  }
}

/** ADD/CMP/MOV with high registers, and BX/BLX. */
function hiReg(w: number, ctx: InsnContext): Emitted | null {
  const rm = (w >>> 3) & 0xf;
  const rd = (w & 7) | ((w >>> 4) & 8);
  switch ((w >>> 8) & 3) {
    case 0:
      if (rd === 15) return null;
      return op(setReg(rd, js`(${reg(rd)} + ${regOrPc(rm, ctx.pc)}) | 0`));
    case 1:
      return op(js`a = ${regOrPc(rd, ctx.pc)}; b = ${regOrPc(rm, ctx.pc)}; ${aluOp(10, 0, true, null)}`);
    case 2:
      if (rd === 15) return null;
      return op(setReg(rd, regOrPc(rm, ctx.pc)));
    default: {
      if (w & 7) return null;
      const link = w & 0x80 ? js` ${setReg(14, ctx.next | 1)}` : '';
      return {
        code: js`a = ${regOrPc(rm, ctx.pc)};${link} if (a & 1) { r[15] = a & ~1; } else { cpu.t = 0; r[15] = a & ~3; } ${ctx.exitDynamic()}`,
        end: true,
      };
    }
  }
}

/** LDR/STR family with a register offset: STR, STRH, STRB, LDRSB, LDR, LDRH, LDRB, LDRSH. */
function loadStoreReg(w: number, ctx: InsnContext): Emitted {
  const opc = (w >>> 9) & 7;
  const size = ([4, 2, 1, 1, 4, 2, 1, 2] as const)[opc]!;
  const va = js`va = (${reg((w >>> 3) & 7)} + ${reg((w >>> 6) & 7)}) | 0;`;
  return access(va, size, opc >= 3, opc === 3 || opc === 7, w & 7, ctx);
}

/** A load or store of `size` bytes at the address `vaCode` computes. */
function access(
  vaCode: Code,
  size: 1 | 2 | 4,
  isLoad: boolean,
  signed: boolean,
  rt: number,
  ctx: InsnContext,
): Emitted {
  if (isLoad) return op(js`${vaCode} ${load(size, signed, rt, ctx.exitHere(false))}`);
  return op(js`${vaCode} a = ${reg(rt)}; ${store(size, ctx.exitHere(true))}`);
}

/** 1011 xxxx: SP adjustment, CBZ/CBNZ, extends, PUSH and POP (IT and the rest keep their executors). */
function misc(w: number, ctx: InsnContext): Emitted | null {
  if ((w & 0xf600) === 0xb400) {
    // PUSH and POP are STMDB SP! and LDMIA SP!; bit 8 adds LR to a PUSH, the PC to a POP
    const pop = (w & 0x800) !== 0;
    const list = (w & 0xff) | (w & 0x100 ? (pop ? 0x8000 : 0x4000) : 0);
    return loadStoreMultiple(pop ? 0xe8bd0000 | list : 0xe92d0000 | list, ctx);
  }
  if ((w & 0xff00) === 0xb000) {
    const imm = (w & 0x7f) * 4;
    return op(setReg(13, js`(${reg(13)} ${w & 0x80 ? '-' : '+'} ${imm}) | 0`));
  }
  if ((w & 0xf500) === 0xb100) {
    const target = ctx.pc + (((w >>> 3) & 0x40) | ((w >>> 2) & 0x3e));
    const test = w & 0x800 ? '!==' : '===';
    return {
      code: js`if (${reg(w & 7)} ${test} 0) { ${ctx.exitTo(target, true)} } ${ctx.exitTo(ctx.next, true)}`,
      end: true,
    };
  }
  if ((w & 0xff00) === 0xb200) {
    const m = reg((w >>> 3) & 7);
    const value = [js`(${m} << 16) >> 16`, js`(${m} << 24) >> 24`, js`${m} & 65535`, js`${m} & 255`][
      (w >>> 6) & 3
    ]!;
    return op(setReg(w & 7, value));
  }
  return null;
}

/** B<c> with an 8-bit offset; its fall-through is a second exit. */
function condBranch(w: number, ctx: InsnContext): Emitted | null {
  const cond = (w >>> 8) & 0xf;
  if (cond >= 14) return null; // UDF, SVC
  const target = (ctx.pc + (((w & 0xff) << 24) >> 23)) | 0;
  return {
    code: js`if (${condExpr(cond)}) { ${ctx.exitTo(target, true)} } ${ctx.exitTo(ctx.next, true)}`,
    end: true,
  };
}

/** 32-bit Thumb: BL, BLX(imm), B.W and B<c>.W. */
function emit32(w: number, ctx: InsnContext): Emitted | null {
  if ((w & 0xf8008000) >>> 0 !== 0xf0008000) return null; // w is an int32: compare unsigned
  const s = (w >>> 26) & 1;
  const j1 = (w >>> 13) & 1;
  const j2 = (w >>> 11) & 1;
  const imm11 = w & 0x7ff;
  const kind = (w >>> 12) & 5;
  if (kind === 0) {
    // B<c>.W (T3): S:J2:J1:imm6:imm11:0
    const cond = (w >>> 22) & 0xf;
    if (cond >= 14) return null; // MSR, MRS, hints, ...
    const imm = (s << 20) | (j2 << 19) | (j1 << 18) | (((w >>> 16) & 0x3f) << 12) | (imm11 << 1);
    const target = (ctx.pc + ((imm << 11) >> 11)) | 0;
    return {
      code: js`if (${condExpr(cond)}) { ${ctx.exitTo(target, true)} } ${ctx.exitTo(ctx.next, true)}`,
      end: true,
    };
  }
  // B.W, BL, BLX: S:I1:I2:imm10:imm11:0 with I = NOT(J XOR S)
  const i1 = j1 ^ s ^ 1;
  const i2 = j2 ^ s ^ 1;
  const imm = (s << 24) | (i1 << 23) | (i2 << 22) | (((w >>> 16) & 0x3ff) << 12) | (imm11 << 1);
  const offset = (imm << 7) >> 7;
  if (kind === 1) return { code: ctx.exitTo((ctx.pc + offset) | 0, true), end: true };
  const link = js`${setReg(14, ctx.next | 1)} `;
  if (kind === 5) return { code: js`${link}${ctx.exitTo((ctx.pc + offset) | 0, true)}`, end: true };
  if (w & 1) return null; // BLX with H set is undefined
  return { code: js`${link}${ctx.exitTo(((ctx.pc & ~3) + offset) | 0, false)}`, end: true };
}
