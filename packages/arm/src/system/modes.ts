/** Processor modes (CPSR.M) and the register banks they select. */

/** CPSR.M values of the modes a PL1/PL0 guest can be in (Hyp and Monitor are the owner's). */
export const Mode = {
  usr: 0x10,
  fiq: 0x11,
  irq: 0x12,
  svc: 0x13,
  abt: 0x17,
  und: 0x1b,
  sys: 0x1f,
} as const;

/** One of the CPSR.M values in `Mode`. */
export type ModeValue = (typeof Mode)[keyof typeof Mode];

/** Index of the r13/r14/SPSR bank a mode uses; usr and sys share bank 0. */
export const Bank = { usr: 0, svc: 1, abt: 2, und: 3, irq: 4, fiq: 5 } as const;

/** Number of r13/r14/SPSR banks. */
export const BANK_COUNT = 6;

const bankOfMode = new Int8Array(32).fill(-1);
bankOfMode[Mode.usr] = Bank.usr;
bankOfMode[Mode.sys] = Bank.usr;
bankOfMode[Mode.svc] = Bank.svc;
bankOfMode[Mode.abt] = Bank.abt;
bankOfMode[Mode.und] = Bank.und;
bankOfMode[Mode.irq] = Bank.irq;
bankOfMode[Mode.fiq] = Bank.fiq;

/** The bank a CPSR.M value selects, or -1 when the value is not a mode a guest may use. */
export function bankOf(mode: number): number {
  return bankOfMode[mode & 0x1f]!;
}

/** True when `mode` is a CPSR.M value this CPU implements. */
export function isValidMode(mode: number): mode is ModeValue {
  return (mode & ~0x1f) === 0 && bankOfMode[mode]! >= 0;
}

/** True for the modes that own an SPSR (every mode but usr and sys). */
export function hasSpsr(mode: number): boolean {
  return bankOfMode[mode & 0x1f]! > 0;
}

/** Short lower-case name of a mode, for messages and traces. */
export function modeName(mode: number): string {
  for (const [name, value] of Object.entries(Mode)) if (value === mode) return name;
  return `mode 0x${mode.toString(16)}`;
}
