/**
 * The generic timer (ARM ARM B8): the physical and virtual counters and their two timers, reached
 * through CP15 c14. The count comes from an injectable clock, so owners choose host time, guest
 * instructions or a test's fake; the timers' interrupt outputs are levels the owner routes (PPIs).
 */

/** CNTx_CTL bits. */
export const TimerCtl = { enable: 1, imask: 2, istatus: 4 } as const;

/** One of the two PL1-visible timers. */
export class TimerChannel {
  /** CNTx_CTL.ENABLE and IMASK (ISTATUS is computed). */
  ctl = 0;
  /** CNTx_CVAL, the 64-bit compare value. */
  cval = 0n;
}

/** Counter frequency QEMU's virt board gives the guest (62.5 MHz). */
export const DEFAULT_FREQUENCY = 62_500_000;

/** The counters and timers of one core. */
export class GenericTimer {
  /** CNTFRQ: what software believes the frequency is. */
  frequency = DEFAULT_FREQUENCY;
  /** CNTKCTL: PL0 access controls. */
  cntkctl = 0;
  /** CNTVOFF: virtual = physical - offset (set by a hypervisor; 0 for a guest alone). */
  virtualOffset = 0n;
  /** The physical timer (CNTP_*). */
  readonly physical = new TimerChannel();
  /** The virtual timer (CNTV_*). */
  readonly virtual = new TimerChannel();
  /** The physical count source. */
  clock: () => bigint;

  constructor(clock: () => bigint) {
    this.clock = clock;
  }

  /** CNTPCT. */
  get physicalCount(): bigint {
    return BigInt.asUintN(64, this.clock());
  }

  /** CNTVCT. */
  get virtualCount(): bigint {
    return BigInt.asUintN(64, this.clock() - this.virtualOffset);
  }

  private countOf(t: TimerChannel): bigint {
    return t === this.physical ? this.physicalCount : this.virtualCount;
  }

  /** CNTx_CTL as read, ISTATUS included. */
  readCtl(t: TimerChannel): number {
    const fired = t.ctl & TimerCtl.enable && this.countOf(t) >= t.cval;
    return t.ctl | (fired ? TimerCtl.istatus : 0);
  }

  /** Writes CNTx_CTL (ENABLE and IMASK). */
  writeCtl(t: TimerChannel, value: number): void {
    t.ctl = value & (TimerCtl.enable | TimerCtl.imask);
  }

  /** CNTx_TVAL: the signed 32-bit distance to CVAL. */
  readTval(t: TimerChannel): number {
    return Number(BigInt.asIntN(32, t.cval - this.countOf(t)));
  }

  /** Writes CNTx_TVAL: CVAL becomes now + the signed value. */
  writeTval(t: TimerChannel, value: number): void {
    t.cval = BigInt.asUintN(64, this.countOf(t) + BigInt(value | 0));
  }

  /** True while a timer's interrupt output is asserted (enabled, unmasked, condition met). */
  irqLevel(t: TimerChannel): boolean {
    return (this.readCtl(t) & (TimerCtl.istatus | TimerCtl.imask)) === TimerCtl.istatus;
  }

  /** Reads a 32-bit c14 register (opc1 0); undefined when absent or denied at PL0. */
  read(crm: number, op2: number, user: boolean): number | undefined {
    const k = this.cntkctl;
    switch ((crm << 3) | op2) {
      case 0: // CNTFRQ
        return !user || k & 3 ? this.frequency : undefined;
      case 1 << 3: // CNTKCTL
        return user ? undefined : this.cntkctl;
      case 2 << 3:
        return !user || k & 0x200 ? this.readTval(this.physical) : undefined;
      case (2 << 3) | 1:
        return !user || k & 0x200 ? this.readCtl(this.physical) : undefined;
      case 3 << 3:
        return !user || k & 0x100 ? this.readTval(this.virtual) : undefined;
      case (3 << 3) | 1:
        return !user || k & 0x100 ? this.readCtl(this.virtual) : undefined;
      default:
        return undefined;
    }
  }

  /** Writes a 32-bit c14 register; false when absent or denied. */
  write(crm: number, op2: number, value: number, user: boolean): boolean {
    const k = this.cntkctl;
    switch ((crm << 3) | op2) {
      case 0:
        if (user) return false;
        this.frequency = value >>> 0;
        return true;
      case 1 << 3:
        if (user) return false;
        this.cntkctl = value; // kept whole: the reference model does not clear the reserved bits
        return true;
      case 2 << 3:
        if (user && !(k & 0x200)) return false;
        this.writeTval(this.physical, value);
        return true;
      case (2 << 3) | 1:
        if (user && !(k & 0x200)) return false;
        this.writeCtl(this.physical, value);
        return true;
      case 3 << 3:
        if (user && !(k & 0x100)) return false;
        this.writeTval(this.virtual, value);
        return true;
      case (3 << 3) | 1:
        if (user && !(k & 0x100)) return false;
        this.writeCtl(this.virtual, value);
        return true;
      default:
        return false;
    }
  }

  /** Reads a 64-bit c14 register by MRRC opc1: counts (0, 1) and compare values (2, 3). */
  read64(op1: number, user: boolean): bigint | undefined {
    const k = this.cntkctl;
    switch (op1) {
      case 0:
        return !user || k & 1 ? this.physicalCount : undefined;
      case 1:
        return !user || k & 2 ? this.virtualCount : undefined;
      case 2:
        return !user || k & 0x200 ? this.physical.cval : undefined;
      case 3:
        return !user || k & 0x100 ? this.virtual.cval : undefined;
      default:
        return undefined;
    }
  }

  /** Writes a compare value by MCRR opc1 (2 physical, 3 virtual); false otherwise. */
  write64(op1: number, value: bigint, user: boolean): boolean {
    const k = this.cntkctl;
    if (op1 === 2 && (!user || k & 0x200)) this.physical.cval = BigInt.asUintN(64, value);
    else if (op1 === 3 && (!user || k & 0x100)) this.virtual.cval = BigInt.asUintN(64, value);
    else return false;
    return true;
  }
}
