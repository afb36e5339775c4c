/** A party told of every change to an address space's flat view (QEMU's MemoryListener). */
import type { MemoryRegionSection } from './flat-view.ts';

/** Callbacks for sections appearing and disappearing. Deletions of a change come before additions. */
export interface MemoryListener {
  /** A section is now mapped. */
  regionAdd?(section: MemoryRegionSection): void;
  /** A section is no longer mapped (or is about to be replaced by a moved one). */
  regionDel?(section: MemoryRegionSection): void;
}
