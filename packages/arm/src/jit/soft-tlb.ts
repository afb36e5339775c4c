/**
 * The translated code's address cache: virtual page → RAM offset of the page, one table for reads
 * and one for writes, for the current privilege level. A hit lets generated code reach RAM without a
 * call; a miss takes the CPU's full path (MMU, permissions, MMIO, alignment) and then fills the
 * entry when the page turned out to be plain RAM. It is emptied whenever translation or the
 * alignment check changes. The other privilege level's entries are kept aside and swapped back in
 * when the CPU returns to it, so a system call or interrupt does not empty the cache.
 */
import type { CpuContext } from '../cpu-context.ts';
import { LargeMappings } from '../system/large-mappings.ts';
import { Access } from '../system/mmu.ts';

/** Entries per table (direct mapped by the low bits of the virtual page number). */
export const SOFT_TLB_SIZE = 256;

/** A tag no virtual page number equals. */
const EMPTY = -1;

/** The address cache of one CPU's translated code. */
export class SoftTlb {
  /** Virtual page number cached for reads in each slot. */
  readonly readTag = new Int32Array(SOFT_TLB_SIZE).fill(EMPTY);
  /** RAM offset of that page. */
  readonly readOff = new Int32Array(SOFT_TLB_SIZE);
  /** Virtual page number cached for writes in each slot. */
  readonly writeTag = new Int32Array(SOFT_TLB_SIZE).fill(EMPTY);
  /** RAM offset of that page. */
  readonly writeOff = new Int32Array(SOFT_TLB_SIZE);
  /** The four tables of the other privilege level, end to end. */
  private readonly aside = new Int32Array(4 * SOFT_TLB_SIZE).fill(EMPTY);
  private readonly swap = new Int32Array(SOFT_TLB_SIZE);
  /** The MMU domain of each entry (read tables, then write tables), per privilege level. */
  private readonly domains = [new Uint8Array(2 * SOFT_TLB_SIZE), new Uint8Array(2 * SOFT_TLB_SIZE)];
  /** True while the tables above hold PL0's entries. */
  private user = false;
  /** Where cached entries came from mappings larger than a page. */
  readonly large = new LargeMappings();

  private noteSpan(va: number, span: number): void {
    this.large.note(va, span);
  }

  /** Forgets every entry, of both privilege levels. */
  flush(): void {
    this.readTag.fill(EMPTY);
    this.writeTag.fill(EMPTY);
    this.aside.fill(EMPTY);
    this.large.clear();
  }

  /** Forgets the entries of the page of `va`, at both privilege levels. */
  dropPage(va: number): void {
    const i = (va >>> 12) & (SOFT_TLB_SIZE - 1);
    this.readTag[i] = EMPTY;
    this.writeTag[i] = EMPTY;
    this.aside[i] = EMPTY; // the other level's read tags
    this.aside[2 * SOFT_TLB_SIZE + i] = EMPTY; // and its write tags
  }

  /** Drops the entries of privilege level `level` (1 for PL0) in the `changed` domains (bit n for domain n). */
  dropDomains(level: number, changed: number): void {
    const dom = this.domains[level]!;
    const active = (level === 1) === this.user;
    const readTag = active ? this.readTag : this.aside.subarray(0, SOFT_TLB_SIZE);
    const writeTag = active ? this.writeTag : this.aside.subarray(2 * SOFT_TLB_SIZE, 3 * SOFT_TLB_SIZE);
    for (let i = 0; i < SOFT_TLB_SIZE; i++) {
      if ((changed >>> dom[i]!) & 1) readTag[i] = EMPTY;
      if ((changed >>> dom[SOFT_TLB_SIZE + i]!) & 1) writeTag[i] = EMPTY;
    }
  }

  /** The CPU now runs at PL0 (`user`) or PL1: puts that level's entries in the tables. */
  setPrivilege(user: boolean): void {
    if (user === this.user) return;
    this.user = user;
    const tables = [this.readTag, this.readOff, this.writeTag, this.writeOff];
    for (let t = 0; t < 4; t++) {
      const table = tables[t]!;
      const kept = this.aside.subarray(t * SOFT_TLB_SIZE, (t + 1) * SOFT_TLB_SIZE);
      this.swap.set(table);
      table.set(kept);
      kept.set(this.swap);
    }
  }

  /**
   * Caches the page of `va` after an access through the CPU's full path succeeded there. Pages that
   * are not entirely RAM, and every page while SCTLR.A asks for alignment checks, stay uncached.
   */
  fill(cpu: CpuContext, va: number, write: boolean): void {
    if (cpu.cp15.sctlr & 2 || cpu.unprivileged) return;
    const page = va & ~0xfff;
    let pa: number;
    try {
      pa = cpu.pa(page, write ? Access.write : Access.read);
    } catch {
      return; // the access that succeeded was elsewhere on the page's path (cannot fault now, but be safe)
    }
    if (cpu.mmuOn) this.noteSpan(va, cpu.mmu.lastSpan);
    const off = cpu.bus.ramOffset(pa, 4096);
    if (off < 0) return;
    const i = (va >>> 12) & (SOFT_TLB_SIZE - 1);
    this.domains[this.user ? 1 : 0]![(write ? SOFT_TLB_SIZE : 0) + i] = cpu.mmuOn ? cpu.mmu.lastDomain : 0;
    if (write) {
      this.writeTag[i] = va >>> 12;
      this.writeOff[i] = off;
    } else {
      this.readTag[i] = va >>> 12;
      this.readOff[i] = off;
    }
  }
}
