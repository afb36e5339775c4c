/**
 * CP14, the debug coprocessor as far as a PL1 guest without a debugger uses it: the identification
 * and status registers a kernel reads at boot, the breakpoint and watchpoint registers it clears,
 * the OS lock and double lock, vector catch, monitor mode as Linux enables it; and the ThumbEE
 * registers (opc1 6), which the Cortex-A15 has. Debug events themselves are never raised.
 */

/** Cortex-A15 debug identification as the reference model reports it: 6 breakpoints, 4 watchpoints, v7.1. */
export const DBGDIDR = 0x3515f021;
const BREAKPOINTS = ((DBGDIDR >>> 24) & 0xf) + 1;
const WATCHPOINTS = ((DBGDIDR >>> 28) & 0xf) + 1;
/** The key that locks the OS lock through DBGOSLAR. */
const OS_LOCK_KEY = 0xc5acce55;

/** The debug registers of one core. */
export class Cp14 {
  /** DBGDSCRext as last written. */
  dscrExt = 0;
  /** Breakpoint value registers. */
  readonly bvr = new Int32Array(BREAKPOINTS);
  /** Breakpoint control registers. */
  readonly bcr = new Int32Array(BREAKPOINTS);
  /** Watchpoint value registers. */
  readonly wvr = new Int32Array(WATCHPOINTS);
  /** Watchpoint control registers. */
  readonly wcr = new Int32Array(WATCHPOINTS);
  /** OS lock (DBGOSLSR.OSLK); set at reset. */
  osLocked = true;
  /** ThumbEE Configuration Register (only XED, bit 0, exists). */
  teecr = 0;
  /** ThumbEE Handler Base Register. */
  teehbr = 0;

  /** Puts the registers back to their reset values. */
  reset(): void {
    this.dscrExt = 0;
    this.bvr.fill(0);
    this.bcr.fill(0);
    this.wvr.fill(0);
    this.wcr.fill(0);
    this.osLocked = true;
    this.teecr = 0;
    this.teehbr = 0;
  }

  /** Reads a register (opc1 0); undefined when absent or not allowed at PL0. */
  read(crn: number, op1: number, crm: number, op2: number, user: boolean): number | undefined {
    if (op1 === 6) return this.readThumbEe(crn, crm, op2, user);
    if (op1 !== 0) return undefined;
    if (crn === 0 && crm === 0 && op2 === 0) return DBGDIDR;
    // DBGDSCRint: the read-only view of DBGDSCRext (no debug state and no events here, so the
    // control bits Linux sets, MDBGen among them, are all it shows)
    if (crn === 0 && crm === 1 && op2 === 0) return user ? 0 : this.dscrExt;
    if ((crn === 1 || crn === 2) && crm === 0 && op2 === 0) return 0; // DBGDRAR/DBGDSAR: no memory-mapped debug
    if (user) return undefined;
    if (crn === 0 && crm === 2 && op2 === 2) return this.dscrExt;
    if (crn === 0 && op2 >= 4) return this.pair(crm, op2)?.[crm];
    if (crn === 1 && crm === 1 && op2 === 4) return 0x8 | (this.osLocked ? 0x2 : 0); // DBGOSLSR: OSLM = 0b10
    if (isRazWi(crn, crm, op2)) return 0;
    return undefined;
  }

  /** Writes a register; false when absent or not allowed. */
  write(crn: number, op1: number, crm: number, op2: number, value: number, user: boolean): boolean {
    if (op1 === 6) return this.writeThumbEe(crn, crm, op2, value, user);
    if (op1 !== 0 || user) return false;
    if (crn === 0 && crm === 2 && op2 === 2) {
      this.dscrExt = value;
      return true;
    }
    if (crn === 0 && op2 >= 4) {
      const regs = this.pair(crm, op2);
      if (regs === undefined) return false;
      regs[crm] = value;
      return true;
    }
    if (crn === 1 && crm === 0 && op2 === 4) {
      this.osLocked = value >>> 0 === OS_LOCK_KEY; // DBGOSLAR
      return true;
    }
    return isRazWi(crn, crm, op2);
  }

  /** TEECR (c0) at PL1; TEEHBR (c1) also at PL0 unless TEECR.XED forbids it. */
  private readThumbEe(crn: number, crm: number, op2: number, user: boolean): number | undefined {
    if (crm !== 0 || op2 !== 0) return undefined;
    if (crn === 0) return user ? undefined : this.teecr;
    if (crn === 1) return user && this.teecr & 1 ? undefined : this.teehbr;
    return undefined;
  }

  private writeThumbEe(crn: number, crm: number, op2: number, value: number, user: boolean): boolean {
    if (crm !== 0 || op2 !== 0) return false;
    if (crn === 0 && !user) {
      this.teecr = value & 1;
      return true;
    }
    if (crn === 1 && !(user && this.teecr & 1)) {
      this.teehbr = value;
      return true;
    }
    return false;
  }

  /** The breakpoint/watchpoint register array op2 selects, if CRm names an implemented one. */
  private pair(crm: number, op2: number): Int32Array | undefined {
    const regs = [this.bvr, this.bcr, this.wvr, this.wcr][op2 - 4]!;
    return crm < regs.length ? regs : undefined;
  }
}

/**
 * Registers a kernel writes at boot that do nothing here, read as zero: DBGOSDLR (never
 * double-locked), DBGVCR (no vector catch), DBGDCCINT (no debug communications channel).
 */
function isRazWi(crn: number, crm: number, op2: number): boolean {
  return (
    (crn === 1 && crm === 3 && op2 === 4) ||
    (crn === 0 && crm === 7 && op2 === 0) ||
    (crn === 0 && crm === 2 && op2 === 0)
  );
}
