/**
 * A node of the guest's physical memory map, modelled on QEMU's MemoryRegion: RAM, MMIO, a
 * reservation (a placeholder that claims addresses but has no handler here) or a container.
 * Any region may hold subregions at an offset with a priority; the resolved, non-overlapping
 * picture is an address space's flat view.
 */
import { CodedError } from '@armvm/fscache';

/** Access sizes an MMIO handler sees. 8-byte guest accesses are split in two 4-byte halves. */
export type AccessSize = 1 | 2 | 4;

/** A device's register handlers. Offsets are relative to the region's start. */
export interface MmioOps {
  /** Reads `size` bytes at `offset`; the result is the unsigned little-endian value. */
  read(offset: number, size: AccessSize): number;
  /** Writes the low `size` bytes of `value` at `offset`. */
  write(offset: number, size: AccessSize, value: number): void;
}

/** What a region is. */
export type MemoryRegionKind = 'ram' | 'mmio' | 'reservation' | 'container';

/** The stable codes of memory API errors. */
export type MemoryErrorCode =
  | 'MEMORY_BAD_SIZE'
  | 'MEMORY_BAD_OFFSET'
  | 'MEMORY_ALREADY_MAPPED'
  | 'MEMORY_NOT_A_SUBREGION'
  | 'MEMORY_BAD_ACCESS';

/** Thrown when a region tree is built wrongly or an access is malformed. */
export class MemoryError extends CodedError<MemoryErrorCode> {}

/** Largest region size: the 32-bit physical address space. */
export const MAX_REGION_SIZE = 2 ** 32;

/** Called on the root of a tree when anything below it changes. */
export type TopologyObserver = () => void;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/**
 * One node of the VMM's memory map tree: RAM, MMIO, reservation or container. Create through the
 * static constructors.
 */
export class MemoryRegion {
  /** Name for traces and errors. */
  readonly name: string;
  /** RAM, MMIO, reservation or container. */
  readonly kind: MemoryRegionKind;
  /** Size in bytes. */
  readonly size: number;
  /** RAM bytes (kind 'ram' only). */
  readonly ram: Uint8Array | undefined;
  /** Register handlers (kind 'mmio' only). */
  readonly ops: MmioOps | undefined;

  #parent: MemoryRegion | undefined;
  #address = 0;
  #priority = 0;
  #enabled = true;
  /** Highest priority first; among equals, the latest added first (QEMU's order). */
  #subregions: MemoryRegion[] = [];
  #observers: TopologyObserver[] = [];

  private constructor(
    name: string,
    kind: MemoryRegionKind,
    size: number,
    ram: Uint8Array | undefined,
    ops: MmioOps | undefined,
  ) {
    if (!Number.isInteger(size) || size <= 0 || size > MAX_REGION_SIZE) {
      throw new MemoryError('MEMORY_BAD_SIZE', `region ${name}: size ${size} is not in 1..2^32`);
    }
    this.name = name;
    this.kind = kind;
    this.size = size;
    this.ram = ram;
    this.ops = ops;
  }

  /** RAM of `size` bytes, backed by `backing` when given (e.g. a SharedArrayBuffer shared with vCPUs). */
  static ram(name: string, size: number, backing?: ArrayBufferLike | Uint8Array): MemoryRegion {
    let bytes: Uint8Array;
    if (backing === undefined) bytes = new Uint8Array(size);
    else if (backing instanceof Uint8Array) bytes = backing;
    else bytes = new Uint8Array(backing);
    if (bytes.length !== size) {
      throw new MemoryError('MEMORY_BAD_SIZE', `RAM ${name}: backing has ${bytes.length} bytes, not ${size}`);
    }
    return new MemoryRegion(name, 'ram', size, bytes, undefined);
  }

  /** Device registers handled by `ops`. */
  static mmio(name: string, size: number, ops: MmioOps): MemoryRegion {
    return new MemoryRegion(name, 'mmio', size, undefined, ops);
  }

  /** A placeholder claiming addresses whose accesses are handled elsewhere (an in-kernel device). */
  static reservation(name: string, size: number): MemoryRegion {
    return new MemoryRegion(name, 'reservation', size, undefined, undefined);
  }

  /** A region that only groups subregions; its holes are unassigned. */
  static container(name: string, size: number): MemoryRegion {
    return new MemoryRegion(name, 'container', size, undefined, undefined);
  }

  /** The container this region is mapped in, if any. */
  get parent(): MemoryRegion | undefined {
    return this.#parent;
  }

  /** Offset within the parent. */
  get address(): number {
    return this.#address;
  }

  /** Priority among siblings: higher hides lower where they overlap. */
  get priority(): number {
    return this.#priority;
  }

  /** A disabled region and its subregions are absent from the flat view. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Subregions, highest priority first. */
  get subregions(): readonly MemoryRegion[] {
    return this.#subregions;
  }

  /** Maps `region` at `offset` within this one. */
  addSubregion(offset: number, region: MemoryRegion, priority = 0): void {
    if (region.#parent !== undefined) {
      throw new MemoryError(
        'MEMORY_ALREADY_MAPPED',
        `region ${region.name} is already mapped in ${region.#parent.name}`,
      );
    }
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) {
      throw new MemoryError(
        'MEMORY_BAD_OFFSET',
        `region ${region.name}: offset ${hex(offset)} outside ${this.name}`,
      );
    }
    if (!Number.isInteger(priority)) {
      throw new MemoryError(
        'MEMORY_BAD_OFFSET',
        `region ${region.name}: priority ${priority} is not an integer`,
      );
    }
    region.#parent = this;
    region.#address = offset;
    region.#priority = priority;
    this.#insert(region);
    this.#changed();
  }

  /** Unmaps `region` from this one. */
  removeSubregion(region: MemoryRegion): void {
    const at = this.#subregions.indexOf(region);
    if (at < 0) {
      throw new MemoryError('MEMORY_NOT_A_SUBREGION', `region ${region.name} is not mapped in ${this.name}`);
    }
    this.#subregions.splice(at, 1);
    region.#parent = undefined;
    this.#changed();
  }

  /** Moves this region to `address` within its parent (QEMU's memory_region_set_address). */
  setAddress(address: number): void {
    if (!Number.isInteger(address) || address < 0) {
      throw new MemoryError('MEMORY_BAD_OFFSET', `region ${this.name}: bad address ${address}`);
    }
    if (address === this.#address) return;
    const parent = this.#parent;
    if (parent !== undefined && address >= parent.size) {
      throw new MemoryError(
        'MEMORY_BAD_OFFSET',
        `region ${this.name}: address ${hex(address)} outside ${parent.name}`,
      );
    }
    this.#address = address;
    this.#changed();
  }

  /** Shows or hides this region and its subregions. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.#enabled) return;
    this.#enabled = enabled;
    this.#changed();
  }

  /** The top of the tree this region belongs to. */
  root(): MemoryRegion {
    return this.#parent === undefined ? this : this.#parent.root();
  }

  /** Asks to be told when this tree changes (used by address spaces on their root). Returns an undo. */
  observe(observer: TopologyObserver): () => void {
    this.#observers.push(observer);
    return () => {
      const at = this.#observers.indexOf(observer);
      if (at >= 0) this.#observers.splice(at, 1);
    };
  }

  #insert(region: MemoryRegion): void {
    // QEMU inserts before the first sibling of lower or equal priority, so a later equal wins.
    const at = this.#subregions.findIndex((other) => region.#priority >= other.#priority);
    if (at < 0) this.#subregions.push(region);
    else this.#subregions.splice(at, 0, region);
  }

  #changed(): void {
    for (const observer of [...this.root().#observers]) observer();
  }
}
