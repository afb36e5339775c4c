/**
 * Decoded instructions by physical address, one line per 4 KiB page of RAM. Each slot remembers the
 * instruction bits it was decoded from, so a slot whose memory changed (a store, DMA, a loader)
 * simply decodes again: the cache needs no invalidation to be correct. A block translator can keep
 * its translations in the same lines and drop a line with `invalidatePage` when code is written.
 */

interface Line<E> {
  readonly bits: Int32Array;
  readonly execs: (E | undefined)[];
}

/** A cache of decoded instructions for one instruction set (`slotBytes` 4 for A32, 2 for Thumb). */
export class DecodeCache<E> {
  private readonly lines: (Line<E> | undefined)[];
  private readonly slotShift: number;
  private readonly slots: number;

  constructor(ramSize: number, slotBytes: 2 | 4) {
    this.lines = new Array(Math.ceil(ramSize / 4096));
    this.slotShift = slotBytes === 4 ? 2 : 1;
    this.slots = 4096 / slotBytes;
  }

  /** The executor cached for RAM offset `off` if it was decoded from `bits`, else undefined. */
  get(off: number, bits: number): E | undefined {
    const line = this.lines[off >>> 12];
    if (line === undefined) return undefined;
    const slot = (off & 0xfff) >>> this.slotShift;
    return line.bits[slot] === (bits | 0) ? line.execs[slot] : undefined;
  }

  /** Remembers that `bits` at RAM offset `off` decode to `exec`. */
  set(off: number, bits: number, exec: E): void {
    const page = off >>> 12;
    let line = this.lines[page];
    if (line === undefined) {
      line = { bits: new Int32Array(this.slots), execs: new Array(this.slots) };
      this.lines[page] = line;
    }
    const slot = (off & 0xfff) >>> this.slotShift;
    line.bits[slot] = bits;
    line.execs[slot] = exec;
  }

  /** Forgets a page (for translators that cache more than single instructions). */
  invalidatePage(off: number): void {
    this.lines[off >>> 12] = undefined;
  }
}
