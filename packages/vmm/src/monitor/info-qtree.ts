/**
 * `info qtree`: the virt board's devices as a tree of buses, each device with its interrupt and
 * register windows, each virtio-mmio slot with the device plugged into it (if any), and the PCIe
 * host with the functions on its bus 0.
 */
import { PCI_CFG, type PciFunction } from '../devices/pci/pci-function.ts';
import { PCI_DEVICE_REDHAT_PCIE_HOST, PCI_VENDOR_REDHAT } from '../devices/pci/pcie-host.ts';
import { PCI_DEVICE_REDHAT_TEST } from '../devices/pci/pci-testdev.ts';
import type { VirtBoard } from '../board/virt-board.ts';
import { VIRT_IRQ, VIRT_MEMMAP, virtioMmioBase, virtioMmioSpi } from '../board/virt-memmap.ts';
import { VIRTIO_ID } from '../devices/virtio/virtio-device.ts';

/** QEMU's type names of the devices behind a virtio-mmio slot, by virtio device id. */
const VIRTIO_TYPE: Record<number, string> = {
  [VIRTIO_ID.BLOCK]: 'virtio-blk-device',
  [VIRTIO_ID.CONSOLE]: 'virtio-serial-device',
};

/** QEMU's type names of the PCI functions the board can hold, by vendor and device id. */
const PCI_TYPE: Record<string, string> = {
  [`${PCI_VENDOR_REDHAT}:${PCI_DEVICE_REDHAT_PCIE_HOST}`]: 'gpex-root',
  [`${PCI_VENDOR_REDHAT}:${PCI_DEVICE_REDHAT_TEST}`]: 'pci-testdev',
};

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

function mmio(base: number, size: number): string {
  return `mmio ${hex(base, 16)}/${hex(size, 16)}`;
}

/** Lines of one device, indented by `depth`; `children` are its buses' lines, already indented. */
function dev(
  depth: number,
  type: string,
  props: readonly string[],
  children: readonly string[] = [],
): string[] {
  const pad = '  '.repeat(depth);
  return [`${pad}dev: ${type}, id ""`, ...props.map((p) => `${pad}  ${p}`), ...children];
}

function bus(depth: number, name: string, type: string, devices: readonly string[]): string[] {
  const pad = '  '.repeat(depth);
  return [`${pad}bus: ${name}`, `${pad}  type ${type}`, ...devices];
}

function pciFunction(devfn: number, fn: PciFunction, depth: number): string[] {
  const word = (offset: number) => fn.readConfig(offset, 2);
  const vendor = word(PCI_CFG.VENDOR_ID);
  const device = word(PCI_CFG.DEVICE_ID);
  const cls = word(PCI_CFG.CLASS_PROG + 1);
  const slot = `${hex(devfn >> 3, 2)}.${devfn & 7}`;
  const props = [
    `addr = ${slot}`,
    `class ${hex(cls, 4)}, addr 00:${slot}, pci id ${hex(vendor, 4)}:${hex(device, 4)}`,
  ];
  fn.bars.forEach((bar, i) => {
    if (bar === undefined) return;
    const at = fn.barAddress(i);
    const where = at === undefined ? 'unmapped' : `at 0x${hex(at, 8)} [0x${hex(at + bar.size - 1, 8)}]`;
    props.push(`bar ${i}: ${bar.kind === 'io' ? 'i/o' : 'mem'} ${where}`);
  });
  return dev(
    depth,
    PCI_TYPE[`${vendor}:${device}`] ?? `pci-device-${hex(vendor, 4)}-${hex(device, 4)}`,
    props,
  );
}

/** The device tree of `board` with `cpus` vCPUs on the GIC. */
export function formatDeviceTree(board: VirtBoard, cpus: number): string {
  const devices: string[] = [];
  devices.push(
    ...dev(1, 'kvm-arm-gic', [
      `num-cpu = ${cpus}`,
      'revision = 2',
      mmio(VIRT_MEMMAP.gicDist.base, VIRT_MEMMAP.gicDist.size),
      mmio(VIRT_MEMMAP.gicCpu.base, VIRT_MEMMAP.gicCpu.size),
    ]),
    ...dev(1, 'pl011', [`irq SPI ${VIRT_IRQ.uart}`, mmio(VIRT_MEMMAP.uart.base, VIRT_MEMMAP.uart.size)]),
    ...dev(1, 'pl031', [`irq SPI ${VIRT_IRQ.rtc}`, mmio(VIRT_MEMMAP.rtc.base, VIRT_MEMMAP.rtc.size)]),
  );
  board.virtio.forEach((transport, slot) => {
    const props = [`irq SPI ${virtioMmioSpi(slot)}`, mmio(virtioMmioBase(slot), VIRT_MEMMAP.mmio.size)];
    const device = transport.device;
    if (device === undefined) {
      devices.push(...dev(1, 'virtio-mmio', props));
      return;
    }
    const type = VIRTIO_TYPE[device.deviceId] ?? `virtio-device-${device.deviceId}`;
    props.push(`status = 0x${hex(transport.status, 2)}`);
    const inner =
      device.deviceId === VIRTIO_ID.CONSOLE
        ? dev(3, type, [], bus(4, 'virtio-serial-bus.0', 'virtio-serial-bus', dev(5, 'virtconsole', [])))
        : dev(3, type, []);
    devices.push(
      ...dev(1, 'virtio-mmio', props, bus(2, `virtio-mmio-bus.${slot}`, 'virtio-mmio-bus', inner)),
    );
  });
  const pci = [...board.pcie.functions]
    .sort(([a], [b]) => a - b)
    .flatMap(([devfn, fn]) => pciFunction(devfn, fn, 3));
  devices.push(
    ...dev(
      1,
      'gpex-pcihost',
      [
        `irq SPI ${VIRT_IRQ.pcie}..${VIRT_IRQ.pcie + 3} (INTA..INTD)`,
        mmio(VIRT_MEMMAP.pcieEcam.base, VIRT_MEMMAP.pcieEcam.size),
        mmio(VIRT_MEMMAP.pcieMmio.base, VIRT_MEMMAP.pcieMmio.size),
        mmio(VIRT_MEMMAP.pciePio.base, VIRT_MEMMAP.pciePio.size),
      ],
      bus(2, 'pcie.0', 'PCIE', pci),
    ),
  );
  return `${bus(0, 'main-system-bus', 'System', devices).join('\n')}\n`;
}
