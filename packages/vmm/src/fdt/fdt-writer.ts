/**
 * Flattens an FdtNode tree into a DTB (version 17, last compatible 16): header, memory
 * reservation block, structure block and strings block, every integer big-endian.
 */
import { FdtError } from './fdt-error.ts';
import type { FdtNode } from './fdt-node.ts';

/** The blob's magic number. */
export const FDT_MAGIC = 0xd00dfeed;
/** Structure block tokens. */
export const FDT_TOKEN = { BEGIN_NODE: 1, END_NODE: 2, PROP: 3, NOP: 4, END: 9 } as const;
/** Header size of version 17. */
export const FDT_HEADER_SIZE = 40;
const VERSION = 17;
const LAST_COMP_VERSION = 16;

/** A /memreserve/ entry. */
export interface FdtReservation {
  readonly address: number;
  readonly size: number;
}

/** Options of `writeFdt`. */
export interface FdtWriteOptions {
  /** Memory reservation block entries. */
  reservations?: readonly FdtReservation[];
  /** Physical id of the boot CPU. */
  bootCpuId?: number;
  /** Pad the blob with zeros to at least this many bytes (room for a bootloader's edits). */
  minSize?: number;
}

/** A growable big-endian byte buffer. */
class ByteSink {
  #bytes = new Uint8Array(1024);
  #view = new DataView(this.#bytes.buffer);
  length = 0;

  #room(n: number): void {
    if (this.length + n <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.#bytes.subarray(0, this.length));
    this.#bytes = bigger;
    this.#view = new DataView(bigger.buffer);
  }

  u32(v: number): void {
    this.#room(4);
    this.#view.setUint32(this.length, v >>> 0);
    this.length += 4;
  }

  u64(v: number): void {
    this.u32(Math.floor(v / 2 ** 32));
    this.u32(v % 2 ** 32);
  }

  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#bytes.set(b, this.length);
    this.length += b.length;
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.#room(pad);
    this.#bytes.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  result(): Uint8Array {
    return this.#bytes.slice(0, this.length);
  }
}

/** Produces the DTB of the tree under `root`. */
export function writeFdt(root: FdtNode, options: FdtWriteOptions = {}): Uint8Array {
  if (root.name !== '') throw new FdtError('FDT_BAD_NAME', 'the root node has an empty name');
  const encoder = new TextEncoder();

  // Strings block: each property name once, in first-use order.
  const stringOffsets = new Map<string, number>();
  const stringsBlock = new ByteSink();
  const nameOffset = (name: string): number => {
    let at = stringOffsets.get(name);
    if (at === undefined) {
      at = stringsBlock.length;
      stringOffsets.set(name, at);
      stringsBlock.bytes(encoder.encode(`${name}\0`));
    }
    return at;
  };

  const struct = new ByteSink();
  const emit = (node: FdtNode): void => {
    struct.u32(FDT_TOKEN.BEGIN_NODE);
    struct.bytes(encoder.encode(`${node.name}\0`));
    struct.align(4);
    for (const [name, value] of node.properties) {
      struct.u32(FDT_TOKEN.PROP);
      struct.u32(value.length);
      struct.u32(nameOffset(name));
      struct.bytes(value);
      struct.align(4);
    }
    for (const child of node.children) emit(child);
    struct.u32(FDT_TOKEN.END_NODE);
  };
  emit(root);
  struct.u32(FDT_TOKEN.END);

  const rsv = new ByteSink();
  for (const r of options.reservations ?? []) {
    rsv.u64(r.address);
    rsv.u64(r.size);
  }
  rsv.u64(0);
  rsv.u64(0);

  const offRsv = FDT_HEADER_SIZE; // 40 is already 8-aligned
  const offStruct = offRsv + rsv.length;
  const offStrings = offStruct + struct.length;
  const used = offStrings + stringsBlock.length;
  const total = Math.max(used, options.minSize ?? 0);

  const out = new ByteSink();
  out.u32(FDT_MAGIC);
  out.u32(total);
  out.u32(offStruct);
  out.u32(offStrings);
  out.u32(offRsv);
  out.u32(VERSION);
  out.u32(LAST_COMP_VERSION);
  out.u32(options.bootCpuId ?? 0);
  out.u32(stringsBlock.length);
  out.u32(struct.length);
  out.bytes(rsv.result());
  out.bytes(struct.result());
  out.bytes(stringsBlock.result());
  out.bytes(new Uint8Array(total - used));
  return out.result();
}
