/**
 * The in-kernel VGICv2: a GICv2 distributor and one CPU interface per vCPU, reached through the
 * guest's MMIO windows placed by KVM_ARM_SET_DEVICE_ADDR, fed by KVM_IRQ_LINE and the timers, and
 * driving each vCPU's IRQ line. It models the GIC itself (not list registers): 128 interrupts (16 SGIs,
 * 16 PPIs, 96 SPIs), one security group, 5 priority bits (mask 0xf8), SGIs edge and always enabled,
 * PPIs level and not configurable, as KVM's vgic does.
 */

/** Interrupts the distributor implements unless told otherwise (KVM's default of this era). */
export const VGIC_NR_IRQS = 128;
/** Most interrupts a GICv2 can have (KVM_DEV_ARM_VGIC_GRP_NR_IRQS accepts 64..1024). */
export const VGIC_MAX_IRQS = 1024;
/** SGIs and PPIs. */
export const VGIC_NR_PRIVATE_IRQS = 32;
export const VGIC_NR_SGIS = 16;
/** Implemented priority bits. */
export const PRIORITY_MASK = 0xf8;
/** INTID returned when nothing can be acknowledged. */
export const SPURIOUS_INTID = 1023;
/** GICD_IIDR and GICC_IIDR as KVM reports them (implementer ARM, product 'K'). */
export const GICD_IIDR_VALUE = 0x4b00043b;
export const GICC_IIDR_VALUE = 0x0002043b;

/** Distributor register offsets. */
export const Gicd = {
  CTLR: 0x000,
  TYPER: 0x004,
  IIDR: 0x008,
  IGROUPR: 0x080,
  ISENABLER: 0x100,
  ICENABLER: 0x180,
  ISPENDR: 0x200,
  ICPENDR: 0x280,
  ISACTIVER: 0x300,
  ICACTIVER: 0x380,
  IPRIORITYR: 0x400,
  ITARGETSR: 0x800,
  ICFGR: 0xc00,
  SGIR: 0xf00,
  CPENDSGIR: 0xf10,
  SPENDSGIR: 0xf20,
  PIDR2: 0xfe8,
} as const;

/** CPU interface register offsets. */
export const Gicc = {
  CTLR: 0x00,
  PMR: 0x04,
  BPR: 0x08,
  IAR: 0x0c,
  EOIR: 0x10,
  RPR: 0x14,
  HPPIR: 0x18,
  ABPR: 0x1c,
  AIAR: 0x20,
  AEOIR: 0x24,
  AHPPIR: 0x28,
  APR0: 0xd0,
  IIDR: 0xfc,
  DIR: 0x1000,
} as const;

/** The banked state of one CPU: its SGIs and PPIs and its CPU interface. */
class CpuBank {
  readonly enabled = new Uint8Array(VGIC_NR_PRIVATE_IRQS);
  readonly latch = new Uint8Array(VGIC_NR_PRIVATE_IRQS); // PPI pending set by software
  readonly level = new Uint8Array(VGIC_NR_PRIVATE_IRQS); // PPI input lines
  readonly active = new Uint8Array(VGIC_NR_PRIVATE_IRQS);
  readonly priority = new Uint8Array(VGIC_NR_PRIVATE_IRQS);
  /** Per SGI: bit s set when CPU s has it pending for this CPU. */
  readonly sgiSources = new Uint8Array(VGIC_NR_SGIS);
  /** GICC_CTLR (EnableGrp0 and EOImode are modelled). */
  ctlr = 0;
  pmr = 0;
  bpr = 2;
  abpr = 3;
  /** Interrupts acknowledged and not yet EOIed, innermost last: [intid, priority, source]. */
  readonly running: [number, number, number][] = [];

  constructor() {
    this.enabled.fill(1, 0, VGIC_NR_SGIS); // SGIs are always enabled
  }
}

/** Guest-visible result of a VGIC MMIO read or write. */
export type VgicAccess = { readonly size: number; readonly offset: number };

/** The VGICv2 of a VM. */
export class Vgic {
  private readonly cpus: CpuBank[] = [];
  // SPI state indexed by INTID (the private slots stay unused)
  private readonly enabled = new Uint8Array(VGIC_MAX_IRQS);
  private readonly latch = new Uint8Array(VGIC_MAX_IRQS);
  private readonly level = new Uint8Array(VGIC_MAX_IRQS);
  private readonly active = new Uint8Array(VGIC_MAX_IRQS);
  private readonly priority = new Uint8Array(VGIC_MAX_IRQS);
  private readonly targets = new Uint8Array(VGIC_MAX_IRQS);
  private readonly edge = new Uint8Array(VGIC_MAX_IRQS);
  private ctlr = 0;
  /** Interrupts implemented (a multiple of 32); fixed once the VGIC is initialised. */
  nrIrqs: number = VGIC_NR_IRQS;
  /** Called with (cpu, level) whenever a CPU's IRQ output may have changed. */
  onIrqLevel: (cpu: number, level: boolean) => void = () => {};

  /** Adds the banked state for the next CPU (vCPU ids are 0..n-1). */
  addCpu(): number {
    this.cpus.push(new CpuBank());
    return this.cpus.length - 1;
  }

  get cpuCount(): number {
    return this.cpus.length;
  }

  private get cpuMask(): number {
    return (1 << this.cpus.length) - 1;
  }

  // ---- interrupt inputs ------------------------------------------------------------------------

  /** Drives a PPI (16..31) of `cpu` or an SPI (32..) to `level`. Returns false for a bad number. */
  setLine(cpu: number, intid: number, level: boolean): boolean {
    const v = level ? 1 : 0;
    if (intid >= VGIC_NR_SGIS && intid < VGIC_NR_PRIVATE_IRQS) {
      const bank = this.cpus[cpu];
      if (!bank) return false;
      bank.level[intid] = v;
      this.update(cpu);
      return true;
    }
    if (intid < VGIC_NR_PRIVATE_IRQS || intid >= this.nrIrqs) return false;
    if (this.edge[intid] && v && !this.level[intid]) this.latch[intid] = 1; // rising edge
    this.level[intid] = v;
    this.updateAll();
    return true;
  }

  // ---- state queries ---------------------------------------------------------------------------

  private isPending(cpu: number, intid: number): boolean {
    if (intid < VGIC_NR_SGIS) return this.cpus[cpu]!.sgiSources[intid] !== 0;
    if (intid < VGIC_NR_PRIVATE_IRQS) {
      const b = this.cpus[cpu]!;
      return (b.latch[intid]! | b.level[intid]!) !== 0;
    }
    return (this.latch[intid]! | (this.edge[intid] ? 0 : this.level[intid]!)) !== 0;
  }

  private isEnabled(cpu: number, intid: number): boolean {
    return (intid < VGIC_NR_PRIVATE_IRQS ? this.cpus[cpu]!.enabled[intid] : this.enabled[intid]) !== 0;
  }

  private isActive(cpu: number, intid: number): boolean {
    return (intid < VGIC_NR_PRIVATE_IRQS ? this.cpus[cpu]!.active[intid] : this.active[intid]) !== 0;
  }

  private priorityOf(cpu: number, intid: number): number {
    return intid < VGIC_NR_PRIVATE_IRQS ? this.cpus[cpu]!.priority[intid]! : this.priority[intid]!;
  }

  /** Is `intid` aimed at `cpu` (private interrupts always are). */
  private targets_(cpu: number, intid: number): boolean {
    return intid < VGIC_NR_PRIVATE_IRQS || ((this.targets[intid]! >> cpu) & 1) === 1;
  }

  /** The running priority of a CPU interface (0xff when idle). */
  runningPriority(cpu: number): number {
    const r = this.cpus[cpu]!.running;
    let p = 0xff;
    for (const [, prio] of r) p = Math.min(p, prio);
    return p;
  }

  /** The group-priority mask the binary point gives (preemption compares only these bits). */
  private groupMask(cpu: number): number {
    return (0xff << (this.cpus[cpu]!.bpr + 1)) & 0xff;
  }

  /**
   * The highest-priority interrupt that is pending, enabled, inactive and aimed at `cpu`, ignoring
   * the CPU interface's masks: [intid, priority] or null. Ties go to the lowest INTID.
   */
  private highestPending(cpu: number): [number, number] | null {
    let best = -1;
    let bestPrio = 0x100;
    for (let id = 0; id < this.nrIrqs; id++) {
      if (!this.isPending(cpu, id) || !this.isEnabled(cpu, id) || this.isActive(cpu, id)) continue;
      if (!this.targets_(cpu, id)) continue;
      const p = this.priorityOf(cpu, id);
      if (p < bestPrio) {
        best = id;
        bestPrio = p;
      }
    }
    return best < 0 ? null : [best, bestPrio];
  }

  /** Whether `cpu`'s interface signals an interrupt: what drives its IRQ line. */
  irqLevel(cpu: number): boolean {
    const bank = this.cpus[cpu];
    if (!bank || !(this.ctlr & 1) || !(bank.ctlr & 1)) return false;
    const hp = this.highestPending(cpu);
    if (!hp) return false;
    const prio = hp[1];
    if (prio >= bank.pmr) return false;
    const mask = this.groupMask(cpu);
    return (prio & mask) < (this.runningPriority(cpu) & mask) || this.cpus[cpu]!.running.length === 0;
  }

  private update(cpu: number): void {
    this.onIrqLevel(cpu, this.irqLevel(cpu));
  }

  private updateAll(): void {
    for (let c = 0; c < this.cpus.length; c++) this.update(c);
  }

  // ---- CPU interface ---------------------------------------------------------------------------

  /** GICC_IAR read: acknowledge. */
  acknowledge(cpu: number): number {
    const bank = this.cpus[cpu]!;
    if (!this.irqLevel(cpu)) return SPURIOUS_INTID;
    const [id, prio] = this.highestPending(cpu)!;
    let source = 0;
    if (id < VGIC_NR_SGIS) {
      const srcs = bank.sgiSources[id]!;
      source = 31 - Math.clz32(srcs & -srcs); // lowest source CPU first
      bank.sgiSources[id] = srcs & ~(1 << source);
      bank.active[id] = 1;
    } else if (id < VGIC_NR_PRIVATE_IRQS) {
      bank.latch[id] = 0;
      bank.active[id] = 1;
    } else {
      this.latch[id] = 0;
      this.active[id] = 1;
    }
    bank.running.push([id, prio, source]);
    this.updateAll();
    return (id | (source << 10)) >>> 0;
  }

  /** GICC_EOIR write: priority drop and (EOImode 0) deactivation. */
  endOfInterrupt(cpu: number, value: number): void {
    const bank = this.cpus[cpu]!;
    const id = value & 0x3ff;
    const source = (value >>> 10) & 7;
    const i = bank.running.findIndex(([rid, , src]) => rid === id && (id >= VGIC_NR_SGIS || src === source));
    if (i < 0) return; // not active on this interface: ignored
    bank.running.splice(i, 1);
    if (!(bank.ctlr & 0x200)) this.deactivate(cpu, id);
    this.updateAll();
  }

  private deactivate(cpu: number, id: number): void {
    if (id < VGIC_NR_PRIVATE_IRQS) this.cpus[cpu]!.active[id] = 0;
    else if (id < this.nrIrqs) this.active[id] = 0;
  }

  /** Reads a CPU interface register (word accesses only; anything else reads as zero). */
  readCpu(cpu: number, offset: number, size: number): number {
    const bank = this.cpus[cpu];
    if (!bank || size !== 4 || offset & 3) return 0;
    switch (offset) {
      case Gicc.CTLR:
        return bank.ctlr;
      case Gicc.PMR:
        return bank.pmr;
      case Gicc.BPR:
        return bank.bpr;
      case Gicc.IAR:
        return this.acknowledge(cpu);
      case Gicc.RPR:
        return this.runningPriority(cpu);
      case Gicc.HPPIR: {
        const hp = this.highestPending(cpu);
        if (!hp || !(this.ctlr & 1)) return SPURIOUS_INTID;
        const id = hp[0];
        if (id < VGIC_NR_SGIS) {
          const srcs = bank.sgiSources[id]!;
          return id | ((31 - Math.clz32(srcs & -srcs)) << 10);
        }
        return id;
      }
      case Gicc.ABPR:
        return bank.abpr;
      case Gicc.AIAR:
      case Gicc.AHPPIR:
        return SPURIOUS_INTID; // no group 1 interrupts
      case Gicc.APR0: {
        let bits = 0;
        for (const [, prio] of bank.running) bits |= 1 << (prio >> 3);
        return bits >>> 0;
      }
      case Gicc.IIDR:
        return GICC_IIDR_VALUE;
      default:
        return 0;
    }
  }

  /** Writes a CPU interface register. */
  writeCpu(cpu: number, offset: number, size: number, value: number): void {
    const bank = this.cpus[cpu];
    if (!bank || size !== 4 || offset & 3) return;
    switch (offset) {
      case Gicc.CTLR:
        bank.ctlr = value & 0x201;
        break;
      case Gicc.PMR:
        bank.pmr = value & PRIORITY_MASK;
        break;
      case Gicc.BPR:
        bank.bpr = Math.max(value & 7, 2);
        break;
      case Gicc.ABPR:
        bank.abpr = Math.max(value & 7, 3);
        break;
      case Gicc.EOIR:
        this.endOfInterrupt(cpu, value);
        return;
      case Gicc.DIR:
        if (bank.ctlr & 0x200) this.deactivate(cpu, value & 0x3ff);
        break;
      default:
        return;
    }
    this.updateAll();
  }

  // ---- distributor -----------------------------------------------------------------------------

  /** Reads `size` bytes of the distributor at `offset` as `cpu` sees them. */
  readDist(cpu: number, offset: number, size: number): number {
    if (!this.distAccessOk(offset, size)) return 0;
    if (size === 1) return this.distByte(cpu, offset);
    let v = 0;
    if (byteRegister(offset)) {
      for (let i = 0; i < 4; i++) v |= this.distByte(cpu, offset + i) << (8 * i);
      return v >>> 0;
    }
    return this.distWord(cpu, offset) >>> 0;
  }

  /** Writes `size` bytes of the distributor. */
  writeDist(cpu: number, offset: number, size: number, value: number): void {
    if (!this.distAccessOk(offset, size)) return;
    if (size === 1 || byteRegister(offset)) {
      for (let i = 0; i < size; i++) this.writeDistByte(cpu, offset + i, (value >>> (8 * i)) & 0xff);
    } else this.writeDistWord(cpu, offset, value >>> 0);
    this.updateAll();
  }

  /** Word accesses anywhere, byte accesses only to the byte-accessible registers; aligned. */
  private distAccessOk(offset: number, size: number): boolean {
    if (offset & (size - 1)) return false;
    if (size === 4) return true;
    return size === 1 && byteRegister(offset);
  }

  private distByte(cpu: number, offset: number): number {
    if (offset >= Gicd.IPRIORITYR && offset < Gicd.IPRIORITYR + this.nrIrqs) {
      return this.bank(cpu) ? this.priorityOf(cpu, offset - Gicd.IPRIORITYR) : 0;
    }
    if (offset >= Gicd.ITARGETSR && offset < Gicd.ITARGETSR + this.nrIrqs) {
      const id = offset - Gicd.ITARGETSR;
      return id < VGIC_NR_PRIVATE_IRQS ? (1 << cpu) & 0xff : this.targets[id]!;
    }
    if (offset >= Gicd.CPENDSGIR && offset < Gicd.SPENDSGIR + 16) {
      const id = (offset - Gicd.CPENDSGIR) & 15;
      return this.bank(cpu)?.sgiSources[id] ?? 0;
    }
    return 0; // reserved bytes of the byte-accessible ranges
  }

  private writeDistByte(cpu: number, offset: number, v: number): void {
    const bank = this.bank(cpu);
    if (offset >= Gicd.IPRIORITYR && offset < Gicd.IPRIORITYR + this.nrIrqs) {
      const id = offset - Gicd.IPRIORITYR;
      if (id < VGIC_NR_PRIVATE_IRQS) {
        if (bank) bank.priority[id] = v & PRIORITY_MASK;
      } else this.priority[id] = v & PRIORITY_MASK;
      return;
    }
    if (offset >= Gicd.ITARGETSR && offset < Gicd.ITARGETSR + this.nrIrqs) {
      const id = offset - Gicd.ITARGETSR;
      if (id >= VGIC_NR_PRIVATE_IRQS) this.targets[id] = v & this.cpuMask; // private ones are read-only
      return;
    }
    if (!bank) return;
    if (offset >= Gicd.CPENDSGIR && offset < Gicd.CPENDSGIR + 16) {
      const id = offset - Gicd.CPENDSGIR;
      bank.sgiSources[id] = bank.sgiSources[id]! & ~v;
    } else if (offset >= Gicd.SPENDSGIR && offset < Gicd.SPENDSGIR + 16) {
      const id = offset - Gicd.SPENDSGIR;
      bank.sgiSources[id] = bank.sgiSources[id]! | (v & this.cpuMask);
    }
  }

  private bank(cpu: number): CpuBank | undefined {
    return this.cpus[cpu];
  }

  /** The bit registers: one bit per interrupt, word `n` covering INTIDs 32n..32n+31. */
  private bitWord(cpu: number, base: number, offset: number): number {
    const first = (offset - base) * 8;
    let v = 0;
    for (let b = 0; b < 32; b++) {
      const id = first + b;
      if (id >= this.nrIrqs) break;
      let bit = false;
      if (base === Gicd.ISENABLER || base === Gicd.ICENABLER) bit = this.isEnabled(cpu, id);
      else if (base === Gicd.ISPENDR || base === Gicd.ICPENDR) bit = this.isPending(cpu, id);
      else if (base === Gicd.ISACTIVER || base === Gicd.ICACTIVER) bit = this.isActive(cpu, id);
      if (bit) v |= 1 << b;
    }
    return v >>> 0;
  }

  private distWord(cpu: number, offset: number): number {
    if (!this.bank(cpu)) return 0;
    if (offset === Gicd.CTLR) return this.ctlr;
    if (offset === Gicd.TYPER) return ((this.cpus.length - 1) << 5) | (this.nrIrqs / 32 - 1);
    if (offset === Gicd.IIDR) return GICD_IIDR_VALUE;
    if (offset === Gicd.PIDR2) return 0x20; // ArchRev 2
    for (const base of [
      Gicd.ISENABLER,
      Gicd.ICENABLER,
      Gicd.ISPENDR,
      Gicd.ICPENDR,
      Gicd.ISACTIVER,
      Gicd.ICACTIVER,
    ]) {
      if (offset >= base && offset < base + 0x80) return this.bitWord(cpu, base, offset);
    }
    if (offset >= Gicd.ICFGR && offset < Gicd.ICFGR + this.nrIrqs / 4) {
      const first = (offset - Gicd.ICFGR) * 4;
      if (first === 0) return 0xaaaaaaaa; // SGIs are edge triggered
      if (first === 16) return 0; // PPIs are level sensitive
      let v = 0;
      for (let i = 0; i < 16; i++) if (this.edge[first + i]) v |= 2 << (2 * i);
      return v >>> 0;
    }
    return 0; // IGROUPR (one group), SGIR (write-only) and reserved space read as zero
  }

  private writeDistWord(cpu: number, offset: number, v: number): void {
    const bank = this.bank(cpu);
    if (!bank) return;
    if (offset === Gicd.CTLR) {
      this.ctlr = v & 1;
      return;
    }
    if (offset === Gicd.SGIR) {
      this.sendSgi(cpu, v);
      return;
    }
    const bits = (base: number, f: (id: number) => void): boolean => {
      if (offset < base || offset >= base + 0x80) return false;
      const first = (offset - base) * 8;
      for (let b = 0; b < 32; b++) if ((v >>> b) & 1 && first + b < this.nrIrqs) f(first + b);
      return true;
    };
    if (
      bits(Gicd.ISENABLER, (id) => {
        if (id >= VGIC_NR_SGIS && id < VGIC_NR_PRIVATE_IRQS) bank.enabled[id] = 1;
        else if (id >= VGIC_NR_PRIVATE_IRQS) this.enabled[id] = 1;
      }) ||
      bits(Gicd.ICENABLER, (id) => {
        if (id >= VGIC_NR_SGIS && id < VGIC_NR_PRIVATE_IRQS) bank.enabled[id] = 0;
        else if (id >= VGIC_NR_PRIVATE_IRQS) this.enabled[id] = 0;
      }) ||
      bits(Gicd.ISPENDR, (id) => {
        // SGI pending state is set through GICD_SPENDSGIR, not here
        if (id >= VGIC_NR_SGIS && id < VGIC_NR_PRIVATE_IRQS) bank.latch[id] = 1;
        else if (id >= VGIC_NR_PRIVATE_IRQS) this.latch[id] = 1;
      }) ||
      bits(Gicd.ICPENDR, (id) => {
        if (id >= VGIC_NR_SGIS && id < VGIC_NR_PRIVATE_IRQS) bank.latch[id] = 0;
        else if (id >= VGIC_NR_PRIVATE_IRQS) this.latch[id] = 0;
      }) ||
      bits(Gicd.ISACTIVER, (id) => {
        if (id < VGIC_NR_PRIVATE_IRQS) bank.active[id] = 1;
        else this.active[id] = 1;
      }) ||
      bits(Gicd.ICACTIVER, (id) => {
        if (id < VGIC_NR_PRIVATE_IRQS) bank.active[id] = 0;
        else this.active[id] = 0;
      })
    ) {
      return;
    }
    if (offset >= Gicd.ICFGR + 8 && offset < Gicd.ICFGR + this.nrIrqs / 4) {
      const first = (offset - Gicd.ICFGR) * 4;
      for (let i = 0; i < 16; i++) this.edge[first + i] = (v >>> (2 * i + 1)) & 1;
    }
  }

  /** GICD_SGIR: target list filter 0 = list, 1 = all but self, 2 = self; 3 is reserved. */
  private sendSgi(cpu: number, v: number): void {
    const filter = (v >>> 24) & 3;
    const id = v & 15;
    let targets: number;
    if (filter === 0) targets = (v >>> 16) & 0xff;
    else if (filter === 1) targets = this.cpuMask & ~(1 << cpu);
    else if (filter === 2) targets = 1 << cpu;
    else return;
    targets &= this.cpuMask;
    for (let t = 0; t < this.cpus.length; t++) {
      if ((targets >> t) & 1) this.cpus[t]!.sgiSources[id] = this.cpus[t]!.sgiSources[id]! | (1 << cpu);
    }
  }
}

/** IPRIORITYR, ITARGETSR, CPENDSGIR and SPENDSGIR take byte accesses; the rest are word-only. */
function byteRegister(offset: number): boolean {
  return (
    (offset >= Gicd.IPRIORITYR && offset < Gicd.IPRIORITYR + 0x400) ||
    (offset >= Gicd.ITARGETSR && offset < Gicd.ITARGETSR + 0x400) ||
    (offset >= Gicd.CPENDSGIR && offset < Gicd.SPENDSGIR + 0x10)
  );
}
