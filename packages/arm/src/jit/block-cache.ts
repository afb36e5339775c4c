/**
 * Translated blocks by physical RAM offset and instruction set. Which RAM holds translated code is
 * kept in a `CodeWatch` shared by every CPU over the same RAM, so a store there (self-modifying code,
 * another vCPU, a loader, DMA) drops the page's blocks in each of them.
 */
import type { Block } from './block.ts';
import type { CodeHolder, CodeWatch } from './code-watch.ts';

/**
 * Blocks of every page that holds translated code. A physical start may have several blocks, one per
 * virtual address it was entered at (chained through `Block.alias`), because each bakes in its PC.
 */
export class BlockCache implements CodeHolder {
  /** Blocks by RAM offset * 2 + thumb (the first of each alias chain). */
  private readonly byStart = new Map<number, Block>();
  /** Per 4 KiB page of RAM: the blocks starting on it, to drop when it is written. */
  private readonly pages: (Block[] | undefined)[];
  /** Which RAM holds code, shared with the other CPUs over the same RAM. */
  readonly watch: CodeWatch;
  /** Blocks decoded since creation (for tests and statistics). */
  translations = 0;
  /** Blocks compiled to JavaScript since creation. */
  compilations = 0;
  /** Pages dropped because code on them was written. */
  invalidations = 0;

  constructor(ramSize: number, watch: CodeWatch) {
    this.pages = new Array(Math.ceil(ramSize / 4096));
    this.watch = watch;
    watch.register(this);
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
    if (block.decoded !== null) this.watch.mark(block.off, block.decoded.end);
    this.translations++;
  }

  /** True while blocks start on RAM page `p`. */
  holds(p: number): boolean {
    return this.pages[p] !== undefined;
  }

  /** Drops every block (for a bulk change the cache cannot see, like a new image loaded). */
  clear(): void {
    for (let p = 0; p < this.pages.length; p++) if (this.pages[p] !== undefined) this.dropPage(p);
  }

  /** Drops the blocks of RAM page `p` (the shared code map is the watch's to update). */
  dropPage(p: number): void {
    const page = this.pages[p];
    if (page === undefined) return;
    this.pages[p] = undefined;
    for (const block of page) {
      block.valid = false;
      this.byStart.delete(block.off * 2 + block.thumb);
    }
    this.invalidations++;
  }
}
