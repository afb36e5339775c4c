/**
 * Which virtual addresses something cached came from a mapping larger than a page (a section,
 * supersection, large page, or an LPAE block): per 1 MiB, and per 1 GiB for level 1 blocks.
 * Invalidating one page there must forget more than that page; elsewhere a TLB operation on a
 * page touches only that page. Emptying the cache forgets every mark in O(1) by starting a new
 * epoch.
 */
export class LargeMappings {
  private readonly marks = new Int32Array(4096).fill(-1);
  private readonly hugeMarks = new Int32Array(4).fill(-1);
  private epoch = 0;

  /** Records that what is cached for `va` came from a mapping of 2^`span` bytes. */
  note(va: number, span: number): void {
    if (span <= 12) return;
    if (span >= 30) {
      this.hugeMarks[va >>> 30] = this.epoch;
      return;
    }
    const count = 1 << Math.max(0, span - 20);
    const first = (va >>> 20) & ~(count - 1);
    for (let m = first; m < first + count; m++) this.marks[m] = this.epoch;
  }

  /** True when something cached may come from a large mapping covering `va`. */
  covers(va: number): boolean {
    return this.marks[va >>> 20] === this.epoch || this.hugeMarks[va >>> 30] === this.epoch;
  }

  /** Everything cached was dropped: forget the marks in O(1). */
  clear(): void {
    if (++this.epoch === 0x7fffffff) {
      // after two billion epochs, start the numbering again with every mark stale
      this.marks.fill(-1);
      this.hugeMarks.fill(-1);
      this.epoch = 0;
    }
  }
}
