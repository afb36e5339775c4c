/**
 * The VMM's copy of a vCPU's architectural state, laid out as QEMU's CPUARMState: the sixteen
 * current registers, r13/r14/SPSR banked per mode, the usr and fiq copies of r8-r12, a CPSR whose
 * flag bits are kept apart from the rest, and the VFP registers. KVM owns the live state; this is
 * what the VMM reads back (kvm_arch_get_registers) and writes down (kvm_arch_put_registers).
 */
import { bankOf, Mode } from '@armvm/arm';
import { CodedError } from '@armvm/fscache';

/** CPSR fields (ARM ARM B1.3.3). */
export const CPSR = {
  M: 0x1f,
  T: 1 << 5,
  F: 1 << 6,
  I: 1 << 7,
  A: 1 << 8,
  E: 1 << 9,
  IT_2_7: 0xfc00,
  GE: 0xf0000,
  J: 1 << 24,
  IT_0_1: 3 << 25,
  Q: 1 << 27,
  NZCV: 0xf0000000,
} as const;

/** The CPSR bits QEMU keeps outside `uncachedCpsr` (flags, Thumb and IT state). */
export const CACHED_CPSR_BITS = CPSR.T | CPSR.GE | CPSR.IT_2_7 | CPSR.IT_0_1 | CPSR.Q | CPSR.NZCV;

/** Indices of the VFP system registers in `vfp.xregs` (the low bits of their KVM ids). */
export const ARM_VFP = {
  FPSID: 0,
  FPSCR: 1,
  MVFR1: 6,
  MVFR0: 7,
  FPEXC: 8,
  FPINST: 9,
  FPINST2: 10,
} as const;

/** FPSCR fields QEMU keeps outside `xregs[FPSCR]`: vector length/stride and the cumulative flags. */
const FPSCR_LEN_SHIFT = 16;
const FPSCR_STRIDE_SHIFT = 20;
const FPSCR_CUMULATIVE = 0x9f; // IDC, IXC, UFC, OFC, DZC, IOC
const FPSCR_STORED = 0xffc8ffff & ~FPSCR_CUMULATIVE;

/** How `cpsrWrite` treats a mode change. */
export const CpsrWriteType = {
  /** A write by the guest or a debugger: a mode change moves r8-r14/SPSR between the banks. */
  byInstruction: 0,
  /**
   * A state transfer (KVM sync, migration): take the value as is and leave the banks alone, since
   * the caller fills the current registers from the banks itself. Switching banks here would save
   * stale current registers over the banked values just read from KVM.
   */
  raw: 1,
} as const;
export type CpsrWriteTypeValue = (typeof CpsrWriteType)[keyof typeof CpsrWriteType];

/** A CPSR.M value that no bank belongs to. */
export class BadModeError extends CodedError<'ARMVM_BAD_MODE'> {
  readonly mode: number;
  constructor(mode: number) {
    super('ARMVM_BAD_MODE', `bad mode 0x${mode.toString(16)}: no register bank belongs to it`);
    this.mode = mode;
  }
}

/** QEMU's bank_number: which r13/r14/SPSR bank a mode uses (usr and sys share bank 0). */
export function bankNumber(mode: number): number {
  const bank = bankOf(mode);
  if (bank < 0 || (mode & ~CPSR.M) !== 0) throw new BadModeError(mode);
  return bank;
}

/** The VFP part of CPUARMState: 32 D registers as raw bits and the system registers. */
export class VfpState {
  /** d0-d31, bit patterns. */
  readonly regs = new BigUint64Array(32);
  /** FPSID, FPSCR (control bits), MVFR0/1, FPEXC, FPINST, FPINST2, by `ARM_VFP` index. */
  readonly xregs = new Uint32Array(16);
  /** FPSCR.Len and FPSCR.Stride, kept apart as QEMU does. */
  vecLen = 0;
  vecStride = 0;
  /** The cumulative exception flags, which QEMU keeps in its softfloat status. */
  exceptionFlags = 0;
}

/** CPUARMState: the register file as the VMM sees it. */
export class CPUARMState {
  /** r0-r15 as the current mode sees them. */
  readonly regs = new Uint32Array(16);
  /** r13 of each bank (usr/sys, svc, abt, und, irq, fiq). */
  readonly bankedR13 = new Uint32Array(6);
  /** r14 of each bank. */
  readonly bankedR14 = new Uint32Array(6);
  /** SPSR of each bank (bank 0, usr/sys, has none and stays unused). */
  readonly bankedSpsr = new Uint32Array(6);
  /** r8-r12 of every mode but FIQ, while FIQ is current (or stale copies otherwise). */
  readonly usrRegs = new Uint32Array(5);
  /** r8_fiq-r12_fiq, while another mode is current. */
  readonly fiqRegs = new Uint32Array(5);
  /** SPSR of the current mode. */
  spsr = 0;
  /** CPSR without the bits in CACHED_CPSR_BITS. */
  uncachedCpsr: number = Mode.svc;
  /** N, Z, C and V in bits 31-28. */
  nzcv = 0;
  /** The sticky Q flag (0 or 1). */
  qf = 0;
  /** GE[3:0]. */
  ge = 0;
  /** 1 in Thumb state. */
  thumb = 0;
  /** ITSTATE, eight bits. */
  condexecBits = 0;
  readonly vfp = new VfpState();

  /** QEMU's cpsr_read: the CPSR assembled from its cached and uncached parts. */
  cpsrRead(): number {
    const it = this.condexecBits;
    return (
      (this.uncachedCpsr |
        (this.nzcv & CPSR.NZCV) |
        (this.qf << 27) |
        (this.thumb << 5) |
        ((it & 3) << 25) |
        ((it & 0xfc) << 8) |
        (this.ge << 16)) >>>
      0
    );
  }

  /** QEMU's cpsr_write: updates the bits in `mask`; a mode change switches banks unless `raw`. */
  cpsrWrite(value: number, mask: number, type: CpsrWriteTypeValue = CpsrWriteType.byInstruction): void {
    if (mask & CPSR.NZCV) this.nzcv = (value & CPSR.NZCV) >>> 0;
    if (mask & CPSR.Q) this.qf = (value >>> 27) & 1;
    if (mask & CPSR.T) this.thumb = (value >>> 5) & 1;
    if (mask & CPSR.IT_0_1) this.condexecBits = (this.condexecBits & ~3) | ((value >>> 25) & 3);
    if (mask & CPSR.IT_2_7) this.condexecBits = (this.condexecBits & 3) | ((value >>> 8) & 0xfc);
    if (mask & CPSR.GE) this.ge = (value >>> 16) & 0xf;
    if (type !== CpsrWriteType.raw && (this.uncachedCpsr ^ value) & mask & CPSR.M) {
      this.switchMode(value & CPSR.M);
    }
    const m = mask & ~CACHED_CPSR_BITS;
    this.uncachedCpsr = ((this.uncachedCpsr & ~m) | (value & m)) >>> 0;
  }

  /** Moves the current r8-r14 and SPSR to the old mode's banks and loads the new mode's. */
  switchMode(mode: number): void {
    const oldMode = this.uncachedCpsr & CPSR.M;
    if (oldMode === mode) return;
    if (oldMode === Mode.fiq) {
      this.fiqRegs.set(this.regs.subarray(8, 13));
      this.regs.set(this.usrRegs, 8);
    } else if (mode === Mode.fiq) {
      this.usrRegs.set(this.regs.subarray(8, 13));
      this.regs.set(this.fiqRegs, 8);
    }
    let bank = bankNumber(oldMode);
    this.bankedR13[bank] = this.regs[13]!;
    this.bankedR14[bank] = this.regs[14]!;
    this.bankedSpsr[bank] = this.spsr;
    bank = bankNumber(mode);
    this.regs[13] = this.bankedR13[bank]!;
    this.regs[14] = this.bankedR14[bank]!;
    this.spsr = this.bankedSpsr[bank]!;
  }

  /** QEMU's vfp_get_fpscr: the FPSCR with Len, Stride and the cumulative flags put back. */
  vfpGetFpscr(): number {
    const v = this.vfp;
    return (
      ((v.xregs[ARM_VFP.FPSCR]! & FPSCR_STORED) |
        (v.vecLen << FPSCR_LEN_SHIFT) |
        (v.vecStride << FPSCR_STRIDE_SHIFT) |
        (v.exceptionFlags & FPSCR_CUMULATIVE)) >>>
      0
    );
  }

  /** QEMU's vfp_set_fpscr: splits an FPSCR value into the places it is kept. */
  vfpSetFpscr(value: number): void {
    const v = this.vfp;
    v.xregs[ARM_VFP.FPSCR] = value & FPSCR_STORED;
    v.vecLen = (value >>> FPSCR_LEN_SHIFT) & 7;
    v.vecStride = (value >>> FPSCR_STRIDE_SHIFT) & 3;
    v.exceptionFlags = value & FPSCR_CUMULATIVE;
  }
}
