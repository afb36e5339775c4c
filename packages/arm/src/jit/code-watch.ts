/**
 * Which RAM holds translated code, shared by every CPU that translates from the same RAM (the vCPUs
 * of one VM), so that a store by any of them, a device's DMA or a loader drops every CPU's
 * translations of the page it wrote. Stores look at the shared map; a hit drops the page everywhere.
 */
import type { Bus } from '../bus.ts';

/** Code is tracked in 64-byte chunks: stores to data beside code on the same page stay cheap. */
export const CHUNK_SHIFT = 6;

/** What keeps translations of RAM pages (a CPU's block cache). */
export interface CodeHolder {
  /** Drops every translation of code on RAM page `page` (offset >> 12). */
  dropPage(page: number): void;
  /** True while the holder has translations of code on RAM page `page`. */
  holds(page: number): boolean;
}

/** Watches by the ArrayBuffer under their RAM, for writes that arrive as bytes (device DMA). */
const byBuffer = new WeakMap<ArrayBufferLike, CodeWatch[]>();

/** The code map of one RAM window and the holders translating from it. */
export class CodeWatch {
  /**
   * Non-zero for each RAM chunk that holds translated code, and for the chunk before it, so a store
   * of up to 8 bytes needs to look at the chunk of its first byte only.
   */
  readonly codeMap: Uint8Array;
  private readonly holders: CodeHolder[] = [];
  /** The RAM watched. */
  readonly ram: Uint8Array;

  private constructor(ram: Uint8Array) {
    this.ram = ram;
    this.codeMap = new Uint8Array((ram.length >>> CHUNK_SHIFT) + 1);
  }

  /** The watch of `bus`'s RAM, shared with every other bus over the same bytes. */
  static of(bus: Bus): CodeWatch {
    const ram = bus.ram;
    let list = byBuffer.get(ram.buffer);
    if (list === undefined) {
      list = [];
      byBuffer.set(ram.buffer, list);
    }
    let watch = list.find((w) => w.ram.byteOffset === ram.byteOffset && w.ram.length === ram.length);
    if (watch === undefined) {
      watch = new CodeWatch(ram);
      list.push(watch);
    }
    return watch;
  }

  /** Adds a holder whose translations a write must drop. */
  register(holder: CodeHolder): void {
    this.holders.push(holder);
  }

  /** Marks RAM offsets [off, end) as holding translated code. */
  mark(off: number, end: number): void {
    const first = Math.max(0, (off >>> CHUNK_SHIFT) - 1);
    for (let c = first; c <= (end - 1) >>> CHUNK_SHIFT; c++) this.codeMap[c] = 1;
  }

  /** `size` bytes at RAM offset `off` were written: drops every translation of the pages they hit. */
  written(off: number, size: number): void {
    const map = this.codeMap;
    if (size <= 8) {
      if (map[off >>> CHUNK_SHIFT]! | map[(off + size - 1) >>> CHUNK_SHIFT]!) {
        this.dropPage(off >>> 12);
        if ((off + size - 1) >>> 12 !== off >>> 12) this.dropPage((off + size - 1) >>> 12);
      }
      return;
    }
    const last = Math.min(off + size - 1, this.ram.length - 1);
    for (let c = off >>> CHUNK_SHIFT; c <= last >>> CHUNK_SHIFT; c++)
      if (map[c]) this.dropPage(c >>> (12 - CHUNK_SHIFT));
  }

  private dropPage(page: number): void {
    for (const h of this.holders) h.dropPage(page);
    const first = (page << 12) >>> CHUNK_SHIFT;
    const end = ((page + 1) << 12) >>> CHUNK_SHIFT;
    this.codeMap.fill(0, first, end);
    // the page's last chunk also guards stores that run into the next page's first chunk
    if (this.holders.some((h) => h.holds(page + 1))) this.codeMap[end - 1] = 1;
  }
}

/**
 * Tells every CPU translating code from `bytes` that `length` bytes at `offset` in it were written
 * behind the CPUs' backs (a device's DMA into guest RAM), so none runs stale translations.
 */
export function ramWritten(bytes: Uint8Array, offset: number, length: number): void {
  const list = byBuffer.get(bytes.buffer);
  if (list === undefined || length <= 0) return;
  const start = bytes.byteOffset + offset;
  for (const watch of list) {
    const from = Math.max(start, watch.ram.byteOffset);
    const to = Math.min(start + length, watch.ram.byteOffset + watch.ram.length);
    if (from < to) watch.written(from - watch.ram.byteOffset, to - from);
  }
}
