/**
 * Guest physical memory: the VMM's buffers in KVM_SET_USER_MEMORY_REGION slots. The largest writable
 * slot becomes the CPU's RAM window (the fast path); accesses to other slots leave the CPU as MMIO
 * and are completed here, inside the "kernel", without an exit (writes to read-only slots do exit,
 * as KVM_MEM_READONLY specifies).
 */
import {
  Errno,
  KVM_MEM_LOG_DIRTY_PAGES,
  KVM_MEM_READONLY,
  KVM_USER_MEM_SLOTS,
  type KvmUserspaceMemoryRegion,
} from './uapi.ts';

const PAGE = 4096;

/** One memory slot. */
export interface MemorySlot {
  readonly slot: number;
  readonly flags: number;
  /** Guest physical base. */
  readonly base: number;
  readonly size: number;
  /** The VMM's bytes (a view on its ArrayBuffer or SharedArrayBuffer). */
  readonly bytes: Uint8Array;
}

/** The kernel side's model of guest memory: one VM's slots, each a VMM buffer at a guest-physical base. */
export class MemorySlots {
  private readonly slots = new Map<number, MemorySlot>();
  /** The slots as an array, for the lookup every MMIO exit makes. */
  private ordered: MemorySlot[] = [];
  /** Bumped on every change, so vCPUs know to rebuild their RAM window. */
  generation = 0;

  /** KVM_SET_USER_MEMORY_REGION with the kernel's checks. */
  setRegion(region: KvmUserspaceMemoryRegion): number {
    if (typeof region !== 'object' || region === null) return -Errno.EFAULT;
    const { slot, flags } = region;
    if (flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)) return -Errno.EINVAL;
    if (!Number.isInteger(slot) || slot < 0 || slot >= KVM_USER_MEM_SLOTS) return -Errno.EINVAL;
    const size = region.memory_size;
    const gpa = region.guest_phys_addr;
    const offset = region.userspace_offset ?? 0;
    if (size % BigInt(PAGE) !== 0n || gpa % BigInt(PAGE) !== 0n || offset % PAGE !== 0) return -Errno.EINVAL;
    if (gpa + size > 1n << 40n) return -Errno.EINVAL;
    const old = this.slots.get(slot);
    if (size === 0n) {
      if (!old) return -Errno.EINVAL; // deleting a slot that does not exist
      this.slots.delete(slot);
      this.changed();
      return 0;
    }
    const mem = region.userspace_addr;
    let buffer: Uint8Array;
    if (mem instanceof Uint8Array) buffer = mem;
    else if (mem instanceof ArrayBuffer || mem instanceof SharedArrayBuffer) buffer = new Uint8Array(mem);
    else return -Errno.EFAULT;
    if (BigInt(offset) + size > BigInt(buffer.length)) return -Errno.EFAULT;
    const bytes = buffer.subarray(offset, offset + Number(size));
    if (old) {
      // an existing slot may only move or change its dirty-logging flag
      if (
        old.size !== Number(size) ||
        old.bytes.buffer !== bytes.buffer ||
        old.bytes.byteOffset !== bytes.byteOffset
      )
        return -Errno.EINVAL;
      if ((old.flags ^ flags) & KVM_MEM_READONLY) return -Errno.EINVAL;
    }
    const base = Number(gpa);
    for (const other of this.slots.values()) {
      if (other.slot === slot) continue;
      if (base < other.base + other.size && other.base < base + Number(size)) return -Errno.EEXIST;
    }
    this.slots.set(slot, { slot, flags, base, size: Number(size), bytes });
    this.changed();
    return 0;
  }

  private changed(): void {
    this.ordered = [...this.slots.values()];
    this.generation++;
  }

  /** The slot the CPU maps directly: the largest writable one below 4 GiB, or null. */
  primary(): MemorySlot | null {
    let best: MemorySlot | null = null;
    for (const s of this.slots.values()) {
      if (s.flags & KVM_MEM_READONLY || s.base + s.size > 2 ** 32) continue;
      if (!best || s.size > best.size) best = s;
    }
    return best;
  }

  /** The slot holding all of `[pa, pa + size)`, or null when it is MMIO. */
  find(pa: number, size: number): MemorySlot | null {
    const slots = this.ordered;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (pa >= s.base && pa + size <= s.base + s.size) return s;
    }
    return null;
  }

  /** All slots, for tests and loaders. */
  list(): MemorySlot[] {
    return [...this.slots.values()];
  }
}
