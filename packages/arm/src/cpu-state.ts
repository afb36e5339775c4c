/** Architectural register state: r0-r15, CPSR, banked r13/r14/SPSR and the FIQ r8-r12 bank. */
import { BANK_COUNT, Bank, bankOf, isValidMode, Mode } from './system/modes.ts';

/** CPSR bit masks (ARM ARM B1.3.3). */
export const Psr = {
  N: 0x80000000,
  Z: 0x40000000,
  C: 0x20000000,
  V: 0x10000000,
  Q: 0x08000000,
  J: 0x01000000,
  GE: 0x000f0000,
  E: 0x00000200,
  A: 0x00000100,
  I: 0x00000080,
  F: 0x00000040,
  T: 0x00000020,
  M: 0x0000001f,
} as const;

/** Thrown when an owner asks for a mode or register this CPU does not have. */
export class CpuStateError extends Error {
  /** Stable code for programs. */
  readonly code = 'ARM_BAD_STATE';
}

/**
 * The register file. `r` always holds the registers of the current mode; the other modes' copies
 * wait in the banks and are swapped in by `setMode`, so instruction code indexes `r` directly.
 * Condition flags live in separate fields (0 or 1) because the interpreter sets them constantly.
 */
export class CpuState {
  /** r0-r15 as the current mode sees them. */
  readonly r = new Int32Array(16);
  /** CPSR.N as 0 or 1. */
  n = 0;
  /** CPSR.Z as 0 or 1. */
  z = 0;
  /** CPSR.C as 0 or 1. */
  c = 0;
  /** CPSR.V as 0 or 1. */
  v = 0;
  /** CPSR.Q as 0 or 1. */
  q = 0;
  /** CPSR.GE[3:0]. */
  ge = 0;
  /** ITSTATE[7:0] (Thumb IT blocks). */
  it = 0;
  /** CPSR.T as 0 or 1. */
  t = 0;
  /** CPSR.E, A, I and F in their CPSR positions. */
  masks = Psr.A | Psr.I | Psr.F;
  /** CPSR.M. */
  mode: number = Mode.svc;
  /** r13 of each bank (index from `Bank`); the current bank's copy is stale while it is live. */
  readonly bankedSp = new Int32Array(BANK_COUNT);
  /** r14 of each bank. */
  readonly bankedLr = new Int32Array(BANK_COUNT);
  /** SPSR of each bank (bank 0, usr/sys, has none and stays unused). */
  readonly spsr = new Int32Array(BANK_COUNT);
  /** r8-r12 of every mode but FIQ, while FIQ mode is live. */
  readonly usrHigh = new Int32Array(5);
  /** r8-r12 of FIQ mode, while another mode is live. */
  readonly fiqHigh = new Int32Array(5);

  /** The CPSR assembled from its fields. */
  get cpsr(): number {
    return (
      ((this.n << 31) |
        (this.z << 30) |
        (this.c << 29) |
        (this.v << 28) |
        (this.q << 27) |
        ((this.it & 3) << 25) |
        (this.ge << 16) |
        ((this.it >>> 2) << 10) |
        this.masks |
        (this.t << 5) |
        this.mode) >>>
      0
    );
  }

  /** Writes every CPSR field, switching banks when the mode changes; an invalid mode throws. */
  set cpsr(value: number) {
    const mode = value & Psr.M;
    if (!isValidMode(mode)) throw new CpuStateError(`invalid CPSR mode 0x${mode.toString(16)}`);
    this.setFlags(value);
    this.q = (value >>> 27) & 1;
    this.ge = (value >>> 16) & 0xf;
    this.it = ((value >>> 25) & 3) | (((value >>> 10) & 0x3f) << 2);
    this.masks = value & (Psr.E | Psr.A | Psr.I | Psr.F);
    this.t = (value >>> 5) & 1;
    this.setMode(mode);
  }

  /** Sets N, Z, C and V from bits 31-28 of `value`. */
  setFlags(value: number): void {
    this.n = (value >>> 31) & 1;
    this.z = (value >>> 30) & 1;
    this.c = (value >>> 29) & 1;
    this.v = (value >>> 28) & 1;
  }

  /** The SPSR of the current mode (0 in usr/sys, whose SPSR access is unpredictable). */
  get currentSpsr(): number {
    return this.spsr[bankOf(this.mode)]! >>> 0;
  }

  /** Writes the current mode's SPSR; ignored in usr/sys. */
  set currentSpsr(value: number) {
    const bank = bankOf(this.mode);
    if (bank > 0) this.spsr[bank] = value;
  }

  /** Switches to `mode`, saving the live banked registers and loading the new mode's. */
  setMode(mode: number): void {
    const from = bankOf(this.mode);
    const to = bankOf(mode);
    if (to < 0) throw new CpuStateError(`invalid mode 0x${mode.toString(16)}`);
    const r = this.r;
    if (from !== to) {
      this.bankedSp[from] = r[13]!;
      this.bankedLr[from] = r[14]!;
      if (from === Bank.fiq || to === Bank.fiq) {
        const save = from === Bank.fiq ? this.fiqHigh : this.usrHigh;
        const load = to === Bank.fiq ? this.fiqHigh : this.usrHigh;
        for (let i = 0; i < 5; i++) {
          save[i] = r[8 + i]!;
          r[8 + i] = load[i]!;
        }
      }
      r[13] = this.bankedSp[to]!;
      r[14] = this.bankedLr[to]!;
    }
    this.mode = mode;
  }

  /** Reads register `n` (0-14) as `mode` sees it, wherever it is stored now. */
  getBanked(mode: number, n: number): number {
    return this.bankedSlot(mode, n, undefined);
  }

  /** Writes register `n` (0-14) of `mode`, wherever it is stored now. */
  setBanked(mode: number, n: number, value: number): void {
    this.bankedSlot(mode, n, value | 0);
  }

  /** Reads the SPSR of a mode that has one. */
  getSpsr(mode: number): number {
    const bank = bankOf(mode);
    if (bank <= 0) throw new CpuStateError(`mode 0x${mode.toString(16)} has no SPSR`);
    return this.spsr[bank]! >>> 0;
  }

  /** Writes the SPSR of a mode that has one. */
  setSpsr(mode: number, value: number): void {
    const bank = bankOf(mode);
    if (bank <= 0) throw new CpuStateError(`mode 0x${mode.toString(16)} has no SPSR`);
    this.spsr[bank] = value;
  }

  private bankedSlot(mode: number, n: number, value: number | undefined): number {
    const bank = bankOf(mode);
    if (bank < 0 || n < 0 || n > 14 || (n | 0) !== n) {
      throw new CpuStateError(`no register r${n} in mode 0x${mode.toString(16)}`);
    }
    const live = bankOf(this.mode);
    let arr: Int32Array = this.r;
    let i = n;
    if (n >= 13) {
      if (bank !== live) {
        arr = n === 13 ? this.bankedSp : this.bankedLr;
        i = bank;
      }
    } else if (n >= 8 && (bank === Bank.fiq) !== (live === Bank.fiq)) {
      arr = bank === Bank.fiq ? this.fiqHigh : this.usrHigh;
      i = n - 8;
    }
    if (value !== undefined) arr[i] = value;
    return arr[i]! | 0;
  }
}
