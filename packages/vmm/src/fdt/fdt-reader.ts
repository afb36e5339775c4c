/**
 * Reads a DTB back into an FdtNode tree (for tests, and to inspect a tree a user supplies with
 * --dtb). Checks the header and every offset; a damaged blob is an FDT_BAD_BLOB error.
 */
import { FdtError } from './fdt-error.ts';
import { FdtNode } from './fdt-node.ts';
import { FDT_HEADER_SIZE, FDT_MAGIC, FDT_TOKEN, type FdtReservation } from './fdt-writer.ts';

/** A parsed blob. */
export interface ParsedFdt {
  readonly root: FdtNode;
  readonly reservations: readonly FdtReservation[];
  readonly version: number;
  readonly bootCpuId: number;
  readonly totalSize: number;
}

function bad(message: string): never {
  throw new FdtError('FDT_BAD_BLOB', message);
}

/** Parses a DTB. */
export function readFdt(blob: Uint8Array): ParsedFdt {
  if (blob.length < FDT_HEADER_SIZE) bad('shorter than a device tree header');
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint32(0) !== FDT_MAGIC) bad('no device tree magic');
  const totalSize = view.getUint32(4);
  const offStruct = view.getUint32(8);
  const offStrings = view.getUint32(12);
  const offRsv = view.getUint32(16);
  const version = view.getUint32(20);
  const bootCpuId = view.getUint32(28);
  const sizeStrings = view.getUint32(32);
  const sizeStruct = view.getUint32(36);
  if (totalSize > blob.length) bad(`header says ${totalSize} bytes, blob has ${blob.length}`);
  if (version < 16) bad(`version ${version} is older than 16`);
  if (offStruct + sizeStruct > totalSize || offStrings + sizeStrings > totalSize || offRsv + 16 > totalSize) {
    bad('a block lies outside the blob');
  }
  const decoder = new TextDecoder('utf-8', { fatal: false });

  const reservations: FdtReservation[] = [];
  for (let at = offRsv; ; at += 16) {
    if (at + 16 > totalSize) bad('memory reservation block is not terminated');
    const address = view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4);
    const size = view.getUint32(at + 8) * 2 ** 32 + view.getUint32(at + 12);
    if (address === 0 && size === 0) break;
    reservations.push({ address, size });
  }

  const stringAt = (offset: number): string => {
    if (offset >= sizeStrings) bad(`property name offset ${offset} outside the strings block`);
    const start = offStrings + offset;
    const end = blob.indexOf(0, start);
    if (end < 0 || end >= offStrings + sizeStrings) bad('unterminated property name');
    return decoder.decode(blob.subarray(start, end));
  };

  const end = offStruct + sizeStruct;
  let at = offStruct;
  const word = (): number => {
    if (at + 4 > end) bad('structure block ends early');
    const v = view.getUint32(at);
    at += 4;
    return v;
  };
  const align = () => (at = (at + 3) & ~3);

  let root: FdtNode | undefined;
  const stack: FdtNode[] = [];
  for (;;) {
    const token = word();
    if (token === FDT_TOKEN.NOP) continue;
    if (token === FDT_TOKEN.BEGIN_NODE) {
      const nameEnd = blob.indexOf(0, at);
      if (nameEnd < 0 || nameEnd >= end) bad('unterminated node name');
      const name = decoder.decode(blob.subarray(at, nameEnd));
      at = nameEnd + 1;
      align();
      const parent = stack[stack.length - 1];
      let node: FdtNode;
      if (parent === undefined) {
        if (root !== undefined) bad('more than one root node');
        node = root = new FdtNode('');
      } else {
        node = parent.add(name);
      }
      stack.push(node);
    } else if (token === FDT_TOKEN.PROP) {
      const node = stack[stack.length - 1] ?? bad('a property outside any node');
      const length = word();
      const name = stringAt(word());
      if (at + length > end) bad(`property ${name} runs past the structure block`);
      node.set(name, blob.slice(at, at + length));
      at += length;
      align();
    } else if (token === FDT_TOKEN.END_NODE) {
      if (stack.pop() === undefined) bad('END_NODE without a node');
    } else if (token === FDT_TOKEN.END) {
      if (stack.length > 0) bad('END inside a node');
      break;
    } else {
      bad(`unknown token ${token} at ${at - 4}`);
    }
  }
  if (root === undefined) bad('no root node');
  return { root, reservations, version, bootCpuId, totalSize };
}

/** A property as 32-bit cells. */
export function propCells(value: Uint8Array | undefined): number[] {
  if (value === undefined) return [];
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= value.length; i += 4) out.push(view.getUint32(i));
  return out;
}

/** A property as a list of strings. */
export function propStrings(value: Uint8Array | undefined): string[] {
  if (value === undefined || value.length === 0) return [];
  const text = new TextDecoder().decode(value);
  return text.replace(/\0$/, '').split('\0');
}
