/**
 * The resolved memory map: the region tree rendered into sorted, non-overlapping ranges, each
 * naming the leaf region that answers there. Where siblings overlap the higher priority wins, as
 * in QEMU's generate_memory_topology.
 */
import { MemoryRegion } from './memory-region.ts';

/** One piece of the flat view, also what a listener is told about (QEMU's MemoryRegionSection). */
export interface MemoryRegionSection {
  /** The leaf region answering here (RAM, MMIO or reservation). */
  readonly region: MemoryRegion;
  /** Where the section starts in the address space. */
  readonly offsetWithinAddressSpace: number;
  /** Where the section starts within `region`. */
  readonly offsetWithinRegion: number;
  /** Length in bytes. */
  readonly size: number;
}

/** True when two sections describe the same mapping. */
export function sameSection(a: MemoryRegionSection, b: MemoryRegionSection): boolean {
  return (
    a.region === b.region &&
    a.offsetWithinAddressSpace === b.offsetWithinAddressSpace &&
    a.offsetWithinRegion === b.offsetWithinRegion &&
    a.size === b.size
  );
}

/** An address space's region tree resolved into sorted, non-overlapping sections. */
export class FlatView {
  /** Sections in ascending address order. */
  readonly sections: readonly MemoryRegionSection[];

  private constructor(sections: MemoryRegionSection[]) {
    this.sections = sections;
  }

  /** Renders the tree under `root`, mapped at address 0. */
  static render(root: MemoryRegion): FlatView {
    const out: MemoryRegionSection[] = [];
    renderRegion(out, root, 0, 0, root.size);
    out.sort((a, b) => a.offsetWithinAddressSpace - b.offsetWithinAddressSpace);
    return new FlatView(mergeAdjacent(out));
  }

  /** The section holding `address`, or undefined for an unassigned address. */
  lookup(address: number): MemoryRegionSection | undefined {
    const sections = this.sections;
    let lo = 0;
    let hi = sections.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = sections[mid]!;
      if (address < s.offsetWithinAddressSpace) hi = mid - 1;
      else if (address >= s.offsetWithinAddressSpace + s.size) lo = mid + 1;
      else return s;
    }
    return undefined;
  }
}

/**
 * Renders `region`, whose first byte sits at `base`, into the parts of [clipStart, clipEnd) that
 * `out` does not cover yet. Subregions go first, highest priority first, so that whatever is
 * rendered earlier hides whatever comes later.
 */
function renderRegion(
  out: MemoryRegionSection[],
  region: MemoryRegion,
  base: number,
  clipStart: number,
  clipEnd: number,
): void {
  if (!region.enabled) return;
  const start = Math.max(base, clipStart);
  const end = Math.min(base + region.size, clipEnd);
  if (start >= end) return;
  for (const sub of region.subregions) renderRegion(out, sub, base + sub.address, start, end);
  if (region.kind === 'container') return;
  for (const [holeStart, holeEnd] of holes(out, start, end)) {
    out.push({
      region,
      offsetWithinAddressSpace: holeStart,
      offsetWithinRegion: holeStart - base,
      size: holeEnd - holeStart,
    });
  }
}

/** The parts of [start, end) no section of `out` covers. */
function holes(out: readonly MemoryRegionSection[], start: number, end: number): [number, number][] {
  const covered = out
    .filter((s) => s.offsetWithinAddressSpace < end && s.offsetWithinAddressSpace + s.size > start)
    .sort((a, b) => a.offsetWithinAddressSpace - b.offsetWithinAddressSpace);
  const result: [number, number][] = [];
  let at = start;
  for (const s of covered) {
    if (s.offsetWithinAddressSpace > at) result.push([at, s.offsetWithinAddressSpace]);
    at = Math.max(at, s.offsetWithinAddressSpace + s.size);
  }
  if (at < end) result.push([at, end]);
  return result;
}

/** Joins neighbours that continue the same region, so a hole punched and refilled leaves one section. */
function mergeAdjacent(sorted: MemoryRegionSection[]): MemoryRegionSection[] {
  const result: MemoryRegionSection[] = [];
  for (const s of sorted) {
    const last = result[result.length - 1];
    if (
      last !== undefined &&
      last.region === s.region &&
      last.offsetWithinAddressSpace + last.size === s.offsetWithinAddressSpace &&
      last.offsetWithinRegion + last.size === s.offsetWithinRegion
    ) {
      result[result.length - 1] = { ...last, size: last.size + s.size };
    } else {
      result.push(s);
    }
  }
  return result;
}
