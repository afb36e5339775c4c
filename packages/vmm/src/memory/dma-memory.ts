/**
 * Devices' view of guest RAM (for DMA, e.g. virtqueues): bytes at a guest physical address, reached
 * through the RAM sections of an address space. An access that leaves RAM is an error the device
 * reports to the guest, never a host crash.
 */
import { ramWritten } from '@armvm/arm';
import type { AddressSpace } from './address-space.ts';
import { MemoryError } from './memory-region.ts';

/** Guest RAM as devices reach it for DMA: guest-physical reads and writes, RAM sections only. */
export class DmaMemory {
  readonly #space: AddressSpace;

  constructor(space: AddressSpace) {
    this.#space = space;
  }

  /**
   * A live view of `length` bytes at `address`, when they lie in one RAM section; else a
   * MEMORY_BAD_ACCESS error. Writes through the view land in guest RAM.
   */
  slice(address: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(address) || address < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new MemoryError('MEMORY_BAD_ACCESS', `bad guest range ${length} bytes at ${address}`);
    }
    const s = this.#space.flatView.lookup(address);
    if (
      s === undefined ||
      s.region.kind !== 'ram' ||
      address + length > s.offsetWithinAddressSpace + s.size
    ) {
      throw new MemoryError(
        'MEMORY_BAD_ACCESS',
        `guest range 0x${address.toString(16)}+0x${length.toString(16)} is not RAM`,
      );
    }
    const start = address - s.offsetWithinAddressSpace + s.offsetWithinRegion;
    return s.region.ram!.subarray(start, start + length);
  }

  /** Copies `length` bytes at `address` out of guest RAM. */
  read(address: number, length: number): Uint8Array {
    return this.slice(address, length).slice();
  }

  /** Copies `data` into guest RAM at `address`. */
  write(address: number, data: Uint8Array): void {
    const view = this.slice(address, data.length);
    view.set(data);
    this.wrote(view);
  }

  /**
   * Says that a device wrote into `view` (a slice of guest RAM), so that a CPU that translated code
   * from those bytes drops it, as a guest expects after DMA of a program into memory.
   */
  wrote(view: Uint8Array): void {
    ramWritten(view, 0, view.length);
  }

  /** Little-endian 16-bit load. */
  readU16(address: number): number {
    const b = this.slice(address, 2);
    return b[0]! | (b[1]! << 8);
  }

  /** Little-endian 32-bit load. */
  readU32(address: number): number {
    const b = this.slice(address, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  /** Little-endian 64-bit load, as a number (guest addresses fit well inside 2^53). */
  readU64(address: number): number {
    return this.readU32(address) + this.readU32(address + 4) * 2 ** 32;
  }

  /** Little-endian 16-bit store. */
  writeU16(address: number, value: number): void {
    const b = this.slice(address, 2);
    b[0] = value & 0xff;
    b[1] = (value >>> 8) & 0xff;
  }

  /** Little-endian 32-bit store. */
  writeU32(address: number, value: number): void {
    const b = this.slice(address, 4);
    b[0] = value & 0xff;
    b[1] = (value >>> 8) & 0xff;
    b[2] = (value >>> 16) & 0xff;
    b[3] = (value >>> 24) & 0xff;
  }
}
