/**
 * Translated blocks by physical RAM offset and instruction set, and the map of which RAM holds
 * translated code, so that a store there (self-modifying code, a loader, DMA) drops the page's blocks.
 */
import type { Block } from './block.ts';

/** Code is tracked in 64-byte chunks: stores to data beside code on the same page stay cheap. */
export const CHUNK_SHIFT = 6;

/** Blocks of every page that holds translated code. */
export class BlockCache {
  /** Per 4 KiB page: blocks by (offset in page / 2) * 2 + thumb. */
  private readonly pages: (Block[] | undefined)[];
  /**
   * Non-zero for each RAM chunk that holds translated code, and for the chunk before it, so a store
   * of up to 8 bytes needs to look at the chunk of its first byte only.
   */
  readonly codeMap: Uint8Array;
  /** Blocks translated since creation (for tests and statistics). */
  translations = 0;
  /** Pages dropped because code on them was written. */
  invalidations = 0;

  constructor(ramSize: number) {
    this.pages = new Array(Math.ceil(ramSize / 4096));
    this.codeMap = new Uint8Array((ramSize >>> CHUNK_SHIFT) + 1);
  }

  /** The block starting at RAM offset `off` in the given instruction set, if translated. */
  get(off: number, thumb: number): Block | undefined {
    const page = this.pages[off >>> 12];
    return page === undefined ? undefined : page[(off & 0xffe) | thumb];
  }

  /** Files a new block and marks the RAM its code came from. */
  add(block: Block): void {
    const end = block.source.end;
    const p = block.off >>> 12;
    let page = this.pages[p];
    if (page === undefined) {
      page = [];
      this.pages[p] = page;
    }
    page[(block.off & 0xffe) | block.thumb] = block;
    const first = Math.max(0, (block.off >>> CHUNK_SHIFT) - 1);
    for (let c = first; c <= (end - 1) >>> CHUNK_SHIFT; c++) this.codeMap[c] = 1;
    this.translations++;
  }

  /** Called for a write of `size` bytes at RAM offset `off` that may hit code: drops the pages it hits. */
  written(off: number, size: number): void {
    this.dropPage(off >>> 12);
    if ((off + size - 1) >>> 12 !== off >>> 12) this.dropPage((off + size - 1) >>> 12);
  }

  /** Drops every block (for a bulk change the cache cannot see, like a new image loaded). */
  clear(): void {
    for (let p = 0; p < this.pages.length; p++) if (this.pages[p] !== undefined) this.dropPage(p);
  }

  private dropPage(p: number): void {
    const page = this.pages[p];
    if (page === undefined) return;
    this.pages[p] = undefined;
    for (const block of page) if (block !== undefined) block.valid = false;
    const first = (p << 12) >>> CHUNK_SHIFT;
    const end = ((p + 1) << 12) >>> CHUNK_SHIFT;
    this.codeMap.fill(0, first, end);
    // the page's last chunk also guards stores that run into the next page's first chunk
    if (this.pages[p + 1] !== undefined) this.codeMap[end - 1] = 1;
    this.invalidations++;
  }
}
