/** The CPU's view of the machine: a RAM window it reaches directly; every other address is MMIO. */

/** Thrown when a RAM window is set up wrongly. */
export class BusError extends Error {
  /** Stable code for programs. */
  readonly code = 'ARM_BAD_BUS';
}

/**
 * Physical memory as the CPU sees it. Accesses inside `[ramBase, ramBase + ram.length)` go to the
 * typed array; anything else leaves the CPU as an MMIO exit for the owner to complete, as KVM does.
 * Little-endian, like the guests we run.
 */
export class Bus {
  /** Physical address of the first RAM byte. */
  readonly ramBase: number;
  /** RAM bytes. */
  readonly ram: Uint8Array;
  /** The same bytes, for 16/32/64-bit access. */
  readonly view: DataView;
  /** RAM size in bytes. */
  readonly ramSize: number;
  /**
   * Told of every write through the methods below (loaders, device DMA) as (RAM offset, size), so a
   * CPU that translates code can drop what was overwritten. CPU stores do not come this way.
   */
  readonly writeListeners: ((off: number, size: number) => void)[] = [];

  constructor(ramBase: number, ram: Uint8Array) {
    if (ramBase % 4096 !== 0 || ramBase < 0 || ramBase + ram.length > 2 ** 32) {
      throw new BusError(
        `RAM window 0x${ramBase.toString(16)}+0x${ram.length.toString(16)} is not page aligned in 4 GiB`,
      );
    }
    this.ramBase = ramBase;
    this.ram = ram;
    this.view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
    this.ramSize = ram.length;
  }

  /**
   * Offset of `pa` in RAM when all `size` bytes are RAM, else -1 (the access is MMIO). `pa` may be
   * above 4 GiB (a long-descriptor output address): that is never RAM.
   */
  ramOffset(pa: number, size: number): number {
    const off = (pa - this.ramBase) >>> 0;
    return off <= this.ramSize - size && pa < 0x100000000 ? off : -1;
  }

  /** Reads a RAM byte; `pa` must be RAM. */
  read8(pa: number): number {
    return this.ram[(pa - this.ramBase) >>> 0]!;
  }

  /** Reads a little-endian RAM halfword; `pa` must be RAM. */
  read16(pa: number): number {
    return this.view.getUint16((pa - this.ramBase) >>> 0, true);
  }

  /** Reads a little-endian RAM word as int32; `pa` must be RAM. */
  read32(pa: number): number {
    return this.view.getInt32((pa - this.ramBase) >>> 0, true);
  }

  /** Reads a little-endian RAM doubleword; `pa` must be RAM. */
  read64(pa: number): bigint {
    return this.view.getBigUint64((pa - this.ramBase) >>> 0, true);
  }

  /** Writes a RAM byte; `pa` must be RAM. */
  write8(pa: number, value: number): void {
    this.ram[(pa - this.ramBase) >>> 0] = value;
    this.wrote(pa, 1);
  }

  /** Writes a little-endian RAM halfword; `pa` must be RAM. */
  write16(pa: number, value: number): void {
    this.view.setUint16((pa - this.ramBase) >>> 0, value, true);
    this.wrote(pa, 2);
  }

  /** Writes a little-endian RAM word; `pa` must be RAM. */
  write32(pa: number, value: number): void {
    this.view.setInt32((pa - this.ramBase) >>> 0, value, true);
    this.wrote(pa, 4);
  }

  /** Writes a little-endian RAM doubleword; `pa` must be RAM. */
  write64(pa: number, value: bigint): void {
    this.view.setBigUint64((pa - this.ramBase) >>> 0, BigInt.asUintN(64, value), true);
    this.wrote(pa, 8);
  }

  /** Copies bytes into RAM at `pa` (loaders use it); throws if any byte falls outside RAM. */
  load(pa: number, bytes: Uint8Array): void {
    const off = this.ramOffset(pa, bytes.length);
    if (off < 0) throw new BusError(`0x${pa.toString(16)}+0x${bytes.length.toString(16)} is not RAM`);
    this.ram.set(bytes, off);
    if (bytes.length > 0) this.wrote(pa, bytes.length);
  }

  private wrote(pa: number, size: number): void {
    const listeners = this.writeListeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!((pa - this.ramBase) >>> 0, size);
  }
}
