/**
 * `info mtree`: an address space's region tree, one region per line, indented by depth, with the
 * guest-physical range it covers, its priority and its kind, children in address order.
 */
import type { AddressSpace } from '../memory/address-space.ts';
import type { MemoryRegion, MemoryRegionKind } from '../memory/memory-region.ts';

/** How each kind is called on the line; "i/o" is QEMU's word for device registers. */
const KIND_LABEL: Record<MemoryRegionKind, string> = {
  ram: 'ram',
  mmio: 'i/o',
  reservation: 'kvm',
  container: 'container',
};

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

function regionLines(region: MemoryRegion, base: number, depth: number, out: string[]): void {
  const start = base + region.address;
  const end = start + region.size - 1;
  out.push(
    `${'  '.repeat(depth)}${hex16(start)}-${hex16(end)} (prio ${region.priority}, ${KIND_LABEL[region.kind]}): ` +
      `${region.name}${region.enabled ? '' : ' [disabled]'}`,
  );
  const children = [...region.subregions].sort((a, b) => a.address - b.address || b.priority - a.priority);
  for (const child of children) regionLines(child, start, depth + 1, out);
}

/** The tree of `space` as text. */
export function formatMemoryTree(space: AddressSpace): string {
  const out = [`address-space: ${space.name}`];
  regionLines(space.root, 0, 1, out);
  return `${out.join('\n')}\n\n`;
}
