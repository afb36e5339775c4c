/**
 * The dispatcher's jump caches, one for PL1 and one for PL0: the block last found at a virtual
 * address (keyed by address | Thumb bit), so a dynamic branch (a return, an indirect call, an
 * exception vector) skips the address translation and the block lookup. Entries hold only while
 * translation stays as it was: everything is dropped when it changes, and a TLB operation on one
 * page drops everything only if that page held code the caches know (most such operations are on
 * data pages: copy-on-write, unmapping).
 */
import type { Block } from './block.ts';
import { LargeMappings } from '../system/large-mappings.ts';

/** Entries per privilege level (a power of two). */
const SIZE = 32768;
/** The epoch number at which the code-page marks are cleared and numbering starts again. */
const EPOCH_WRAP = 0xffff;

/** Block lookups by virtual address for the current translation regime. */
export class JumpCache {
  private readonly keys = [new Int32Array(SIZE).fill(-1), new Int32Array(SIZE).fill(-1)];
  private readonly blocks: (Block | null)[][] = [
    new Array<Block | null>(SIZE).fill(null),
    new Array<Block | null>(SIZE).fill(null),
  ];
  /** Per virtual page: the epoch in which a block on it was cached. */
  private readonly codePages = new Uint16Array(1 << 20);
  private epoch = 1;
  /** Where cached blocks came through mappings larger than a page. */
  private readonly large = new LargeMappings();
  /** Per privilege level, the MMU domains its entries came through (bit n for domain n). */
  private readonly domains = [0, 0];

  /** The valid block cached for `va` in instruction set `thumb` at PL0 (`level` 1) or PL1 (0). */
  get(level: number, va: number, thumb: number): Block | null {
    const slot = (va >>> 1) & (SIZE - 1);
    if (this.keys[level]![slot] !== (va | thumb)) return null;
    const block = this.blocks[level]![slot]!;
    return block.valid ? block : null;
  }

  /** Caches `block` for `va`, found through a mapping of 2^`span` bytes in MMU domain `domain`. */
  set(level: number, va: number, thumb: number, block: Block, span: number, domain: number): void {
    const slot = (va >>> 1) & (SIZE - 1);
    this.domains[level]! |= 1 << domain;
    this.keys[level]![slot] = va | thumb;
    this.blocks[level]![slot] = block;
    this.codePages[va >>> 12] = this.epoch;
    this.large.note(va, span);
  }

  /** Drops the entries of privilege level `level` if any came through the `changed` domains. */
  dropDomains(level: number, changed: number): void {
    if ((this.domains[level]! & changed) === 0) return;
    this.keys[level]!.fill(-1);
    this.domains[level] = 0;
  }

  /** Drops every entry (in O(1) for the page marks). */
  flush(): void {
    this.keys[0]!.fill(-1);
    this.keys[1]!.fill(-1);
    this.domains[0] = this.domains[1] = 0;
    this.large.clear();
    if (++this.epoch === EPOCH_WRAP) {
      this.codePages.fill(0);
      this.epoch = 1;
    }
  }

  /** The mapping of the page of `va` was invalidated: drops what may have come through it. */
  dropPage(va: number): void {
    if (this.codePages[va >>> 12] === this.epoch || this.large.covers(va)) this.flush();
  }
}
