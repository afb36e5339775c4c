/**
 * The performance monitors (CP15 c9, c12-c14) as the reference Cortex-A15 model offers them: PMCR
 * with six event counters, enable/overflow/interrupt sets, PMUSERENR and a cycle counter that runs
 * while enabled. The event counters hold what software writes; no events are counted.
 */

/** PMCR as read at reset: implementer 0x41, IDCODE 0x0f, six event counters. */
export const PMCR_RESET = 0x410f3000;
const COUNTERS = (PMCR_RESET >>> 11) & 0x1f;
const COUNTER_MASK = ((1 << COUNTERS) - 1) | 0x80000000;

/** The performance monitor registers of one core. */
export class Pmu {
  /** PMCR's writable controls (E, P, C, D, X, DP). */
  control = 0;
  /** Counters enabled (bit 31 is the cycle counter). */
  enabled = 0;
  /** Overflow flags. */
  overflow = 0;
  /** Overflow interrupt enables. */
  interrupts = 0;
  /** PMSELR. */
  select = 0;
  /** PMUSERENR.EN: PL0 may use the monitors. */
  userEnable = 0;
  /** Event types and counts, as written. */
  readonly eventType = new Int32Array(COUNTERS);
  readonly eventCount = new Int32Array(COUNTERS);
  /** The count source the cycle counter follows. */
  clock: () => bigint = () => 0n;
  private cycleBase = 0n;
  private cycleSince: bigint | null = null;

  /** Puts the monitors back to their reset state. */
  reset(): void {
    this.control = this.enabled = this.overflow = this.interrupts = this.select = this.userEnable = 0;
    this.eventType.fill(0);
    this.eventCount.fill(0);
    this.cycleBase = 0n;
    this.cycleSince = null;
  }

  private get counting(): boolean {
    return (this.control & 1) !== 0 && (this.enabled & 0x80000000) !== 0;
  }

  /** PMCCNTR: cycles while enabled (divided by 64 when PMCR.D is set). */
  get cycles(): number {
    let v = this.cycleBase;
    if (this.cycleSince !== null) v += (this.clock() - this.cycleSince) / (this.control & 8 ? 64n : 1n);
    return Number(BigInt.asUintN(32, v)) | 0;
  }

  set cycles(value: number) {
    this.cycleBase = BigInt(value >>> 0);
    if (this.cycleSince !== null) this.cycleSince = this.clock();
  }

  /** Makes the count so far the new base, restarting the measurement from now. */
  private fold(): void {
    const now = this.cycles;
    this.cycleBase = BigInt(now >>> 0);
    this.cycleSince = this.clock();
  }

  /** Starts or freezes the cycle counter after a change to PMCR.E or the enable set. */
  private update(wasCounting: boolean): void {
    if (wasCounting === this.counting) return;
    if (this.counting) this.cycleSince = this.clock();
    else {
      this.cycleBase = BigInt(this.cycles >>> 0);
      this.cycleSince = null;
    }
  }

  /** Reads c9 register (CRm 12-14, opc2); undefined when absent or denied at PL0. */
  read(crm: number, op2: number, user: boolean): number | undefined {
    if (user && !this.userEnable && !(crm === 14 && op2 === 0)) return undefined;
    switch ((crm << 3) | op2) {
      case (12 << 3) | 0:
        return (PMCR_RESET | this.control) >>> 0;
      case (12 << 3) | 1:
      case (12 << 3) | 2:
        return this.enabled;
      case (12 << 3) | 3:
        return this.overflow;
      case (12 << 3) | 5:
        return this.select;
      case (13 << 3) | 0:
        return this.cycles;
      case (13 << 3) | 1:
        return this.select < COUNTERS ? this.eventType[this.select] : 0;
      case (13 << 3) | 2:
        return this.select < COUNTERS ? this.eventCount[this.select] : 0;
      case (14 << 3) | 0:
        return this.userEnable;
      case (14 << 3) | 1:
      case (14 << 3) | 2:
        return user ? undefined : this.interrupts;
      default:
        return undefined;
    }
  }

  /** Writes a c9 register; false when absent or denied. */
  write(crm: number, op2: number, value: number, user: boolean): boolean {
    if (user && (!this.userEnable || (crm === 14 && op2 !== 0) || (crm === 14 && op2 === 0))) return false;
    const was = this.counting;
    switch ((crm << 3) | op2) {
      case (12 << 3) | 0:
        if (this.cycleSince !== null) this.fold(); // the count so far keeps the old divider
        this.control = value & 0x39; // E, D, X, DP; P and C act now
        if (value & 2) this.eventCount.fill(0);
        if (value & 4) this.cycles = 0;
        break;
      case (12 << 3) | 1:
        this.enabled = this.enabled | (value & COUNTER_MASK) | 0;
        break;
      case (12 << 3) | 2:
        this.enabled = (this.enabled & ~value) | 0;
        break;
      case (12 << 3) | 3:
        this.overflow = (this.overflow & ~value) | 0;
        break;
      case (12 << 3) | 4:
        break; // PMSWINC: software increments are not counted
      case (12 << 3) | 5:
        this.select = value & 0x1f;
        break;
      case (13 << 3) | 0:
        this.cycles = value;
        break;
      case (13 << 3) | 1:
        if (this.select < COUNTERS) this.eventType[this.select] = value;
        break;
      case (13 << 3) | 2:
        if (this.select < COUNTERS) this.eventCount[this.select] = value;
        break;
      case (14 << 3) | 0:
        this.userEnable = value & 1;
        break;
      case (14 << 3) | 1:
        this.interrupts = this.interrupts | (value & COUNTER_MASK) | 0;
        break;
      case (14 << 3) | 2:
        this.interrupts = (this.interrupts & ~value) | 0;
        break;
      default:
        return false;
    }
    this.update(was);
    return true;
  }
}
