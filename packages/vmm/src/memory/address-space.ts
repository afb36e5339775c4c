/**
 * An address space over a root region: keeps its flat view current, tells listeners what changed,
 * and dispatches the accesses the run loop receives as MMIO exits.
 */
import { FlatView, sameSection } from './flat-view.ts';
import type { MemoryListener } from './memory-listener.ts';
import { type AccessSize, MemoryError, type MemoryRegion } from './memory-region.ts';

/** Counts of accesses that reached no device. */
export interface UnassignedCounts {
  reads: number;
  writes: number;
}

/** Told of each access to an unassigned address (for tracing). */
export type UnassignedTrace = (kind: 'read' | 'write', address: number, size: number, value?: number) => void;

function checkSize(size: number): asserts size is AccessSize {
  if (size !== 1 && size !== 2 && size !== 4) {
    throw new MemoryError('MEMORY_BAD_ACCESS', `access size ${size} is not 1, 2 or 4`);
  }
}

/** The VMM's guest-physical address space over one root region; MMIO exits are dispatched here. */
export class AddressSpace {
  /** Name for traces. */
  readonly name: string;
  /** The tree this space shows. */
  readonly root: MemoryRegion;
  /** Accesses that hit no region (reads answered 0, writes dropped). */
  readonly unassigned: UnassignedCounts = { reads: 0, writes: 0 };
  /** Optional trace of unassigned accesses. */
  onUnassigned: UnassignedTrace | undefined;

  #view: FlatView;
  #listeners: MemoryListener[] = [];
  #batchDepth = 0;
  #stale = false;
  #unobserve: () => void;

  constructor(root: MemoryRegion, name = 'memory') {
    this.name = name;
    this.root = root;
    this.#view = FlatView.render(root);
    this.#unobserve = root.observe(() => this.#topologyChanged());
  }

  /** The current flat view. */
  get flatView(): FlatView {
    return this.#view;
  }

  /**
   * Runs `fn` with updates deferred to its end, so several changes (e.g. a move done as remove and
   * add) reach listeners as one diff (QEMU's memory_region_transaction_begin/commit).
   */
  transaction<T>(fn: () => T): T {
    this.#batchDepth++;
    try {
      return fn();
    } finally {
      this.#batchDepth--;
      if (this.#batchDepth === 0 && this.#stale) this.#update();
    }
  }

  /** Registers a listener and replays every existing section to it as an addition, as QEMU does. */
  addListener(listener: MemoryListener): void {
    this.#listeners.push(listener);
    for (const section of this.#view.sections) listener.regionAdd?.(section);
  }

  /** Unregisters a listener, telling it every section is gone. */
  removeListener(listener: MemoryListener): void {
    const at = this.#listeners.indexOf(listener);
    if (at < 0) return;
    this.#listeners.splice(at, 1);
    for (const section of this.#view.sections) listener.regionDel?.(section);
  }

  /** Stops following the root region. */
  destroy(): void {
    this.#unobserve();
  }

  /** Reads `size` (1, 2 or 4) bytes at `address`, little-endian. Unassigned addresses read 0. */
  dispatchRead(address: number, size: number): number {
    checkSize(size);
    const s = this.#view.lookup(address);
    if (s === undefined || address + size > s.offsetWithinAddressSpace + s.size)
      return this.#unassignedRead(address, size);
    const offset = address - s.offsetWithinAddressSpace + s.offsetWithinRegion;
    const region = s.region;
    if (region.kind === 'ram') {
      const ram = region.ram!;
      let value = 0;
      for (let i = size - 1; i >= 0; i--) value = value * 256 + ram[offset + i]!;
      return value;
    }
    if (region.kind === 'mmio') return region.ops!.read(offset, size) >>> 0;
    return this.#unassignedRead(address, size);
  }

  /** Writes the low `size` (1, 2 or 4) bytes of `value` at `address`. Unassigned writes are dropped. */
  dispatchWrite(address: number, size: number, value: number): void {
    checkSize(size);
    const s = this.#view.lookup(address);
    if (s === undefined || address + size > s.offsetWithinAddressSpace + s.size) {
      this.#unassignedWrite(address, size, value);
      return;
    }
    const offset = address - s.offsetWithinAddressSpace + s.offsetWithinRegion;
    const region = s.region;
    if (region.kind === 'ram') {
      const ram = region.ram!;
      let v = value >>> 0;
      for (let i = 0; i < size; i++) {
        ram[offset + i] = v & 0xff;
        v >>>= 8;
      }
    } else if (region.kind === 'mmio') {
      const mask = size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
      region.ops!.write(offset, size, (value & mask) >>> 0);
    } else {
      this.#unassignedWrite(address, size, value);
    }
  }

  /**
   * Completes an MMIO exit: `size` (1, 2, 4 or 8) little-endian bytes at the start of `data` (the
   * exit's buffer may be longer). An 8-byte access is done as two 4-byte accesses, the low word
   * first at `address`.
   */
  dispatchBytes(address: number, size: number, data: Uint8Array, isWrite: boolean): void {
    if (data.length < size) {
      throw new MemoryError('MEMORY_BAD_ACCESS', `a ${size}-byte access with ${data.length} bytes of data`);
    }
    if (size === 8) {
      this.dispatchBytes(address, 4, data, isWrite);
      this.dispatchBytes(address + 4, 4, data.subarray(4), isWrite);
      return;
    }
    checkSize(size);
    if (isWrite) {
      let value = 0;
      for (let i = size - 1; i >= 0; i--) value = value * 256 + data[i]!;
      this.dispatchWrite(address, size, value);
    } else {
      let value = this.dispatchRead(address, size);
      for (let i = 0; i < size; i++) {
        data[i] = value & 0xff;
        value = Math.floor(value / 256);
      }
    }
  }

  #unassignedRead(address: number, size: number): number {
    this.unassigned.reads++;
    this.onUnassigned?.('read', address, size);
    return 0;
  }

  #unassignedWrite(address: number, size: number, value: number): void {
    this.unassigned.writes++;
    this.onUnassigned?.('write', address, size, value);
  }

  #topologyChanged(): void {
    if (this.#batchDepth > 0) this.#stale = true;
    else this.#update();
  }

  /** Renders a new flat view and tells listeners the difference: deletions first, then additions. */
  #update(): void {
    this.#stale = false;
    const old = this.#view;
    const next = FlatView.render(this.root);
    this.#view = next;
    const removed = old.sections.filter((a) => !next.sections.some((b) => sameSection(a, b)));
    const added = next.sections.filter((b) => !old.sections.some((a) => sameSection(a, b)));
    for (const listener of this.#listeners) for (const s of removed) listener.regionDel?.(s);
    for (const listener of this.#listeners) for (const s of added) listener.regionAdd?.(s);
  }
}
