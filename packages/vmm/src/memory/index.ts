/** The memory API: regions, address spaces, flat views, listeners, the machine-init notifier list, DMA. */
export { AddressSpace, type UnassignedCounts, type UnassignedTrace } from './address-space.ts';
export { FlatView, type MemoryRegionSection, sameSection } from './flat-view.ts';
export { MachineInit, type MachineInitDoneNotifier } from './machine-init.ts';
export type { MemoryListener } from './memory-listener.ts';
export {
  type AccessSize,
  MAX_REGION_SIZE,
  MemoryError,
  type MemoryErrorCode,
  MemoryRegion,
  type MemoryRegionKind,
  type MmioOps,
} from './memory-region.ts';
export { DmaMemory } from './dma-memory.ts';
