/**
 * Advanced SIMD element and structure loads and stores (A7.7): VLD1-VLD4 and VST1-VST4 of multiple
 * structures, of one lane, and (loads only) to all lanes, with alignment hints and writeback.
 * Executors take the A32 form of the word.
 */
import type { ExecContext } from '../../exec-context.ts';
import { UNDEFINED } from '../../system/exceptions.ts';
import { getLane, setLane } from './neon-lanes.ts';
import { checkAccess } from '../vfp/vfp-instructions.ts';

/** A decoded transfer: which register elements go to which addresses. */
interface Layout {
  /** Register (D index) and element of each access, in memory order. */
  readonly slots: readonly (readonly [reg: number, index: number])[];
  readonly size: number;
  /** Required alignment of the start address in bytes (1: none beyond SCTLR.A). */
  readonly align: number;
  /** For loads to all lanes: every element of these registers gets the value of its structure member. */
  readonly replicate?: readonly (readonly number[])[];
  /** For VLD1/VST1 of whole registers: memory is the registers' bytes in order, moved as words. */
  readonly contiguous?: { readonly first: number; readonly regs: number };
}

/** [registers, structure members, spacing] of each multiple-structure type (bits 11:8). */
const MULTIPLE: Record<number, readonly [number, number, number]> = {
  0b0111: [1, 1, 1],
  0b1010: [2, 1, 1],
  0b0110: [3, 1, 1],
  0b0010: [4, 1, 1],
  0b1000: [1, 2, 1],
  0b1001: [1, 2, 2],
  0b0011: [2, 2, 2],
  0b0100: [1, 3, 1],
  0b0101: [1, 3, 2],
  0b0000: [1, 4, 1],
  0b0001: [1, 4, 2],
};

/** VLDn/VSTn (multiple structures): elements of n registers interleaved. */
function multipleLayout(w: number, d: number): Layout {
  const type = (w >>> 8) & 0xf;
  const size = (w >>> 6) & 3;
  const alignField = (w >>> 4) & 3;
  const shape = MULTIPLE[type];
  if (shape === undefined) throw UNDEFINED;
  const [sets, members, spacing] = shape;
  if (members === 1) {
    if ((sets === 1 || sets === 3) && alignField & 2) throw UNDEFINED;
    if (sets === 2 && alignField === 3) throw UNDEFINED;
  } else {
    if (size === 3) throw UNDEFINED;
    if (members === 2 && sets === 1 && alignField === 3) throw UNDEFINED;
    if (members === 3 && alignField & 2) throw UNDEFINED;
  }
  const elements = 8 >> size;
  const slots: [number, number][] = [];
  let last = d;
  if (members === 1) {
    for (let r = 0; r < sets; r++) for (let e = 0; e < elements; e++) slots.push([d + r, e]);
    last = d + sets - 1;
  } else if (sets === 2) {
    // VLD2/VST2 of four registers: d and d+2 hold the first register's pairs, then d+1 and d+3
    for (let r = 0; r < 2; r++)
      for (let e = 0; e < elements; e++) for (let k = 0; k < 2; k++) slots.push([d + r + 2 * k, e]);
    last = d + 3;
  } else {
    for (let e = 0; e < elements; e++) for (let k = 0; k < members; k++) slots.push([d + k * spacing, e]);
    last = d + (members - 1) * spacing;
  }
  if (last > 31) throw UNDEFINED;
  const align = alignField === 0 ? 1 : 4 << alignField;
  return members === 1
    ? { slots, size, align, contiguous: { first: d, regs: sets } }
    : { slots, size, align };
}

/** VLDn/VSTn (single structure to one lane). */
function laneLayout(w: number, d: number): Layout {
  const size = (w >>> 10) & 3;
  const members = ((w >>> 8) & 3) + 1;
  const ia = (w >>> 4) & 0xf;
  const index = ia >>> (size + 1);
  let spacing = 1;
  let align = 1;
  const ebytes = 1 << size;
  switch (members) {
    case 1:
      if (size === 0 && ia & 1) throw UNDEFINED;
      if (size === 1 && ia & 2) throw UNDEFINED;
      if (size === 2 && (ia & 4 || ((ia & 3) !== 0 && (ia & 3) !== 3))) throw UNDEFINED;
      align = size === 0 ? 1 : ia & 1 ? ebytes : 1;
      break;
    case 2:
      if (size === 2 && ia & 2) throw UNDEFINED;
      spacing = size === 1 ? (ia & 2 ? 2 : 1) : size === 2 ? (ia & 4 ? 2 : 1) : 1;
      align = ia & 1 ? 2 * ebytes : 1;
      break;
    case 3:
      if (size === 2 ? (ia & 3) !== 0 : ia & 1) throw UNDEFINED;
      spacing = size === 1 ? (ia & 2 ? 2 : 1) : size === 2 ? (ia & 4 ? 2 : 1) : 1;
      break;
    default:
      if (size === 2 && (ia & 3) === 3) throw UNDEFINED;
      spacing = size === 1 ? (ia & 2 ? 2 : 1) : size === 2 ? (ia & 4 ? 2 : 1) : 1;
      align = size === 2 ? [1, 8, 16][ia & 3]! : ia & 1 ? 4 * ebytes : 1;
  }
  if (d + (members - 1) * spacing > 31) throw UNDEFINED;
  const slots: [number, number][] = [];
  for (let k = 0; k < members; k++) slots.push([d + k * spacing, index]);
  return { slots, size, align };
}

/** VLDn (single structure to all lanes). */
function allLanesLayout(w: number, d: number): Layout {
  let size = (w >>> 6) & 3;
  const members = ((w >>> 8) & 3) + 1;
  const t = (w >>> 5) & 1;
  const a = (w >>> 4) & 1;
  let align = 1;
  let spacing = t ? 2 : 1;
  let regsPerMember = 1;
  switch (members) {
    case 1:
      if (size === 3 || (size === 0 && a)) throw UNDEFINED;
      align = a ? 1 << size : 1;
      regsPerMember = t ? 2 : 1;
      spacing = 1;
      break;
    case 2:
      if (size === 3) throw UNDEFINED;
      align = a ? 2 << size : 1;
      break;
    case 3:
      if (size === 3 || a) throw UNDEFINED;
      break;
    default:
      if (size === 3) {
        if (!a) throw UNDEFINED;
        size = 2;
        align = 16;
      } else align = a ? (size === 2 ? 8 : 4 << size) : 1;
  }
  const replicate: number[][] = [];
  const slots: [number, number][] = [];
  for (let k = 0; k < members; k++) {
    const first = d + k * spacing * regsPerMember;
    const regs = Array.from({ length: regsPerMember }, (_, i) => first + i);
    replicate.push(regs);
    slots.push([first, 0]);
    if (regs[regs.length - 1]! > 31) throw UNDEFINED;
  }
  return { slots, size, align, replicate };
}

/** Reads an element of `size` (64-bit elements as two words) from RAM. */
function readElement(cpu: ExecContext, addr: number, size: number): bigint {
  switch (size) {
    case 0:
      return BigInt(cpu.read8(addr));
    case 1:
      return BigInt(cpu.read16(addr));
    case 2:
      return BigInt(cpu.read32(addr) >>> 0);
    default:
      return BigInt(cpu.read32(addr) >>> 0) | (BigInt(cpu.read32(addr + 4) >>> 0) << 32n);
  }
}

function writeElement(cpu: ExecContext, addr: number, size: number, value: bigint): void {
  switch (size) {
    case 0:
      return cpu.write8(addr, Number(value & 0xffn));
    case 1:
      return cpu.write16(addr, Number(value & 0xffffn));
    case 2:
      return cpu.write32(addr, Number(value & 0xffffffffn));
    default:
      cpu.write32(addr, Number(value & 0xffffffffn));
      cpu.write32(addr + 4, Number((value >> 32n) & 0xffffffffn));
  }
}

/** VLD1-4 and VST1-4: every form of element and structure transfer. */
export function neonLoadStore(cpu: ExecContext, w: number): void {
  const load = ((w >>> 21) & 1) === 1;
  const n = (w >>> 16) & 0xf;
  const m = w & 0xf;
  const d = ((w >>> 18) & 0x10) | ((w >>> 12) & 0xf);
  let layout: Layout;
  if (((w >>> 23) & 1) === 0) layout = multipleLayout(w, d);
  else if (((w >>> 10) & 3) !== 3) layout = laneLayout(w, d);
  else if (load) layout = allLanesLayout(w, d);
  else throw UNDEFINED;
  checkAccess(cpu);
  const base = cpu.r[n]! | 0;
  // the reference enforces at most 128-bit alignment (a :256 hint checks 16 bytes)
  const align = Math.min(layout.align, 16);
  const ebytes = 1 << layout.size;
  // an alignment hint faults when unmet; otherwise SCTLR.A asks for element alignment
  if (align > 1) cpu.checkAlign(base, align, !load);
  else if (cpu.cp15.sctlr & 2) cpu.checkAlign(base, ebytes, !load);
  let addr = base;
  const whole = layout.contiguous;
  if (whole !== undefined) {
    const words = cpu.vfp.words;
    for (let k = 0; k < 2 * whole.regs; k++) {
      if (load) words[2 * whole.first + k] = cpu.read32(base + 4 * k);
      else cpu.write32(base + 4 * k, words[2 * whole.first + k]!);
    }
  } else
    layout.slots.forEach(([reg, index], k) => {
      if (load) {
        const value = readElement(cpu, addr, layout.size);
        const regs = layout.replicate?.[k];
        if (regs === undefined) setLane(cpu, reg, index, layout.size, value);
        else
          for (const r of regs)
            for (let e = 0; e < 8 >> layout.size; e++) setLane(cpu, r, e, layout.size, value);
      } else writeElement(cpu, addr, layout.size, getLane(cpu, reg, index, layout.size, false));
      addr = (addr + ebytes) | 0;
    });
  if (m === 15) return;
  cpu.r[n] = m === 13 ? (base + layout.slots.length * ebytes) | 0 : (base + cpu.r[m]!) | 0;
}
