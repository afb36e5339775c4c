/** Why `Cpu.run` returned to its owner: the exits a KVM vCPU reports, as one discriminated union. */

/** An access outside RAM. For a load, the owner fills `data` and the next `run` completes it. */
export interface MmioExit {
  readonly kind: 'mmio';
  /** Physical address. */
  readonly address: number;
  /** Access size in bytes. */
  readonly size: 1 | 2 | 4 | 8;
  /** True for a store. */
  readonly isWrite: boolean;
  /**
   * Little-endian bytes: the stored value for a write, to be filled by the owner for a read. The
   * CPU's one MMIO buffer (as `kvm_run.mmio.data` is the kernel's): good until the next run.
   */
  readonly data: Uint8Array;
}

/** HVC: a hypervisor call (PSCI goes this way). The owner answers in r0 before the next run. */
export interface HvcExit {
  readonly kind: 'hvc';
  /** The instruction's 16-bit immediate. */
  readonly imm: number;
  /** r0-r3 at the call, unsigned. */
  readonly args: readonly [number, number, number, number];
}

/** SMC: a secure monitor call, handled by the owner like HVC. */
export interface SmcExit {
  readonly kind: 'smc';
  /** The instruction's 4-bit immediate. */
  readonly imm: number;
  /** r0-r3 at the call, unsigned. */
  readonly args: readonly [number, number, number, number];
}

/** WFI with no interrupt pending: the owner may sleep until it raises a line. */
export interface WfiExit {
  readonly kind: 'wfi';
}

/** The instruction budget given to `run` is used up. */
export interface BudgetExit {
  readonly kind: 'budget';
}

/** The owner asked the CPU to stop (`requestStop`). */
export interface StopExit {
  readonly kind: 'stop';
}

/** A debug event for the owner's debugger (only with a `CpuDebug` attached). */
export interface DebugExit {
  readonly kind: 'debug';
  /** A hardware breakpoint, a single step done, a watchpoint, or a BKPT routed to the debugger. */
  readonly reason: 'breakpoint' | 'step' | 'watchpoint' | 'bkpt';
  /** Where the CPU stands now (a watched or BKPT instruction has not run). */
  readonly pc: number;
  /** The data address for a watchpoint, else the PC. */
  readonly address: number;
  /** For a watchpoint: the access was a store. */
  readonly write: boolean;
}

/** Every way `run` returns. */
export type CpuExit = MmioExit | HvcExit | SmcExit | WfiExit | BudgetExit | StopExit | DebugExit;

/** The exits that carry no data, shared rather than allocated per run. */
export const WFI_EXIT: WfiExit = Object.freeze({ kind: 'wfi' });
/** Shared budget exit. */
export const BUDGET_EXIT: BudgetExit = Object.freeze({ kind: 'budget' });
/** Shared stop exit. */
export const STOP_EXIT: StopExit = Object.freeze({ kind: 'stop' });
