/**
 * Translated blocks by physical RAM offset and instruction set, and the map of which RAM holds
 * translated code, so that a store there (self-modifying code, a loader, DMA) drops the page's blocks.
 */
import type { Block } from './block.ts';

/** Code is tracked in 64-byte chunks: stores to data beside code on the same page stay cheap. */
export const CHUNK_SHIFT = 6;

/**
 * Blocks of every page that holds translated code. A physical start may have several blocks, one per
 * virtual address it was entered at (chained through `Block.alias`), because each bakes in its PC.
 */
export class BlockCache {
  /** Blocks by RAM offset * 2 + thumb (the first of each alias chain). */
  private readonly byStart = new Map<number, Block>();
  /** Per 4 KiB page of RAM: the blocks starting on it, to drop when it is written. */
  private readonly pages: (Block[] | undefined)[];
  /**
   * Non-zero for each RAM chunk that holds translated code, and for the chunk before it, so a store
   * of up to 8 bytes needs to look at the chunk of its first byte only.
   */
  readonly codeMap: Uint8Array;
  /** Blocks decoded since creation (for tests and statistics). */
  translations = 0;
  /** Blocks compiled to JavaScript since creation. */
  compilations = 0;
  /** Pages dropped because code on them was written. */
  invalidations = 0;

  constructor(ramSize: number) {
    this.pages = new Array(Math.ceil(ramSize / 4096));
    this.codeMap = new Uint8Array((ramSize >>> CHUNK_SHIFT) + 1);
  }

  /** The block starting at RAM offset `off` entered at virtual address `va`, in the given instruction set. */
  get(off: number, thumb: number, va: number): Block | undefined {
    let block = this.byStart.get(off * 2 + thumb) ?? null;
    while (block !== null && block.va !== va) block = block.alias;
    return block ?? undefined;
  }

  /** Files a new block and marks the RAM its code came from. */
  add(block: Block): void {
    const p = block.off >>> 12;
    let page = this.pages[p];
    if (page === undefined) {
      page = [];
      this.pages[p] = page;
    }
    page.push(block);
    const key = block.off * 2 + block.thumb;
    block.alias = this.byStart.get(key) ?? null; // translations of the same code under other addresses stay
    this.byStart.set(key, block);
    if (block.decoded !== null) this.markCode(block.off, block.decoded.end);
    this.translations++;
  }

  /** Marks RAM offsets [off, end) as holding code a block depends on (compiling may reach further). */
  markCode(off: number, end: number): void {
    const first = Math.max(0, (off >>> CHUNK_SHIFT) - 1);
    for (let c = first; c <= (end - 1) >>> CHUNK_SHIFT; c++) this.codeMap[c] = 1;
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
    for (const block of page) {
      block.valid = false;
      this.byStart.delete(block.off * 2 + block.thumb);
    }
    const first = (p << 12) >>> CHUNK_SHIFT;
    const end = ((p + 1) << 12) >>> CHUNK_SHIFT;
    this.codeMap.fill(0, first, end);
    // the page's last chunk also guards stores that run into the next page's first chunk
    if (this.pages[p + 1] !== undefined) this.codeMap[end - 1] = 1;
    this.invalidations++;
  }
}
