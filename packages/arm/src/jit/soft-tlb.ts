/**
 * The translated code's address cache: virtual page → RAM offset of the page, one table for reads
 * and one for writes, for the current privilege level. A hit lets generated code reach RAM without a
 * call; a miss takes the CPU's full path (MMU, permissions, MMIO, alignment) and then fills the
 * entry when the page turned out to be plain RAM. It is emptied whenever translation, privilege or
 * the alignment check changes.
 */
import type { Cpu } from '../cpu.ts';
import { Access } from '../mmu.ts';

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

  /** Forgets every entry. */
  flush(): void {
    this.readTag.fill(EMPTY);
    this.writeTag.fill(EMPTY);
  }

  /**
   * Caches the page of `va` after an access through the CPU's full path succeeded there. Pages that
   * are not entirely RAM, and every page while SCTLR.A asks for alignment checks, stay uncached.
   */
  fill(cpu: Cpu, va: number, write: boolean): void {
    if (cpu.cp15.sctlr & 2 || cpu.unprivileged) return;
    const page = va & ~0xfff;
    let pa: number;
    try {
      pa = cpu.pa(page, write ? Access.write : Access.read);
    } catch {
      return; // the access that succeeded was elsewhere on the page's path (cannot fault now, but be safe)
    }
    const off = cpu.bus.ramOffset(pa, 4096);
    if (off < 0) return;
    const i = (va >>> 12) & (SOFT_TLB_SIZE - 1);
    if (write) {
      this.writeTag[i] = va >>> 12;
      this.writeOff[i] = off;
    } else {
      this.readTag[i] = va >>> 12;
      this.readOff[i] = off;
    }
  }
}
