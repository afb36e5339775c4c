/**
 * The virt board's wiring, in one linear function: RAM, the GIC's two frames as reservations (the
 * in-kernel VGIC answers there; the VMM tells KVM their final addresses once machine init is
 * done), the PL011, the PL031, 32 virtio-mmio slots, each device on its SPI, and a PCIe host bridge
 * with the PCI devices asked for. Interrupt lines
 * come from the caller, who connects them to KVM_IRQ_LINE.
 */
import { AddressSpace } from '../memory/address-space.ts';
import { DmaMemory } from '../memory/dma-memory.ts';
import { MachineInit } from '../memory/machine-init.ts';
import { MemoryError, MemoryRegion } from '../memory/memory-region.ts';
import { type Clock, realClock } from '@armvm/fscache';
import type { IrqLine } from '../devices/irq-line.ts';
import type { PciFunction } from '../devices/pci/pci-function.ts';
import { PcieHost } from '../devices/pci/pcie-host.ts';
import { Pl011 } from '../devices/pl011.ts';
import { Pl031 } from '../devices/pl031.ts';
import {
  VIRT_IRQ,
  VIRT_MAX_RAM,
  VIRT_MEMMAP,
  VIRTIO_MMIO_SLOTS,
  virtioMmioBase,
  virtioMmioSpi,
} from './virt-memmap.ts';
import type { VirtioDevice } from '../devices/virtio/virtio-device.ts';
import { VirtioMmio } from '../devices/virtio/virtio-mmio.ts';

/** What to build. */
export interface VirtBoardOptions {
  /** RAM size in bytes (at most 3 GiB with highmem off). */
  ramSize: number;
  /** RAM backing, e.g. a view of a SharedArrayBuffer the vCPUs share (default: fresh memory). */
  ram?: Uint8Array;
  /** The interrupt line of shared peripheral interrupt `spi`. */
  irq: (spi: number) => IrqLine;
  /** Where the UART's transmitted bytes go (the terminal). */
  uartOutput: (byte: number) => void;
  /** Clock of the RTC (default: the host's). */
  clock?: Clock;
  /**
   * Virtio devices, placed as QEMU places `-device virtio-*-device`: the first in the highest slot
   * (0x0a003e00), the next one below it, and so on.
   */
  virtioDevices?: readonly VirtioDevice[];
  /** PCI functions for bus 0, each at the next free device number after the host bridge (00:00.0). */
  pciDevices?: readonly PciFunction[];
}

/** The built board. */
export interface VirtBoard {
  /** The root of the physical memory map. */
  readonly system: MemoryRegion;
  /** The address space over it: MMIO exits are dispatched here; KVM's listeners register here. */
  readonly space: AddressSpace;
  /** Guest RAM for devices' DMA. */
  readonly memory: DmaMemory;
  readonly ram: MemoryRegion;
  /** The VGIC distributor and CPU interface frames (reservations: the kernel handles them). */
  readonly gicDist: MemoryRegion;
  readonly gicCpu: MemoryRegion;
  readonly uart: Pl011;
  readonly rtc: Pl031;
  readonly pcie: PcieHost;
  /** The 32 transports, indexed by slot. */
  readonly virtio: readonly VirtioMmio[];
  /** Notifiers run once the board is wired (call `machineInit.machineInitDone()`). */
  readonly machineInit: MachineInit;
}

/** Builds the board. */
export function createVirtBoard(options: VirtBoardOptions): VirtBoard {
  const { ramSize } = options;
  if (!Number.isSafeInteger(ramSize) || ramSize <= 0 || ramSize > VIRT_MAX_RAM || ramSize % 4096 !== 0) {
    throw new MemoryError(
      'MEMORY_BAD_SIZE',
      `RAM size ${ramSize} must be a multiple of 4 KiB up to ${VIRT_MAX_RAM / 2 ** 30} GiB (highmem off)`,
    );
  }
  const devices = options.virtioDevices ?? [];
  if (devices.length > VIRTIO_MMIO_SLOTS) {
    throw new MemoryError(
      'MEMORY_BAD_SIZE',
      `${devices.length} virtio devices; the board has ${VIRTIO_MMIO_SLOTS} slots`,
    );
  }

  const system = MemoryRegion.container('system', 2 ** 32);
  const space = new AddressSpace(system, 'memory');
  const memory = new DmaMemory(space);
  const machineInit = new MachineInit();

  const ram = MemoryRegion.ram('virt.ram', ramSize, options.ram);
  system.addSubregion(VIRT_MEMMAP.mem.base, ram);

  const gicDist = MemoryRegion.reservation('kvm-gic_dist', VIRT_MEMMAP.gicDist.size);
  const gicCpu = MemoryRegion.reservation('kvm-gic_cpu', VIRT_MEMMAP.gicCpu.size);
  system.addSubregion(VIRT_MEMMAP.gicDist.base, gicDist);
  system.addSubregion(VIRT_MEMMAP.gicCpu.base, gicCpu);

  const uart = new Pl011(options.irq(VIRT_IRQ.uart), options.uartOutput);
  system.addSubregion(VIRT_MEMMAP.uart.base, MemoryRegion.mmio('pl011', VIRT_MEMMAP.uart.size, uart.ops));

  const rtc = new Pl031(options.irq(VIRT_IRQ.rtc), options.clock ?? realClock);
  system.addSubregion(VIRT_MEMMAP.rtc.base, MemoryRegion.mmio('pl031', VIRT_MEMMAP.rtc.size, rtc.ops));

  const virtio: VirtioMmio[] = [];
  for (let slot = 0; slot < VIRTIO_MMIO_SLOTS; slot++) {
    const device = devices[VIRTIO_MMIO_SLOTS - 1 - slot];
    const transport = new VirtioMmio(options.irq(virtioMmioSpi(slot)), memory, device);
    system.addSubregion(
      virtioMmioBase(slot),
      MemoryRegion.mmio(`virtio-mmio@${slot}`, VIRT_MEMMAP.mmio.size, transport.ops),
    );
    virtio.push(transport);
  }

  const pcie = new PcieHost(VIRT_MEMMAP.pcieMmio.base);
  for (const fn of options.pciDevices ?? []) pcie.attach(pcie.freeDevice(), fn);
  system.addSubregion(
    VIRT_MEMMAP.pcieMmio.base,
    MemoryRegion.mmio('pcie-mmio', VIRT_MEMMAP.pcieMmio.size, pcie.memoryOps),
  );
  system.addSubregion(
    VIRT_MEMMAP.pciePio.base,
    MemoryRegion.mmio('pcie-pio', VIRT_MEMMAP.pciePio.size, pcie.ioOps),
  );
  system.addSubregion(
    VIRT_MEMMAP.pcieEcam.base,
    MemoryRegion.mmio('pcie-ecam', VIRT_MEMMAP.pcieEcam.size, pcie.ecamOps),
  );

  return { system, space, memory, ram, gicDist, gicCpu, uart, rtc, pcie, virtio, machineInit };
}
