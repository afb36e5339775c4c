/**
 * The device tree of the virt board, shaped like the one QEMU 7.2 writes for
 * `-M virt,highmem=off -cpu cortex-a15` with KVM's PSCI 0.2: the same node names, compatible
 * strings, phandle numbering from 0x8000 and interrupt specifiers, minus what this board lacks
 * (flash, fw-cfg, GPIO, platform bus, GICv2m: so the PCIe host has no msi-map).
 */
import { PsciFn } from '@armvm/kvm';
import {
  APB_PCLK_HZ,
  ARCH_TIMER_PPI,
  VIRT_IRQ,
  VIRT_MEMMAP,
  VIRTIO_MMIO_SLOTS,
  virtioMmioBase,
  virtioMmioSpi,
} from '../board/virt-memmap.ts';
import { FdtError } from './fdt-error.ts';
import { cells64, FdtNode } from './fdt-node.ts';
import { writeFdt } from './fdt-writer.ts';

/** What the generated tree describes. */
export interface VirtDeviceTreeOptions {
  /** RAM size in bytes (from RAM's base). */
  ramSize: number;
  /** Number of CPUs. */
  cpus: number;
  /** Kernel command line (chosen/bootargs); omitted when undefined or empty. */
  bootargs?: string;
  /** Initrd placement in guest physical memory (chosen/linux,initrd-start and -end). */
  initrd?: { start: number; end: number };
}

/** GIC interrupt specifier types and flags. */
const GIC_SPI = 0;
const GIC_PPI = 1;
const IRQ_TYPE_EDGE_RISING = 1;
const IRQ_TYPE_LEVEL_HIGH = 4;
/** GICv2 delivers to at most 8 CPUs; MPIDR affinity level 0 counts within such a cluster. */
const GIC_CLUSTER = 8;
/** First phandle QEMU hands out. */
const FIRST_PHANDLE = 0x8000;

/** MPIDR affinity of CPU `index` on this board (Aff1 = cluster of 8, Aff0 = index within). */
export function cpuAffinity(index: number): number {
  return (Math.floor(index / GIC_CLUSTER) << 8) | (index % GIC_CLUSTER);
}

/** Path of the console UART node (chosen/stdout-path). */
export const VIRT_STDOUT_PATH = `/pl011@${VIRT_MEMMAP.uart.base.toString(16)}`;

/** Builds the tree. */
export function virtDeviceTreeNode(options: VirtDeviceTreeOptions): FdtNode {
  const { ramSize, cpus } = options;
  if (!Number.isSafeInteger(ramSize) || ramSize <= 0 || ramSize > VIRT_MEMMAP.mem.size) {
    throw new FdtError('FDT_BAD_VALUE', `RAM size ${ramSize} is not in 1..${VIRT_MEMMAP.mem.size}`);
  }
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > GIC_CLUSTER) {
    throw new FdtError('FDT_BAD_VALUE', `CPU count ${cpus} is not in 1..${GIC_CLUSTER} (GICv2)`);
  }
  // Phandles numbered as QEMU numbers them: the clock, then the CPUs from the last, then the GIC.
  const hex = (n: number) => n.toString(16);
  const reg = (base: number, size: number) => cells64(base, size);
  const clock = FIRST_PHANDLE;
  const cpuPhandle = (index: number) => FIRST_PHANDLE + cpus - index;
  const gic = FIRST_PHANDLE + cpus + 1;

  const root = new FdtNode('');
  root.set('interrupt-parent', gic);
  root.set('model', 'linux,dummy-virt');
  root.set('#size-cells', 2);
  root.set('#address-cells', 2);
  root.set('compatible', 'linux,dummy-virt');

  // PSCI 0.2's function ids, also given under the 0.1 binding's property names
  root
    .add('psci')
    .set('compatible', ['arm,psci-0.2', 'arm,psci'])
    .set('method', 'hvc')
    .set('cpu_suspend', PsciFn.CPU_SUSPEND)
    .set('cpu_off', PsciFn.CPU_OFF)
    .set('cpu_on', PsciFn.CPU_ON)
    .set('migrate', PsciFn.MIGRATE);

  root
    .add(`memory@${hex(VIRT_MEMMAP.mem.base)}`)
    .set('device_type', 'memory')
    .set('reg', reg(VIRT_MEMMAP.mem.base, ramSize));

  const cpusNode = root.add('cpus').set('#address-cells', 1).set('#size-cells', 0);
  for (let i = 0; i < cpus; i++) {
    const mpidr = cpuAffinity(i);
    const cpu = cpusNode
      .add(`cpu@${hex(mpidr)}`)
      .set('device_type', 'cpu')
      .set('compatible', 'arm,cortex-a15')
      .set('reg', mpidr);
    // As QEMU: a lone CPU has nothing to bring up, so no enable-method.
    if (cpus > 1) cpu.set('enable-method', 'psci');
    cpu.set('phandle', cpuPhandle(i));
  }

  // PPI flags carry the mask of CPUs the interrupt goes to (bits 8..15).
  const ppiFlags = ((((1 << cpus) - 1) & 0xff) << 8) | IRQ_TYPE_LEVEL_HIGH;
  root
    .add('timer')
    .set('compatible', 'arm,armv7-timer')
    .set('always-on', null)
    .set(
      'interrupts',
      [ARCH_TIMER_PPI.secure, ARCH_TIMER_PPI.nonSecure, ARCH_TIMER_PPI.virtual, ARCH_TIMER_PPI.hyp].flatMap(
        (ppi) => [GIC_PPI, ppi, ppiFlags],
      ),
    );

  root
    .add('apb-pclk')
    .set('compatible', 'fixed-clock')
    .set('#clock-cells', 0)
    .set('clock-frequency', APB_PCLK_HZ)
    .set('clock-output-names', 'clk24mhz')
    .set('phandle', clock);

  root
    .add(`intc@${hex(VIRT_MEMMAP.gicDist.base)}`)
    .set('compatible', 'arm,cortex-a15-gic')
    .set('#interrupt-cells', 3)
    .set('interrupt-controller', null)
    .set('#address-cells', 2)
    .set('#size-cells', 2)
    .set('ranges', null)
    .set('reg', [
      ...reg(VIRT_MEMMAP.gicDist.base, VIRT_MEMMAP.gicDist.size),
      ...reg(VIRT_MEMMAP.gicCpu.base, VIRT_MEMMAP.gicCpu.size),
    ])
    .set('phandle', gic);

  root
    .add(`pl011@${hex(VIRT_MEMMAP.uart.base)}`)
    .set('compatible', ['arm,pl011', 'arm,primecell'])
    .set('reg', reg(VIRT_MEMMAP.uart.base, VIRT_MEMMAP.uart.size))
    .set('interrupts', [GIC_SPI, VIRT_IRQ.uart, IRQ_TYPE_LEVEL_HIGH])
    .set('clocks', [clock, clock])
    .set('clock-names', ['uartclk', 'apb_pclk']);

  root
    .add(`pl031@${hex(VIRT_MEMMAP.rtc.base)}`)
    .set('compatible', ['arm,pl031', 'arm,primecell'])
    .set('reg', reg(VIRT_MEMMAP.rtc.base, VIRT_MEMMAP.rtc.size))
    .set('interrupts', [GIC_SPI, VIRT_IRQ.rtc, IRQ_TYPE_LEVEL_HIGH])
    .set('clocks', clock)
    .set('clock-names', 'apb_pclk');

  for (let n = 0; n < VIRTIO_MMIO_SLOTS; n++) {
    root
      .add(`virtio_mmio@${hex(virtioMmioBase(n))}`)
      .set('compatible', 'virtio,mmio')
      .set('reg', reg(virtioMmioBase(n), VIRT_MEMMAP.mmio.size))
      .set('interrupts', [GIC_SPI, virtioMmioSpi(n), IRQ_TYPE_EDGE_RISING])
      .set('dma-coherent', null);
  }

  // PCI addresses are three cells (space code, address high, low); INTx of device d, pin p (1..4)
  // goes to SPI 3 + (d + p - 1) mod 4, the usual swizzle, for devices 0..3 (the mask repeats it).
  const PCI_SPACE_IO = 0x01000000;
  const PCI_SPACE_MEM32 = 0x02000000;
  const interruptMap: number[] = [];
  for (let device = 0; device < 4; device++) {
    for (let pin = 1; pin <= 4; pin++) {
      const spi = VIRT_IRQ.pcie + ((device + pin - 1) % 4);
      interruptMap.push(device << 11, 0, 0, pin, gic, 0, 0, GIC_SPI, spi, IRQ_TYPE_LEVEL_HIGH);
    }
  }
  const ecam = VIRT_MEMMAP.pcieEcam;
  root
    .add(`pcie@${hex(VIRT_MEMMAP.pcieMmio.base)}`)
    .set('interrupt-map-mask', [0x1800, 0, 0, 7])
    .set('interrupt-map', interruptMap)
    .set('#interrupt-cells', 1)
    .set('ranges', [
      ...[PCI_SPACE_IO, 0, 0, 0, VIRT_MEMMAP.pciePio.base, 0, VIRT_MEMMAP.pciePio.size],
      ...[
        PCI_SPACE_MEM32,
        0,
        VIRT_MEMMAP.pcieMmio.base,
        0,
        VIRT_MEMMAP.pcieMmio.base,
        0,
        VIRT_MEMMAP.pcieMmio.size,
      ],
    ])
    .set('reg', reg(ecam.base, ecam.size))
    .set('dma-coherent', null)
    .set('bus-range', [0, ecam.size / 2 ** 20 - 1]) // ECAM gives each bus 1 MiB
    .set('linux,pci-domain', 0)
    .set('#size-cells', 2)
    .set('#address-cells', 3)
    .set('device_type', 'pci')
    .set('compatible', 'pci-host-ecam-generic');

  const chosen = root.add('chosen');
  // As QEMU: an empty command line writes no bootargs at all.
  if (options.bootargs !== undefined && options.bootargs !== '') chosen.set('bootargs', options.bootargs);
  chosen.set('stdout-path', VIRT_STDOUT_PATH);
  if (options.initrd !== undefined) {
    chosen.set('linux,initrd-start', options.initrd.start).set('linux,initrd-end', options.initrd.end);
  }
  return root;
}

/** The DTB of the virt board. */
export function virtDeviceTree(options: VirtDeviceTreeOptions): Uint8Array {
  return writeFdt(virtDeviceTreeNode(options));
}
