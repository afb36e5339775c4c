/**
 * A generic PCI Express host bridge as QEMU's virt board has (the kernel's "pci-host-ecam-generic"):
 * configuration space through ECAM (4 KiB per function, bus/device/function in address bits
 * 27:12), and two windows through which the CPU reaches the functions' BARs, one for memory space
 * (CPU address = PCI address) and one for I/O space (CPU offset = I/O port). The bridge itself is
 * function 00:00.0, a host bridge with nothing to program. Interrupt lines are not wired: no model
 * here raises INTx.
 */
import type { AccessSize, MmioOps } from '../../memory/memory-region.ts';
import { allOnes, PciFunction } from './pci-function.ts';

/** Red Hat's PCI vendor id, under which QEMU's own devices are numbered. */
export const PCI_VENDOR_REDHAT = 0x1b36;
/** QEMU's generic PCIe host bridge. */
export const PCI_DEVICE_REDHAT_PCIE_HOST = 0x0008;
/** Base class 06 (bridge), subclass 00 (host bridge). */
const CLASS_HOST_BRIDGE = 0x060000;

/** The host bridge and the functions on its bus 0. */
export class PcieHost {
  /** Functions by device/function number (devfn = device << 3 | function) on bus 0. */
  readonly #functions = new Map<number, PciFunction>();
  /** PCI memory address of the memory window's first byte. */
  readonly #memoryBase: number;

  /** ECAM configuration space. */
  readonly ecamOps: MmioOps = {
    read: (offset, size) => {
      const fn = this.#at(offset);
      return fn ? fn.readConfig(offset & 0xfff, size) : allOnes(size);
    },
    write: (offset, size, value) => this.#at(offset)?.writeConfig(offset & 0xfff, size, value),
  };

  /** The memory window: BARs of memory space. */
  readonly memoryOps: MmioOps = {
    read: (offset, size) => this.#access('memory', this.#memoryBase + offset, size),
    write: (offset, size, value) => this.#access('memory', this.#memoryBase + offset, size, value),
  };

  /** The I/O window: BARs of I/O space, the offset being the port. */
  readonly ioOps: MmioOps = {
    read: (offset, size) => this.#access('io', offset, size),
    write: (offset, size, value) => this.#access('io', offset, size, value),
  };

  constructor(memoryBase: number) {
    this.#memoryBase = memoryBase;
    this.attach(
      0,
      new PciFunction({
        vendorId: PCI_VENDOR_REDHAT,
        deviceId: PCI_DEVICE_REDHAT_PCIE_HOST,
        classCode: CLASS_HOST_BRIDGE,
      }),
    );
  }

  /** Places `fn` at device `device`, function 0, of bus 0. */
  attach(device: number, fn: PciFunction): void {
    if (!Number.isInteger(device) || device < 0 || device > 31)
      throw new RangeError(`no PCI device ${device}`);
    if (this.#functions.has(device << 3)) throw new RangeError(`PCI device ${device} is taken`);
    this.#functions.set(device << 3, fn);
  }

  /** The first free device number on bus 0, as QEMU picks one for `-device` without `addr=`. */
  freeDevice(): number {
    for (let d = 0; d < 32; d++) if (!this.#functions.has(d << 3)) return d;
    throw new RangeError('PCI bus 0 is full');
  }

  /** The functions on bus 0 by device number. */
  get functions(): ReadonlyMap<number, PciFunction> {
    return this.#functions;
  }

  #at(ecamOffset: number): PciFunction | undefined {
    if (ecamOffset >>> 20 !== 0) return undefined; // only bus 0 is populated
    return this.#functions.get((ecamOffset >>> 12) & 0xff);
  }

  /** A BAR access; what no BAR decodes reads as all ones and ignores writes (a master abort). */
  #access(kind: 'io' | 'memory', address: number, size: AccessSize, value?: number): number {
    for (const fn of this.#functions.values()) {
      for (let i = 0; i < fn.bars.length; i++) {
        const bar = fn.bars[i];
        if (bar?.kind !== kind) continue;
        const base = fn.barAddress(i);
        if (base === undefined || address < base || address + size > base + bar.size) continue;
        if (value === undefined) return fn.readBar(i, address - base, size);
        fn.writeBar(i, address - base, size, value);
        return 0;
      }
    }
    return allOnes(size);
  }
}
