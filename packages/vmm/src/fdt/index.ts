/** Flattened device trees: a writer, a reader, and the virt board's tree. */
export { FdtError, type FdtErrorCode } from './fdt-error.ts';
export { cells, cells64, encodeValue, FdtNode, type FdtValue, strings } from './fdt-node.ts';
export { type ParsedFdt, propCells, propStrings, readFdt } from './fdt-reader.ts';
export {
  FDT_HEADER_SIZE,
  FDT_MAGIC,
  FDT_TOKEN,
  type FdtReservation,
  type FdtWriteOptions,
  writeFdt,
} from './fdt-writer.ts';
export {
  cpuAffinity,
  VIRT_STDOUT_PATH,
  virtDeviceTree,
  virtDeviceTreeNode,
  type VirtDeviceTreeOptions,
} from './virt-device-tree.ts';
