/** How the boot CPU starts: the registers a loader sets (the rest keep their reset values). */

/** CPSR the boot protocol asks for: SVC mode with IRQ, FIQ and asynchronous aborts masked, ARM state. */
export const BOOT_CPSR = 0x1d3;

/** Entry state of the boot CPU. MMU and caches stay off (the reset state). */
export interface BootEntry {
  /** First instruction's address. */
  readonly pc: number;
  /** True to start in Thumb state (CPSR.T). */
  readonly thumb: boolean;
  readonly r0: number;
  readonly r1: number;
  readonly r2: number;
}
