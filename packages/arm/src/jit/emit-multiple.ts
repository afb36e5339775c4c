/**
 * Inline code for the multi-word transfers: LDM/STM (A32, and the Thumb PUSH, POP, LDMIA/STMIA and
 * 32-bit LDM/STM, which are the same operations), and LDRD/STRD. The fast path runs when the whole
 * transfer is word aligned and lies on one page the soft TLB holds (for stores: not on translated
 * code); then nothing can fault, so it simply moves the words. Anything else calls the instruction's
 * executor, which checks, faults and counts exactly as the interpreter does, and then caches the page.
 */
import { CHUNK_SHIFT } from './code-watch.ts';
import { SOFT_TLB_SIZE } from './soft-tlb.ts';
import { type Code, join, js, reg, setReg } from './code.ts';
import type { Emitted, InsnContext } from './emitter.ts';

const TLB_MASK = SOFT_TLB_SIZE - 1;

function popcount16(x: number): number {
  let count = 0;
  for (let v = x & 0xffff; v !== 0; v &= v - 1) count++;
  return count;
}

/**
 * The test that `bytes` bytes at the address in `va` are word aligned plain RAM on one cached page,
 * after setting `i` (TLB slot) and `o` (RAM offset); stores also need the bytes free of code.
 */
function fastPathTest(bytes: number, write: boolean): { setup: string; test: string } {
  const setup = `i = (va >>> 12) & ${TLB_MASK}; o = ${write ? 'wo' : 'ro'}[i] + (va & 4095);`;
  let test = `(va & 3) === 0 && ${write ? 'wt' : 'rt'}[i] === va >>> 12 && (va & 4095) <= ${4096 - bytes}`;
  // the code map marks the chunk before code too, so up to 8 bytes need only their first chunk
  if (write)
    test +=
      bytes <= 8
        ? ` && cm[o >>> ${CHUNK_SHIFT}] === 0`
        : ` && (cm[o >>> ${CHUNK_SHIFT}] | cm[(o + ${bytes - 1}) >>> ${CHUNK_SHIFT}]) === 0`;
  return { setup, test };
}

/** Code that writes the PC from local `a` as a load to the PC does (bit 0 selects Thumb), then leaves. */
function loadPc(ctx: InsnContext): Code {
  return js`if (a & 1) { cpu.t = 1; r[15] = a & ~1; } else { cpu.t = 0; r[15] = a & ~3; } ${ctx.exitDynamic()}`;
}

/**
 * LDM/STM given as an A32 word (the condition is ignored): all four address modes, with or without
 * writeback. The user-bank and exception-return forms (S), STM of the PC and empty lists return
 * null and keep their executors.
 */
export function loadStoreMultiple(w: number, ctx: InsnContext): Emitted | null {
  const list = w & 0xffff;
  const n = (w >>> 16) & 0xf;
  const load = (w & 0x00100000) !== 0;
  if (w & 0x00400000 || list === 0 || n === 15 || (!load && list & 0x8000)) return null;
  const count = popcount16(list);
  const bytes = 4 * count;
  const up = (w & 0x00800000) !== 0;
  const pre = (w & 0x01000000) !== 0;
  const start = up ? (pre ? 4 : 0) : pre ? -bytes : 4 - bytes;
  // a loaded base keeps the loaded value; a stored base is stored as it was before the writeback
  const writeback = (w & 0x00200000) !== 0 && !(load && list & (1 << n));
  const { setup, test } = fastPathTest(bytes, !load);
  const moves: Code[] = [];
  let at = 0;
  for (let x = 0; x < 16; x++) {
    if (!(list & (1 << x))) continue;
    const where = at === 0 ? 'o' : `o + ${at}`;
    if (!load) moves.push(js`view.setInt32(${where}, ${reg(x)}, true); `);
    else if (x === 15) moves.push(js`a = view.getInt32(${where}, true); `);
    else moves.push(js`${setReg(x, `view.getInt32(${where}, true)`)} `);
    at += 4;
  }
  const wbCode = writeback ? js`${setReg(n, js`(${reg(n)} ${up ? '+' : '-'} ${bytes}) | 0`)} ` : '';
  const loadsPc = load && (list & 0x8000) !== 0;
  const slow = ctx.exitHere(!load);
  const code = js`va = (${reg(n)} + ${start}) | 0; ${setup} if (${test}) { ${join(moves)}${wbCode}${loadsPc ? loadPc(ctx) : ''} } else { ${slow} }`;
  return { code, end: loadsPc };
}

/**
 * LDRD/STRD of registers `t` and `t2` at the address in local `va`, with `wbCode` writing the base
 * back once the words moved. The caller leaves to the executor every form whose writeback and
 * transfer could interfere.
 */
export function loadStorePair(
  load: boolean,
  t: number,
  t2: number,
  wbCode: Code | '',
  ctx: InsnContext,
): Code {
  const { setup, test } = fastPathTest(8, !load);
  const moves = load
    ? js`${setReg(t, 'view.getInt32(o, true)')} ${setReg(t2, 'view.getInt32(o + 4, true)')}`
    : js`view.setInt32(o, ${reg(t)}, true); view.setInt32(o + 4, ${reg(t2)}, true);`;
  const slow = ctx.exitHere(!load);
  return js`${setup} if (${test}) { ${moves} ${wbCode} } else { ${slow} }`;
}

/** A32 LDRD/STRD (immediate or register offset, not the unpredictable forms), or null. */
export function dualA32(w: number, ctx: InsnContext): Emitted | null {
  const p = (w & 0x01000000) !== 0;
  const u = (w & 0x00800000) !== 0;
  const wb = (w & 0x00200000) !== 0;
  const load = (w & 0x00000020) === 0; // SH = 10: LDRD, 11: STRD
  const n = (w >>> 16) & 0xf;
  const t = (w >>> 12) & 0xf;
  if (t & 1 || t === 14) return null; // undefined here
  if (!p && wb) return null;
  const writeback = !p || wb;
  // the executor writes the base back before the transfer: keep it for bases it transfers
  if (writeback && (n === 15 || n === t || n === t + 1)) return null;
  let offset: Code;
  if (w & 0x00400000) offset = js`b = ${((w >>> 4) & 0xf0) | (w & 0xf)};`;
  else {
    if ((w & 0xf) === 15 || (w & 0xf00) !== 0) return null;
    offset = js`b = ${reg(w & 0xf)};`;
  }
  const base = n === 15 ? String(ctx.pc) : reg(n);
  const code = js`${offset} a = ${base}; res = ${u ? '(a + b) | 0' : '(a - b) | 0'}; va = ${p ? 'res' : 'a'}; ${loadStorePair(load, t, t + 1, writeback ? setReg(n, 'res') : '', ctx)}`;
  return { code, end: false };
}

/** T32 LDRD/STRD (immediate, pre/post-indexed, literal), or null for a PC transfer. */
export function dualT32(w: number, ctx: InsnContext): Emitted | null {
  const n = (w >>> 16) & 0xf;
  const t = (w >>> 12) & 0xf;
  const t2 = (w >>> 8) & 0xf;
  if (t === 15 || t2 === 15) return null;
  const up = (w & 0x00800000) !== 0;
  const pre = (w & 0x01000000) !== 0;
  const load = (w & 0x00100000) !== 0;
  // the executor writes the base back after the transfer, so a loaded base gets the address
  const writeback = (w & 0x00200000) !== 0 && n !== 15;
  const imm = (w & 0xff) * 4;
  const base = n === 15 ? String(ctx.pc & ~3) : reg(n);
  const code = js`a = ${base}; res = (a ${up ? '+' : '-'} ${imm}) | 0; va = ${pre ? 'res' : 'a'}; ${loadStorePair(load, t, t2, writeback ? setReg(n, 'res') : '', ctx)}`;
  return { code, end: false };
}
