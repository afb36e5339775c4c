/** The virt board's devices and memory map. */
export { type DeviceClock, hostClock, ManualClock, type TimerHandle } from './clock.ts';
export { type IrqLine, RecordingIrqLine } from './irq-line.ts';
export { PL011_FIFO_DEPTH, PL011_FR, PL011_ID, PL011_INT, PL011_REG, Pl011 } from './pl011.ts';
export { PL031_ID, PL031_REG, Pl031 } from './pl031.ts';
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
