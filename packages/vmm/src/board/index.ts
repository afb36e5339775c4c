/** The virt board: its memory map, its devices wired onto it, and the whole machine on KVM. */
export {
  APB_PCLK_HZ,
  ARCH_TIMER_PPI,
  type MemMapEntry,
  VIRT_IRQ,
  VIRT_MAX_RAM,
  VIRT_MEMMAP,
  VIRTIO_MMIO_SLOTS,
  virtioMmioBase,
  virtioMmioSpi,
} from './virt-memmap.ts';
export { createVirtBoard, type VirtBoard, type VirtBoardOptions } from './virt-board.ts';
export { VirtMachine, type VirtMachineOptions } from './virt-machine.ts';
