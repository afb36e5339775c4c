/** The board's devices (UART, RTC, virtio, PCIe) and the interrupt lines they are given (their clock is FS-Cache's `Clock`). */
export { type IrqLine, RecordingIrqLine } from './irq-line.ts';
export { PL011_FIFO_DEPTH, PL011_FR, PL011_ID, PL011_INT, PL011_REG, Pl011 } from './pl011.ts';
export { PL031_ID, PL031_REG, Pl031 } from './pl031.ts';
export {
  type BlockBackend,
  BlockBackendError,
  type BlockErrorCode,
  checkRange,
} from './virtio/block-backend.ts';
export { FileBlockBackend } from './virtio/file-block-backend.ts';
export { HttpBlockBackend } from './virtio/http-block-backend.ts';
export {
  SECTOR_SIZE,
  VIRTIO_BLK_F,
  VIRTIO_BLK_S,
  VIRTIO_BLK_T,
  VirtioBlk,
  type VirtioBlkStats,
} from './virtio/virtio-blk.ts';
export { VirtioConsole } from './virtio/virtio-console.ts';
export {
  readConfigBytes,
  VIRTIO_F_VERSION_1,
  VIRTIO_ID,
  type VirtioDevice,
  type VirtioTransportContext,
} from './virtio/virtio-device.ts';
export {
  VIRTIO_INT,
  VIRTIO_MMIO,
  VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_VENDOR,
  VIRTIO_STATUS,
  VirtioMmio,
} from './virtio/virtio-mmio.ts';
export {
  gather,
  scatter,
  VIRTQ_DESC_F,
  Virtqueue,
  VirtqueueError,
  type VirtqueueElement,
  type VirtqueueLayout,
} from './virtio/virtqueue.ts';
