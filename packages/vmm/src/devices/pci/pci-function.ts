/**
 * One PCI function's type 0 configuration header (PCI Local Bus 3.0, chapter 6): identity, the
 * command register and up to six 32-bit BARs. Every byte has a write mask, so BAR sizing works as
 * on hardware: software writes all ones and reads back which address bits the BAR decodes.
 */
import type { AccessSize } from '../../memory/memory-region.ts';

/** Config space offsets this model uses. */
export const PCI_CFG = {
  VENDOR_ID: 0x00,
  DEVICE_ID: 0x02,
  COMMAND: 0x04,
  STATUS: 0x06,
  REVISION: 0x08,
  CLASS_PROG: 0x09,
  CACHE_LINE: 0x0c,
  HEADER_TYPE: 0x0e,
  BAR0: 0x10,
  SUBSYSTEM_VENDOR_ID: 0x2c,
  SUBSYSTEM_ID: 0x2e,
  INTERRUPT_LINE: 0x3c,
  INTERRUPT_PIN: 0x3d,
} as const;

/** COMMAND bits. */
export const PCI_COMMAND = {
  IO: 1 << 0,
  MEMORY: 1 << 1,
  MASTER: 1 << 2,
  PARITY: 1 << 6,
  SERR: 1 << 8,
  INTX_DISABLE: 1 << 10,
} as const;

/** A base address register: I/O or 32-bit memory space, a power-of-two size. */
export interface PciBar {
  readonly kind: 'io' | 'memory';
  readonly size: number;
}

/** What makes a function: its identity and its BARs (index = BAR number). */
export interface PciFunctionOptions {
  vendorId: number;
  deviceId: number;
  /** Base class, subclass and programming interface, as 0xBBSSPP. */
  classCode: number;
  revision?: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** INTA..INTD as 1..4; 0 for none. */
  interruptPin?: number;
  bars?: readonly (PciBar | undefined)[];
}

/** An access of `size` bytes with every bit set: what nothing answering reads as, and a value mask. */
export function allOnes(size: AccessSize): number {
  return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
}

/** The bytes of configuration space a function implements; the rest of the 4 KiB read as zero. */
export const PCI_CONFIG_SIZE = 256;

/** A PCI function: its configuration header, and where software has put its BARs. */
export class PciFunction {
  readonly config = new Uint8Array(PCI_CONFIG_SIZE);
  readonly #writable = new Uint8Array(PCI_CONFIG_SIZE);
  readonly #view = new DataView(this.config.buffer);
  readonly bars: readonly (PciBar | undefined)[];

  constructor(options: PciFunctionOptions) {
    const bars = options.bars ?? [];
    if (bars.length > 6) throw new RangeError('a type 0 header has six BARs');
    for (const bar of bars) {
      if (bar && (bar.size < (bar.kind === 'io' ? 4 : 16) || (bar.size & (bar.size - 1)) !== 0)) {
        throw new RangeError(
          `a ${bar.kind} BAR's size must be a power of two of at least 4 (io) or 16 bytes`,
        );
      }
    }
    this.bars = bars;
    const v = this.#view;
    v.setUint16(PCI_CFG.VENDOR_ID, options.vendorId, true);
    v.setUint16(PCI_CFG.DEVICE_ID, options.deviceId, true);
    v.setUint8(PCI_CFG.REVISION, options.revision ?? 0);
    v.setUint8(PCI_CFG.CLASS_PROG, options.classCode & 0xff);
    v.setUint16(PCI_CFG.CLASS_PROG + 1, options.classCode >>> 8, true);
    v.setUint16(PCI_CFG.SUBSYSTEM_VENDOR_ID, options.subsystemVendorId ?? 0, true);
    v.setUint16(PCI_CFG.SUBSYSTEM_ID, options.subsystemId ?? 0, true);
    v.setUint8(PCI_CFG.INTERRUPT_PIN, options.interruptPin ?? 0);
    const allCommands = Object.values(PCI_COMMAND).reduce((a, b) => a | b, 0);
    this.#setWritable(PCI_CFG.COMMAND, 2, allCommands);
    this.#setWritable(PCI_CFG.CACHE_LINE, 1, 0xff);
    this.#setWritable(PCI_CFG.INTERRUPT_LINE, 1, 0xff);
    bars.forEach((bar, i) => {
      if (bar === undefined) return;
      const reg = PCI_CFG.BAR0 + 4 * i;
      // the low bits say the kind and are read-only, as are the address bits inside the size
      if (bar.kind === 'io') v.setUint32(reg, 1, true);
      this.#setWritable(reg, 4, ~(bar.size - 1) >>> 0);
    });
  }

  #setWritable(offset: number, size: number, mask: number): void {
    for (let i = 0; i < size; i++) this.#writable[offset + i] = (mask >>> (8 * i)) & 0xff;
  }

  /** Reads `size` bytes of configuration space at `offset` (naturally aligned). */
  readConfig(offset: number, size: AccessSize): number {
    if (offset + size > PCI_CONFIG_SIZE) return 0;
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = (value << 8) | this.config[offset + i]!;
    return value >>> 0;
  }

  /** Writes `size` bytes of configuration space at `offset`; read-only bits keep their value. */
  writeConfig(offset: number, size: AccessSize, value: number): void {
    if (offset + size > PCI_CONFIG_SIZE) return;
    for (let i = 0; i < size; i++) {
      const mask = this.#writable[offset + i]!;
      const byte = (value >>> (8 * i)) & 0xff;
      this.config[offset + i] = (this.config[offset + i]! & ~mask) | (byte & mask);
    }
  }

  /** The address software gave BAR `index` (an I/O port or a PCI memory address), if it is decoding. */
  barAddress(index: number): number | undefined {
    const bar = this.bars[index];
    if (bar === undefined) return undefined;
    const command = this.#view.getUint16(PCI_CFG.COMMAND, true);
    if ((command & (bar.kind === 'io' ? PCI_COMMAND.IO : PCI_COMMAND.MEMORY)) === 0) return undefined;
    return (this.#view.getUint32(PCI_CFG.BAR0 + 4 * index, true) & ~(bar.size - 1)) >>> 0;
  }

  /** A read of BAR `bar` at `offset` within it; devices with BARs override this. */
  readBar(_bar: number, _offset: number, size: AccessSize): number {
    return allOnes(size);
  }

  /** A write to BAR `bar` at `offset` within it; devices with BARs override this. */
  writeBar(_bar: number, _offset: number, _size: AccessSize, _value: number): void {}
}
