/** A few A32 encodings, enough to write the small guest programs the tests run. */

const AL = 0xe0000000;

/** MOVW rd, #imm16. */
export const movw = (rd: number, imm: number): number =>
  (AL | 0x03000000 | (((imm >>> 12) & 0xf) << 16) | (rd << 12) | (imm & 0xfff)) >>> 0;
/** MOVT rd, #imm16. */
export const movt = (rd: number, imm: number): number =>
  (AL | 0x03400000 | (((imm >>> 12) & 0xf) << 16) | (rd << 12) | (imm & 0xfff)) >>> 0;
/** MOVW + MOVT: rd = a 32-bit constant. */
export const mov32 = (rd: number, value: number): number[] => [
  movw(rd, value & 0xffff),
  movt(rd, value >>> 16),
];
/** HVC #imm. */
export const hvc = (imm = 0): number => (AL | 0x01400070 | ((imm >>> 4) << 8) | (imm & 0xf)) >>> 0;
/** SMC #imm. */
export const smc = (imm = 0): number => (AL | 0x01600070 | (imm & 0xf)) >>> 0;
/** STR rt, [rn, #off]. */
export const str = (rt: number, rn: number, off = 0): number =>
  (AL | 0x05800000 | (rn << 16) | (rt << 12) | off) >>> 0;
/** LDR rt, [rn, #off]. */
export const ldr = (rt: number, rn: number, off = 0): number =>
  (AL | 0x05900000 | (rn << 16) | (rt << 12) | off) >>> 0;
/** LDRSB rt, [rn]. */
export const ldrsb = (rt: number, rn: number): number => (AL | 0x01d000d0 | (rn << 16) | (rt << 12)) >>> 0;
/** LDRSH rt, [rn]. */
export const ldrsh = (rt: number, rn: number): number => (AL | 0x01d000f0 | (rn << 16) | (rt << 12)) >>> 0;
/** LDRB rt, [rn]. */
export const ldrb = (rt: number, rn: number): number => (AL | 0x05d00000 | (rn << 16) | (rt << 12)) >>> 0;
/** ADD rd, rn, #imm8. */
export const addi = (rd: number, rn: number, imm: number): number =>
  (AL | 0x02800000 | (rn << 16) | (rd << 12) | imm) >>> 0;
/** B to a word offset from this instruction (0 = branch to self). */
export const b = (words: number): number => (AL | 0x0a000000 | ((words - 2) & 0xffffff)) >>> 0;
/** WFI. */
export const wfi = (): number => 0xe320f003;
/** CPSIE i (unmask IRQs). */
export const cpsieI = (): number => 0xf1080080;
/** LDREX rt, [rn]. */
export const ldrex = (rt: number, rn: number): number => (AL | 0x01900f9f | (rn << 16) | (rt << 12)) >>> 0;
/** STREX rd, rt, [rn]. */
export const strex = (rd: number, rt: number, rn: number): number =>
  (AL | 0x01800f90 | (rn << 16) | (rd << 12) | rt) >>> 0;
/** MCR p15, 0, rt, c12, c0, 0 (VBAR). */
export const writeVbar = (rt: number): number => (AL | 0x0e0c0f10 | (rt << 12)) >>> 0;
/** MRC p15, 0, rt, c0, c0, 5 (MPIDR). */
export const readMpidr = (rt: number): number => (AL | 0x0e100fb0 | (rt << 12)) >>> 0;

/** Writes words little-endian into `ram` at byte offset `at`. */
export function place(ram: Uint8Array, at: number, words: readonly number[]): void {
  const v = new DataView(ram.buffer, ram.byteOffset + at, words.length * 4);
  words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
}

/** CMP rn, #imm8. */
export const cmpi = (rn: number, imm: number): number => (AL | 0x03500000 | (rn << 16) | imm) >>> 0;
/** B<cond> to a word offset (0 = self); cond 0 EQ, 1 NE. */
export const bcond = (cond: number, words: number): number =>
  ((cond << 28) | 0x0a000000 | ((words - 2) & 0xffffff)) >>> 0;
/** MCR p15, 0, rt, c14, c3, 0 (CNTV_TVAL). */
export const writeCntvTval = (rt: number): number => (0xee0e0f13 | (rt << 12)) >>> 0;
/** MCR p15, 0, rt, c14, c3, 1 (CNTV_CTL). */
export const writeCntvCtl = (rt: number): number => (0xee0e0f33 | (rt << 12)) >>> 0;
/** SUBS rd, rn, #imm8. */
export const subsi = (rd: number, rn: number, imm: number): number =>
  (AL | 0x02500000 | (rn << 16) | (rd << 12) | imm) >>> 0;
