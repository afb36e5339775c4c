/**
 * QEMU's PCI test device (`-device pci-testdev`, 1b36:0005), which kvm-unit-tests' pci-test drives
 * to check that the guest's memory and I/O accesses reach a PCI device with the width it meant.
 * BAR 0 (memory) and BAR 1 (I/O) each start with the same header: writing a test number to byte 0
 * selects a test and zeroes its counter; the header then tells the width, offset and value to
 * write, and counts the writes that match. Tests are numbered from 0; one past the last reads a
 * width of 0, which tells the guest to stop.
 *
 *   0x00 u8  test (write)      0x04 u32 offset      0x0c u32 count
 *   0x01 u8  width (1, 2, 4)   0x08 u32 data        0x10 name, NUL-terminated
 */
import type { AccessSize } from '../../memory/memory-region.ts';
import { allOnes, PciFunction } from './pci-function.ts';
import { PCI_VENDOR_REDHAT } from './pcie-host.ts';

export const PCI_DEVICE_REDHAT_TEST = 0x0005;

/** The tests, the same on both BARs: one per access width, each at its own offset. */
export const PCI_TESTDEV_TESTS = [
  { name: 'byte', width: 1, offset: 0x40, data: 0x5a },
  { name: 'halfword', width: 2, offset: 0x44, data: 0xa55a },
  { name: 'word', width: 4, offset: 0x48, data: 0x5aa5c33c },
] as const;

const HEADER = { TEST: 0x00, WIDTH: 0x01, OFFSET: 0x04, DATA: 0x08, COUNT: 0x0c, NAME: 0x10 } as const;
const BAR_SIZE = [4096, 256] as const;

/** The device. */
export class PciTestdev extends PciFunction {
  /** Per BAR: the selected test and its count of matching writes. */
  readonly #test = [0, 0];
  readonly #count = [0, 0];

  constructor() {
    super({
      vendorId: PCI_VENDOR_REDHAT,
      deviceId: PCI_DEVICE_REDHAT_TEST,
      classCode: 0xff0000, // "device does not fit any defined class"
      subsystemVendorId: 0x1af4,
      subsystemId: 0x1100,
      bars: [
        { kind: 'memory', size: BAR_SIZE[0] },
        { kind: 'io', size: BAR_SIZE[1] },
      ],
    });
  }

  override readBar(bar: number, offset: number, size: AccessSize): number {
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = (value << 8) | this.#headerByte(bar, offset + i);
    return value >>> 0;
  }

  override writeBar(bar: number, offset: number, size: AccessSize, value: number): void {
    if (offset === HEADER.TEST) {
      this.#test[bar] = value & 0xff;
      this.#count[bar] = 0;
      return;
    }
    const test = PCI_TESTDEV_TESTS[this.#test[bar]!];
    if (
      test &&
      offset === test.offset &&
      size === test.width &&
      (value & allOnes(size)) >>> 0 === test.data
    ) {
      this.#count[bar]!++;
    }
  }

  #headerByte(bar: number, offset: number): number {
    const test = PCI_TESTDEV_TESTS[this.#test[bar]!];
    const field = (at: number, value: number) => (value >>> (8 * (offset - at))) & 0xff;
    if (offset === HEADER.WIDTH) return test?.width ?? 0;
    if (test === undefined) return 0;
    if (offset >= HEADER.OFFSET && offset < HEADER.DATA) return field(HEADER.OFFSET, test.offset);
    if (offset >= HEADER.DATA && offset < HEADER.COUNT) return field(HEADER.DATA, test.data);
    if (offset >= HEADER.COUNT && offset < HEADER.NAME) return field(HEADER.COUNT, this.#count[bar]!);
    const name = `${test.name}-${bar === 0 ? 'memory' : 'io'}`;
    if (offset >= HEADER.NAME && offset < HEADER.NAME + name.length)
      return name.charCodeAt(offset - HEADER.NAME);
    return 0;
  }
}
