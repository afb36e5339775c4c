/** CP15, the system control coprocessor: Cortex-A15 identification, control and fault registers. */
import { GenericTimer } from './generic-timer.ts';
import { Pmu } from './pmu.ts';

/**
 * Cortex-A15 identification as a guest of QEMU 7.2's cortex-a15 model on the virt board sees it:
 * r4p0, with the Security and Virtualization Extensions hidden (no EL3/EL2 for the guest) in
 * ID_PFR1 and ID_DFR0.
 */
export const CortexA15Id = {
  midr: 0x414fc0f0,
  ctr: 0x8444c004,
  tcmtr: 0,
  tlbtr: 0,
  mpidr: 0x80000000,
  idPfr0: 0x00001131,
  idPfr1: 0x00010001,
  idDfr0: 0x02010505,
  idAfr0: 0,
  idMmfr0: 0x10201105,
  idMmfr1: 0x20000000,
  idMmfr2: 0x01240000,
  idMmfr3: 0x02102211,
  idIsar0: 0x02101110,
  idIsar1: 0x13112111,
  idIsar2: 0x21232041,
  idIsar3: 0x11112131,
  idIsar4: 0x10011142,
  idIsar5: 0,
  clidr: 0x0a200023,
  ccsidr: [0x701fe00a, 0x201fe00a, 0x711fe07a] as readonly number[],
  aidr: 0,
  sctlrReset: 0x00c50078,
} as const;

/** Key of a CP15 register: CRn, opc1, CRm, opc2 packed into 16 bits. */
export function cp15Key(crn: number, op1: number, crm: number, op2: number): number {
  return (crn << 12) | (op1 << 8) | (crm << 4) | op2;
}

const K = cp15Key;

/** SCTLR bits that software may change (the rest read as their fixed values); WXN and UWXN included. */
const SCTLR_WRITABLE = 0x72e63c07 | (1 << 20) | (1 << 19) | (1 << 13) | (1 << 12) | (1 << 11) | (1 << 2);

/** TTBCR fields. */
export const Ttbcr = {
  /** Extended Address Enable: the long-descriptor format (LPAE). */
  EAE: 1 << 31,
  /** Long format: the ASID comes from TTBR1 (else TTBR0). */
  A1: 1 << 22,
  /** Long format: no table walks for addresses of TTBR0 / TTBR1. */
  EPD0: 1 << 7,
  EPD1: 1 << 23,
} as const;

/** TTBCR bits kept in the short format: N, PD0, PD1. */
const TTBCR_SHORT = 0x37;
/** TTBCR bits kept in the long format (bits 21:19, 15:14 and 6:3 read as zero). */
const TTBCR_LONG = ~((7 << 19) | (3 << 14) | (0xf << 3));

/**
 * The 32-bit CP15 registers of a PL1 guest. Reads and writes return `undefined`/`false` for an
 * encoding that does not exist or is not allowed at the access's privilege, and the interpreter
 * turns that into the guest's undefined-instruction exception.
 */
export class Cp15 {
  /** Multiprocessor Affinity Register: the core's identity; a hypervisor gives each vCPU its own. */
  mpidr: number = CortexA15Id.mpidr;
  /** System Control Register. */
  sctlr: number = CortexA15Id.sctlrReset;
  /** Auxiliary Control Register (implementation defined; kept as written). */
  actlr = 0;
  /** Coprocessor Access Control Register. */
  cpacr = 0;
  /** Translation Table Base Register 0: bits 31:0 (all an MCR/MRC reaches). */
  ttbr0 = 0;
  /** Bits 63:32 of the 64-bit TTBR0 (MCRR/MRRC): in the long format, base bits 39:32 and the ASID in 55:48. */
  ttbr0Hi = 0;
  /** Translation Table Base Register 1: bits 31:0. */
  ttbr1 = 0;
  /** Bits 63:32 of the 64-bit TTBR1. */
  ttbr1Hi = 0;
  /** Translation Table Base Control Register (bit 31, EAE, selects the long-descriptor format). */
  ttbcr = 0;
  /** Domain Access Control Register. */
  dacr = 0;
  /** Data Fault Status Register. */
  dfsr = 0;
  /** Instruction Fault Status Register. */
  ifsr = 0;
  /** Data Fault Address Register. */
  dfar = 0;
  /** Instruction Fault Address Register. */
  ifar = 0;
  /** Auxiliary fault status registers. */
  adfsr = 0;
  aifsr = 0;
  /** Physical Address Register, bits 31:0 (result of address translation operations). */
  par = 0;
  /** Bits 63:32 of the 64-bit PAR (MCRR/MRRC). */
  parHi = 0;
  /** Primary Region Remap Register; MAIR0 in the long format (same encoding, same storage). */
  prrr = 0;
  /** Normal Memory Remap Register; MAIR1 in the long format. */
  nmrr = 0;
  /** Context ID Register (the ASID in bits 7:0 in the short format only). */
  contextidr = 0;
  /** User read/write thread ID. */
  tpidrurw = 0;
  /** User read-only thread ID. */
  tpidruro = 0;
  /** PL1-only thread ID. */
  tpidrprw = 0;
  /** Vector Base Address Register. */
  vbar = 0;
  /** Cache Size Selection Register. */
  csselr = 0;
  /** The performance monitors behind c9, c12-c14. */
  readonly pmu = new Pmu();
  /** The generic timer behind c14; its clock is the owner's to inject. */
  readonly timer = new GenericTimer(() => 0n);
  /** Called after a write that changes how addresses translate (SCTLR, TTBCR, PRRR, NMRR). */
  onTranslationChange: () => void = () => {};
  /**
   * Called after a DACR write with the domains whose access changed (bit n for domain n). The MMU
   * applies DACR at each lookup, so only caches of final permissions need to hear of it.
   */
  onDomainChange: (changed: number) => void = () => {};
  /**
   * Called after a write that switches address space without invalidating cached translations
   * (TTBR0, TTBR1, CONTEXTIDR): the TLB is ASID-tagged, and the guest maintains it.
   */
  onAddressSpaceChange: () => void = () => {};
  /**
   * Called for a TLB maintenance operation: its `TlbOp` (c8 op2), the value written, and whether it
   * is an Inner Shareable form (c8, c3), which applies to every core of the shareability domain.
   */
  onTlbMaintenance: (op: number, value: number, shareable: boolean) => void = () => {};

  /** Puts every register back to its reset value (the timer's count source is kept). */
  reset(): void {
    this.sctlr = CortexA15Id.sctlrReset;
    this.actlr = this.cpacr = this.ttbr0 = this.ttbr1 = this.ttbcr = this.dacr = 0;
    this.ttbr0Hi = this.ttbr1Hi = this.parHi = 0;
    this.dfsr = this.ifsr = this.dfar = this.ifar = this.adfsr = this.aifsr = this.par = 0;
    this.prrr = this.nmrr = this.contextidr = 0;
    this.tpidrurw = this.tpidruro = this.tpidrprw = this.vbar = this.csselr = 0;
    const t = this.timer;
    t.cntkctl = 0;
    t.physical.ctl = t.virtual.ctl = 0;
    t.physical.cval = t.virtual.cval = 0n;
    this.pmu.reset();
    this.onTranslationChange();
  }

  /** True when TTBCR.EAE selects the long-descriptor format (LPAE). */
  get longDescriptors(): boolean {
    return (this.ttbcr & Ttbcr.EAE) !== 0;
  }

  /** The current ASID: CONTEXTIDR[7:0], or in the long format TTBR0/TTBR1[55:48] as TTBCR.A1 picks. */
  get asid(): number {
    if ((this.ttbcr & Ttbcr.EAE) === 0) return this.contextidr & 0xff;
    return ((this.ttbcr & Ttbcr.A1 ? this.ttbr1Hi : this.ttbr0Hi) >>> 16) & 0xff;
  }

  /** Reads a 64-bit register by MRRC CRm and opc1 (TTBR0, TTBR1, PAR) as [low, high]; undefined if none. */
  read64(crm: number, op1: number, user: boolean): [number, number] | undefined {
    if (user) return undefined;
    if (crm === 2 && op1 === 0) return [this.ttbr0, this.ttbr0Hi];
    if (crm === 2 && op1 === 1) return [this.ttbr1, this.ttbr1Hi];
    if (crm === 7 && op1 === 0) return [this.par, this.parHi];
    return undefined;
  }

  /** Writes a 64-bit register by MCRR CRm and opc1; false when the access is undefined. */
  write64(crm: number, op1: number, lo: number, hi: number, user: boolean): boolean {
    if (user) return false;
    if (crm === 2 && op1 <= 1) {
      if (op1 === 0) {
        this.ttbr0 = lo;
        this.ttbr0Hi = hi;
      } else {
        this.ttbr1 = lo;
        this.ttbr1Hi = hi;
      }
      this.onAddressSpaceChange(); // the long format's ASID lives here
      return true;
    }
    if (crm === 7 && op1 === 0) {
      this.par = lo;
      this.parHi = hi;
      return true;
    }
    return false;
  }

  /** Reads a register; `user` is true for a PL0 access. */
  read(crn: number, op1: number, crm: number, op2: number, user: boolean): number | undefined {
    const key = K(crn, op1, crm, op2);
    if (crn === 14 && op1 === 0) return this.timer.read(crm, op2, user);
    if (crn === 9 && op1 === 0 && crm >= 12) return this.pmu.read(crm, op2, user);
    if (user) {
      if (key === K(13, 0, 0, 2)) return this.tpidrurw;
      if (key === K(13, 0, 0, 3)) return this.tpidruro;
      return undefined;
    }
    const id = CortexA15Id;
    switch (key) {
      case K(0, 0, 0, 0):
        return id.midr;
      case K(0, 0, 0, 1):
        return id.ctr;
      case K(0, 0, 0, 2):
        return id.tcmtr;
      case K(0, 0, 0, 3):
        return id.tlbtr;
      case K(0, 0, 0, 4):
      case K(0, 0, 0, 6): // REVIDR is not implemented: it reads as MIDR like the unallocated slots
      case K(0, 0, 0, 7):
        return id.midr;
      case K(0, 0, 0, 5):
        return this.mpidr;
      case K(0, 0, 1, 0):
        return id.idPfr0;
      case K(0, 0, 1, 1):
        return id.idPfr1;
      case K(0, 0, 1, 2):
        return id.idDfr0;
      case K(0, 0, 1, 3):
        return id.idAfr0;
      case K(0, 0, 1, 4):
        return id.idMmfr0;
      case K(0, 0, 1, 5):
        return id.idMmfr1;
      case K(0, 0, 1, 6):
        return id.idMmfr2;
      case K(0, 0, 1, 7):
        return id.idMmfr3;
      case K(0, 0, 2, 0):
        return id.idIsar0;
      case K(0, 0, 2, 1):
        return id.idIsar1;
      case K(0, 0, 2, 2):
        return id.idIsar2;
      case K(0, 0, 2, 3):
        return id.idIsar3;
      case K(0, 0, 2, 4):
        return id.idIsar4;
      case K(0, 0, 2, 5):
        return id.idIsar5;
      case K(0, 1, 0, 0):
        return id.ccsidr[this.csselr === 0 ? 0 : this.csselr === 1 ? 1 : this.csselr === 2 ? 2 : 0]!;
      case K(0, 1, 0, 1):
        return id.clidr;
      case K(0, 1, 0, 7):
        return id.aidr;
      case K(0, 2, 0, 0):
        return this.csselr;
      case K(1, 0, 0, 0):
        return this.sctlr;
      case K(1, 0, 0, 1):
        return this.actlr;
      case K(1, 0, 0, 2):
        return this.cpacr;
      case K(2, 0, 0, 0):
        return this.ttbr0;
      case K(2, 0, 0, 1):
        return this.ttbr1;
      case K(2, 0, 0, 2):
        return this.ttbcr;
      case K(3, 0, 0, 0):
        return this.dacr;
      case K(5, 0, 0, 0):
        return this.dfsr;
      case K(5, 0, 0, 1):
        return this.ifsr;
      case K(5, 0, 1, 0):
        return this.adfsr;
      case K(5, 0, 1, 1):
        return this.aifsr;
      case K(6, 0, 0, 0):
        return this.dfar;
      case K(6, 0, 0, 2):
        return this.ifar;
      case K(7, 0, 4, 0):
        return this.par;
      case K(10, 0, 2, 0):
        return this.prrr;
      case K(10, 0, 2, 1):
        return this.nmrr;
      case K(10, 0, 3, 0):
      case K(10, 0, 3, 1):
        return 0; // AMAIR0/AMAIR1: the Cortex-A15 implements no auxiliary attributes (RAZ/WI)
      case K(12, 0, 0, 0):
        return this.vbar;
      case K(13, 0, 0, 0):
        return 0; // FCSEIDR: FCSE is not implemented
      case K(13, 0, 0, 1):
        return this.contextidr;
      case K(13, 0, 0, 2):
        return this.tpidrurw;
      case K(13, 0, 0, 3):
        return this.tpidruro;
      case K(13, 0, 0, 4):
        return this.tpidrprw;
      default:
        return undefined;
    }
  }

  /** Writes a register or performs an operation; false when the access is undefined. */
  write(crn: number, op1: number, crm: number, op2: number, value: number, user: boolean): boolean {
    const key = K(crn, op1, crm, op2);
    if (crn === 14 && op1 === 0) return this.timer.write(crm, op2, value, user);
    if (crn === 9 && op1 === 0 && crm >= 12) return this.pmu.write(crm, op2, value, user);
    if (user) {
      if (key === K(13, 0, 0, 2)) {
        this.tpidrurw = value;
        return true;
      }
      // CP15 barriers are allowed at PL0
      return key === K(7, 0, 5, 4) || key === K(7, 0, 10, 4) || key === K(7, 0, 10, 5);
    }
    switch (key) {
      case K(0, 2, 0, 0):
        this.csselr = value & 0xf;
        return true;
      case K(1, 0, 0, 0):
        this.sctlr = (this.sctlr & ~SCTLR_WRITABLE) | (value & SCTLR_WRITABLE) | 0;
        this.onTranslationChange();
        return true;
      case K(1, 0, 0, 1):
        this.actlr = value;
        return true;
      case K(1, 0, 0, 2):
        this.cpacr = value & 0xc0f00000; // cp10/cp11 access and the ASEDIS/D32DIS bits
        return true;
      case K(2, 0, 0, 0):
        this.ttbr0 = value;
        this.onAddressSpaceChange();
        return true;
      case K(2, 0, 0, 1):
        this.ttbr1 = value;
        this.onAddressSpaceChange();
        return true;
      case K(2, 0, 0, 2):
        this.ttbcr = value & (value & Ttbcr.EAE ? TTBCR_LONG : TTBCR_SHORT);
        this.onTranslationChange(); // a new format, split or ASID source: nothing cached holds
        return true;
      case K(3, 0, 0, 0): {
        const changed = changedDomains(this.dacr, value);
        this.dacr = value;
        if (changed !== 0) this.onDomainChange(changed);
        return true;
      }
      case K(5, 0, 0, 0):
        this.dfsr = value;
        return true;
      case K(5, 0, 0, 1):
        this.ifsr = value;
        return true;
      case K(5, 0, 1, 0):
        this.adfsr = value;
        return true;
      case K(5, 0, 1, 1):
        this.aifsr = value;
        return true;
      case K(6, 0, 0, 0):
        this.dfar = value;
        return true;
      case K(6, 0, 0, 2):
        this.ifar = value;
        return true;
      case K(7, 0, 4, 0):
        this.par = value;
        return true;
      case K(10, 0, 2, 0):
        this.prrr = value;
        this.onTranslationChange();
        return true;
      case K(10, 0, 2, 1):
        this.nmrr = value;
        this.onTranslationChange();
        return true;
      case K(10, 0, 3, 0):
      case K(10, 0, 3, 1):
        return true; // AMAIR0/AMAIR1 ignore writes
      case K(12, 0, 0, 0):
        this.vbar = value & ~0x1f;
        return true;
      case K(13, 0, 0, 0):
        return true; // FCSEIDR is RAZ/WI without the FCSE
      case K(13, 0, 0, 1):
        this.contextidr = value;
        this.onAddressSpaceChange();
        return true;
      case K(13, 0, 0, 2):
        this.tpidrurw = value;
        return true;
      case K(13, 0, 0, 3):
        this.tpidruro = value;
        return true;
      case K(13, 0, 0, 4):
        this.tpidrprw = value;
        return true;
    }
    if (crn === 7) return isCacheOp(op1, crm, op2);
    if (crn === 8 && op1 === 0) {
      // TLBIALL/MVA/ASID/MVAA, their inner-shareable forms (c3) and the instruction/data ones (c5,
      // c6); any other c8 operation drops everything, which is always safe
      const known = op2 <= 3 && (crm === 3 || crm === 5 || crm === 6 || crm === 7);
      this.onTlbMaintenance(known ? op2 : 0, value, crm === 3);
      return true;
    }
    return false;
  }
}

/** The domains (bit n for domain n) whose access differs between DACR values `a` and `b`. */
export function changedDomains(a: number, b: number): number {
  const diff = (a ^ b) >>> 0;
  let changed = 0;
  for (let d = 0; d < 16; d++) if ((diff >>> (d * 2)) & 3) changed |= 1 << d;
  return changed;
}

/** The c7 operations: cache and branch-predictor maintenance and barriers, accepted as no-ops. */
function isCacheOp(op1: number, crm: number, op2: number): boolean {
  if (op1 !== 0) return false;
  switch (crm) {
    case 0:
      return op2 === 4; // legacy wait-for-interrupt slot is UNPREDICTABLE on v7; accept as a no-op
    case 1:
      return op2 === 0 || op2 === 6; // ICIALLUIS, BPIALLIS
    case 5:
      return op2 === 0 || op2 === 1 || op2 === 4 || op2 === 6 || op2 === 7;
    case 6:
      return op2 === 1 || op2 === 2;
    case 10:
      return op2 === 1 || op2 === 2 || op2 === 4 || op2 === 5;
    case 11:
      return op2 === 1;
    case 14:
      return op2 === 1 || op2 === 2;
    default:
      return false;
  }
}
