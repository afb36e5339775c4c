/**
 * What a virtio device offers its transport: identity, features, queues and config space. The
 * transport (virtio-mmio here) owns the registers and the queues' layout; the device only
 * sees live queues and a way to signal the driver.
 */
import type { DmaMemory } from '../../memory/dma-memory.ts';
import type { Virtqueue } from './virtqueue.ts';

/** Feature bits every device here offers (bit numbers, as bigint masks). */
export const VIRTIO_F_VERSION_1 = 1n << 32n;

/** Virtio device ids (virtio 1.x section 5). */
export const VIRTIO_ID = { NET: 1, BLOCK: 2, CONSOLE: 3 } as const;

/** What a device may ask of its transport. */
export interface VirtioTransportContext {
  /** Guest RAM, for buffers. */
  readonly memory: DmaMemory;
  /** The live queue `index`, once the driver made it ready. */
  queue(index: number): Virtqueue | undefined;
  /** Tells the driver used buffers are waiting on queue `index` (raises the interrupt). */
  notifyUsed(index: number): void;
  /** Tells the driver the config space changed. */
  notifyConfigChanged(): void;
  /** Marks the device broken after a driver error (DEVICE_NEEDS_RESET). */
  fail(error: Error): void;
}

/** A virtio device behind a transport. */
export interface VirtioDevice {
  /** Virtio device id. */
  readonly deviceId: number;
  /** Feature bits offered (VIRTIO_F_VERSION_1 included). */
  readonly features: bigint;
  /** Maximum size of each queue; the length is the number of queues. */
  readonly queueSizes: readonly number[];
  /** Called once by the transport. */
  attach(context: VirtioTransportContext): void;
  /** Reads config space. */
  readConfig(offset: number, size: 1 | 2 | 4): number;
  /** Writes config space (most devices ignore it). */
  writeConfig(offset: number, size: 1 | 2 | 4, value: number): void;
  /** The driver accepted `features` and finished setup (DRIVER_OK). */
  activate(features: bigint): void;
  /** The driver wrote queue `index` to QueueNotify. */
  queueNotify(index: number): void;
  /** The driver reset the device: forget queues and in-flight state. */
  reset(): void;
}

/** Reads `size` bytes little-endian from a config space image; beyond its end reads 0. */
export function readConfigBytes(config: Uint8Array, offset: number, size: number): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + (config[offset + i] ?? 0);
  return value;
}
