/**
 * The memory map and interrupt numbers of QEMU's `virt` board for ARMv7 with highmem off. These are
 * a contract: guests built for QEMU's board find their devices here.
 *
 *   0x00000000 ┌──────────────────────┐
 *              │ flash (unused here)  │
 *   0x08000000 ├──────────────────────┤ GIC distributor       (in-kernel VGIC)
 *   0x08010000 │                      │ GIC CPU interface     (in-kernel VGIC)
 *   0x09000000 ├──────────────────────┤ PL011 UART            SPI 1
 *   0x09010000 │                      │ PL031 RTC             SPI 2
 *   0x0a000000 ├──────────────────────┤ virtio-mmio × 32, 0x200 apart, SPI 16 + n
 *   0x10000000 ├──────────────────────┤ PCIe memory window    INTA..D on SPI 3..6
 *   0x3eff0000 │                      │ PCIe I/O window (64 KiB of ports)
 *   0x3f000000 │                      │ PCIe ECAM (buses 0..15)
 *   0x40000000 ├──────────────────────┤ RAM (up to 3 GiB below 4 GiB)
 *              └──────────────────────┘
 */

/** One block of the map. */
export interface MemMapEntry {
  readonly base: number;
  readonly size: number;
}

/** QEMU's VIRT_* entries that this board uses, with QEMU's sizes. */
export const VIRT_MEMMAP = {
  gicDist: { base: 0x08000000, size: 0x00010000 },
  gicCpu: { base: 0x08010000, size: 0x00010000 },
  uart: { base: 0x09000000, size: 0x00001000 },
  rtc: { base: 0x09010000, size: 0x00001000 },
  mmio: { base: 0x0a000000, size: 0x00000200 },
  pcieMmio: { base: 0x10000000, size: 0x2eff0000 },
  pciePio: { base: 0x3eff0000, size: 0x00010000 },
  pcieEcam: { base: 0x3f000000, size: 0x01000000 },
  mem: { base: 0x40000000, size: 0xc0000000 },
} as const satisfies Record<string, MemMapEntry>;

/** Shared peripheral interrupts (SPI numbers; add 32 for the GIC interrupt id). */
export const VIRT_IRQ = {
  uart: 1,
  rtc: 2,
  /** The first of the PCIe host's four INTx lines. */
  pcie: 3,
  mmio: 16,
} as const;

/** Number of virtio-mmio transports, as in QEMU (NUM_VIRTIO_TRANSPORTS). */
export const VIRTIO_MMIO_SLOTS = 32;

/** Where virtio-mmio slot `n` lives. */
export function virtioMmioBase(n: number): number {
  return VIRT_MEMMAP.mmio.base + VIRT_MEMMAP.mmio.size * n;
}

/** The SPI of virtio-mmio slot `n`. */
export function virtioMmioSpi(n: number): number {
  return VIRT_IRQ.mmio + n;
}

/** Private peripheral interrupts of the generic timer, as in the device tree QEMU writes. */
export const ARCH_TIMER_PPI = {
  secure: 13,
  nonSecure: 14,
  virtual: 11,
  hyp: 10,
} as const;

/** The fixed clock feeding the PL011 and PL031 (QEMU's "apb-pclk", 24 MHz). */
export const APB_PCLK_HZ = 24_000_000;

/** Largest RAM with highmem off: everything from RAM's base up to 4 GiB. */
export const VIRT_MAX_RAM = 2 ** 32 - VIRT_MEMMAP.mem.base;
