/**
 * A split virtqueue (virtio 1.x, section 2.6) read from and written to guest RAM: the descriptor
 * table, the driver's available ring and the device's used ring. Devices pop descriptor chains,
 * work on views of the guest's buffers, and push them back with the length written.
 */
import type { DmaMemory } from '../../memory/dma-memory.ts';
import { MemoryError } from '../../memory/memory-region.ts';
import { CodedError } from '@armvm/fscache';

/** Descriptor flags. */
export const VIRTQ_DESC_F = { NEXT: 1, WRITE: 2, INDIRECT: 4 } as const;

/** A descriptor chain taken from the available ring. */
export interface VirtqueueElement {
  /** Index of the chain's first descriptor (what goes back in the used ring). */
  readonly head: number;
  /** Device-readable buffers, in chain order (live views of guest RAM). */
  readonly readable: readonly Uint8Array[];
  /** Device-writable buffers, in chain order (live views of guest RAM). */
  readonly writable: readonly Uint8Array[];
}

/** Thrown when the driver hands over a malformed chain; the transport marks the device broken. */
export class VirtqueueError extends CodedError<'VIRTIO_BAD_QUEUE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VIRTIO_BAD_QUEUE', message, options);
  }
}

/** The guest-visible layout of one queue, as the driver programmed it. */
export interface VirtqueueLayout {
  /** Queue size (a power of two up to the device's maximum). */
  readonly num: number;
  /** Guest address of the descriptor table. */
  readonly desc: number;
  /** Guest address of the available ("driver") ring. */
  readonly driver: number;
  /** Guest address of the used ("device") ring. */
  readonly device: number;
}

/** One live queue. */
export class Virtqueue {
  readonly layout: VirtqueueLayout;
  readonly #mem: DmaMemory;
  /** Next available-ring entry the device will take. */
  #lastAvail = 0;
  /** Next used-ring entry the device will fill. */
  #usedIdx = 0;

  constructor(mem: DmaMemory, layout: VirtqueueLayout) {
    this.#mem = mem;
    this.layout = layout;
  }

  /** True when the driver has made chains available that the device has not taken. */
  hasAvailable(): boolean {
    return this.#availIdx() !== this.#lastAvail;
  }

  /** Takes the next available chain, or undefined when there is none. */
  pop(): VirtqueueElement | undefined {
    if (!this.hasAvailable()) return undefined;
    const { num, driver } = this.layout;
    const head = this.#mem.readU16(driver + 4 + 2 * (this.#lastAvail % num));
    this.#lastAvail = (this.#lastAvail + 1) & 0xffff;
    return this.#walk(head);
  }

  /** Returns a chain to the driver with `written` bytes written into its writable buffers. */
  push(element: VirtqueueElement, written: number): void {
    for (const b of element.writable) this.#mem.wrote(b);
    const { num, device } = this.layout;
    const slot = device + 4 + 8 * (this.#usedIdx % num);
    this.#mem.writeU32(slot, element.head);
    this.#mem.writeU32(slot + 4, written);
    this.#usedIdx = (this.#usedIdx + 1) & 0xffff;
    // The entry must be in place before the index that publishes it.
    this.#mem.writeU16(device + 2, this.#usedIdx);
  }

  /** True unless the driver asked not to be interrupted (VIRTQ_AVAIL_F_NO_INTERRUPT). */
  wantsInterrupt(): boolean {
    return (this.#mem.readU16(this.layout.driver) & 1) === 0;
  }

  #availIdx(): number {
    return this.#mem.readU16(this.layout.driver + 2);
  }

  #walk(head: number): VirtqueueElement {
    const { num, desc } = this.layout;
    const readable: Uint8Array[] = [];
    const writable: Uint8Array[] = [];
    let index = head;
    for (let steps = 0; ; steps++) {
      if (index >= num) throw new VirtqueueError(`descriptor index ${index} outside a queue of ${num}`);
      if (steps >= num) throw new VirtqueueError(`descriptor chain from ${head} loops`);
      const at = desc + 16 * index;
      const addr = this.#mem.readU64(at);
      const len = this.#mem.readU32(at + 8);
      const flags = this.#mem.readU16(at + 12);
      const next = this.#mem.readU16(at + 14);
      if (flags & VIRTQ_DESC_F.INDIRECT) throw new VirtqueueError('indirect descriptors were not offered');
      const buf = this.#buffer(addr, len, index);
      if (flags & VIRTQ_DESC_F.WRITE) writable.push(buf);
      else if (writable.length > 0) throw new VirtqueueError('a readable descriptor after a writable one');
      else readable.push(buf);
      if (!(flags & VIRTQ_DESC_F.NEXT)) break;
      index = next;
    }
    return { head, readable, writable };
  }

  #buffer(addr: number, len: number, index: number): Uint8Array {
    try {
      return this.#mem.slice(addr, len);
    } catch (err) {
      if (err instanceof MemoryError) throw new VirtqueueError(`descriptor ${index}: ${err.message}`);
      throw err;
    }
  }
}

/** Copies the readable buffers of a chain into one array. */
export function gather(buffers: readonly Uint8Array[]): Uint8Array {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Writes `data` across writable buffers in order; returns the bytes written. */
export function scatter(buffers: readonly Uint8Array[], data: Uint8Array): number {
  let at = 0;
  for (const b of buffers) {
    if (at >= data.length) break;
    const n = Math.min(b.length, data.length - at);
    b.set(data.subarray(at, at + n));
    at += n;
  }
  return at;
}
