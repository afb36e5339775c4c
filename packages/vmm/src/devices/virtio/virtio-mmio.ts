/**
 * The virtio-mmio transport, modern layout (version 2, virtio 1.x section 4.2.2), as QEMU's virt
 * board has 32 of. A slot with no device answers the magic, the version and device id 0, so the
 * guest skips it.
 */
import type { DmaMemory } from '../../memory/dma-memory.ts';
import type { AccessSize, MmioOps } from '../../memory/memory-region.ts';
import type { IrqLine } from '../irq-line.ts';
import { VIRTIO_F_VERSION_1, type VirtioDevice, type VirtioTransportContext } from './virtio-device.ts';
import { Virtqueue } from './virtqueue.ts';

/** Register offsets. */
export const VIRTIO_MMIO = {
  MAGIC_VALUE: 0x000,
  VERSION: 0x004,
  DEVICE_ID: 0x008,
  VENDOR_ID: 0x00c,
  DEVICE_FEATURES: 0x010,
  DEVICE_FEATURES_SEL: 0x014,
  DRIVER_FEATURES: 0x020,
  DRIVER_FEATURES_SEL: 0x024,
  QUEUE_SEL: 0x030,
  QUEUE_NUM_MAX: 0x034,
  QUEUE_NUM: 0x038,
  QUEUE_READY: 0x044,
  QUEUE_NOTIFY: 0x050,
  INTERRUPT_STATUS: 0x060,
  INTERRUPT_ACK: 0x064,
  STATUS: 0x070,
  QUEUE_DESC_LOW: 0x080,
  QUEUE_DESC_HIGH: 0x084,
  QUEUE_DRIVER_LOW: 0x090,
  QUEUE_DRIVER_HIGH: 0x094,
  QUEUE_DEVICE_LOW: 0x0a0,
  QUEUE_DEVICE_HIGH: 0x0a4,
  CONFIG_GENERATION: 0x0fc,
  CONFIG: 0x100,
} as const;

/** "virt" in little-endian ASCII. */
export const VIRTIO_MMIO_MAGIC = 0x74726976;
/** QEMU's vendor id ("QEMU"). */
export const VIRTIO_MMIO_VENDOR = 0x554d4551;

/** Device status bits. */
export const VIRTIO_STATUS = {
  ACKNOWLEDGE: 1,
  DRIVER: 2,
  DRIVER_OK: 4,
  FEATURES_OK: 8,
  DEVICE_NEEDS_RESET: 64,
  FAILED: 128,
} as const;

/** InterruptStatus bits. */
export const VIRTIO_INT = { USED_BUFFER: 1, CONFIG_CHANGE: 2 } as const;

interface QueueRegs {
  num: number;
  ready: boolean;
  desc: number;
  driver: number;
  device: number;
  live: Virtqueue | undefined;
}

function setLow(old: number, value: number): number {
  return Math.floor(old / 2 ** 32) * 2 ** 32 + (value >>> 0);
}

function setHigh(old: number, value: number): number {
  return (value >>> 0) * 2 ** 32 + (old % 2 ** 32);
}

/** One virtio-mmio slot. Map `ops` as an MMIO region of 0x200 bytes. */
export class VirtioMmio {
  /** The MMIO handlers. */
  readonly ops: MmioOps;
  /** The device in this slot, if any. */
  readonly device: VirtioDevice | undefined;
  readonly #irq: IrqLine;
  readonly #memory: DmaMemory;
  #queues: QueueRegs[] = [];
  #deviceFeaturesSel = 0;
  #driverFeaturesSel = 0;
  #driverFeatures = 0n;
  #queueSel = 0;
  #status = 0;
  #interruptStatus = 0;
  #configGeneration = 0;
  /** The last error that broke the device, for diagnostics. */
  lastError: Error | undefined;

  constructor(irq: IrqLine, memory: DmaMemory, device?: VirtioDevice) {
    this.#irq = irq;
    this.#memory = memory;
    this.device = device;
    this.ops = {
      read: (offset, size) => this.read(offset, size),
      write: (offset, size, value) => this.write(offset, size, value),
    };
    this.#resetQueues();
    irq.set(false);
    if (device) {
      const context: VirtioTransportContext = {
        memory,
        queue: (index) => this.#queues[index]?.live,
        notifyUsed: (index) => {
          const q = this.#queues[index]?.live;
          if (q === undefined || q.wantsInterrupt()) this.#raise(VIRTIO_INT.USED_BUFFER);
        },
        notifyConfigChanged: () => {
          this.#configGeneration = (this.#configGeneration + 1) >>> 0;
          this.#raise(VIRTIO_INT.CONFIG_CHANGE);
        },
        fail: (error) => {
          this.lastError = error;
          this.#status |= VIRTIO_STATUS.DEVICE_NEEDS_RESET;
          if (this.#status & VIRTIO_STATUS.DRIVER_OK) this.#raise(VIRTIO_INT.CONFIG_CHANGE);
        },
      };
      device.attach(context);
    }
  }

  /** The status byte the driver last wrote (plus DEVICE_NEEDS_RESET when broken). */
  get status(): number {
    return this.#status;
  }

  /** Register read. */
  read(offset: number, size: AccessSize): number {
    const d = this.device;
    if (offset >= VIRTIO_MMIO.CONFIG) return d ? d.readConfig(offset - VIRTIO_MMIO.CONFIG, size) : 0;
    if (size !== 4) return 0; // registers are 32-bit only (virtio 4.2.2.2)
    switch (offset) {
      case VIRTIO_MMIO.MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
      case VIRTIO_MMIO.VERSION:
        return 2;
      case VIRTIO_MMIO.DEVICE_ID:
        return d?.deviceId ?? 0;
      case VIRTIO_MMIO.VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    }
    if (d === undefined) return 0;
    const q = this.#queues[this.#queueSel];
    switch (offset) {
      case VIRTIO_MMIO.DEVICE_FEATURES:
        return this.#deviceFeaturesSel > 1
          ? 0
          : Number((d.features >> BigInt(32 * this.#deviceFeaturesSel)) & 0xffffffffn);
      case VIRTIO_MMIO.QUEUE_NUM_MAX:
        return d.queueSizes[this.#queueSel] ?? 0;
      case VIRTIO_MMIO.QUEUE_NUM:
        return q?.num ?? 0;
      case VIRTIO_MMIO.QUEUE_READY:
        return q?.ready ? 1 : 0;
      case VIRTIO_MMIO.QUEUE_DESC_LOW:
        return (q?.desc ?? 0) % 2 ** 32;
      case VIRTIO_MMIO.QUEUE_DESC_HIGH:
        return Math.floor((q?.desc ?? 0) / 2 ** 32);
      case VIRTIO_MMIO.QUEUE_DRIVER_LOW:
        return (q?.driver ?? 0) % 2 ** 32;
      case VIRTIO_MMIO.QUEUE_DRIVER_HIGH:
        return Math.floor((q?.driver ?? 0) / 2 ** 32);
      case VIRTIO_MMIO.QUEUE_DEVICE_LOW:
        return (q?.device ?? 0) % 2 ** 32;
      case VIRTIO_MMIO.QUEUE_DEVICE_HIGH:
        return Math.floor((q?.device ?? 0) / 2 ** 32);
      case VIRTIO_MMIO.INTERRUPT_STATUS:
        return this.#interruptStatus;
      case VIRTIO_MMIO.STATUS:
        return this.#status;
      case VIRTIO_MMIO.CONFIG_GENERATION:
        return this.#configGeneration;
      default:
        return 0;
    }
  }

  /** Register write. */
  write(offset: number, size: AccessSize, value: number): void {
    const d = this.device;
    if (d === undefined) return;
    if (offset >= VIRTIO_MMIO.CONFIG) {
      d.writeConfig(offset - VIRTIO_MMIO.CONFIG, size, value);
      return;
    }
    if (size !== 4) return;
    const q = this.#queues[this.#queueSel];
    switch (offset) {
      case VIRTIO_MMIO.DEVICE_FEATURES_SEL:
        this.#deviceFeaturesSel = value;
        break;
      case VIRTIO_MMIO.DRIVER_FEATURES_SEL:
        this.#driverFeaturesSel = value;
        break;
      case VIRTIO_MMIO.DRIVER_FEATURES:
        if (this.#driverFeaturesSel <= 1 && !(this.#status & VIRTIO_STATUS.FEATURES_OK)) {
          const shift = BigInt(32 * this.#driverFeaturesSel);
          this.#driverFeatures =
            (this.#driverFeatures & ~(0xffffffffn << shift)) | (BigInt(value >>> 0) << shift);
        }
        break;
      case VIRTIO_MMIO.QUEUE_SEL:
        this.#queueSel = value;
        break;
      case VIRTIO_MMIO.QUEUE_NUM:
        if (
          q &&
          !q.ready &&
          value > 0 &&
          value <= (d.queueSizes[this.#queueSel] ?? 0) &&
          !(value & (value - 1))
        ) {
          q.num = value;
        }
        break;
      case VIRTIO_MMIO.QUEUE_READY:
        if (q) this.#setReady(q, (value & 1) === 1);
        break;
      case VIRTIO_MMIO.QUEUE_DESC_LOW:
        if (q && !q.ready) q.desc = setLow(q.desc, value);
        break;
      case VIRTIO_MMIO.QUEUE_DESC_HIGH:
        if (q && !q.ready) q.desc = setHigh(q.desc, value);
        break;
      case VIRTIO_MMIO.QUEUE_DRIVER_LOW:
        if (q && !q.ready) q.driver = setLow(q.driver, value);
        break;
      case VIRTIO_MMIO.QUEUE_DRIVER_HIGH:
        if (q && !q.ready) q.driver = setHigh(q.driver, value);
        break;
      case VIRTIO_MMIO.QUEUE_DEVICE_LOW:
        if (q && !q.ready) q.device = setLow(q.device, value);
        break;
      case VIRTIO_MMIO.QUEUE_DEVICE_HIGH:
        if (q && !q.ready) q.device = setHigh(q.device, value);
        break;
      case VIRTIO_MMIO.QUEUE_NOTIFY:
        if (this.#status & VIRTIO_STATUS.DRIVER_OK && this.#queues[value]?.live)
          this.#guard(() => d.queueNotify(value));
        break;
      case VIRTIO_MMIO.INTERRUPT_ACK:
        this.#interruptStatus &= ~value;
        this.#irq.set(this.#interruptStatus !== 0);
        break;
      case VIRTIO_MMIO.STATUS:
        this.#writeStatus(d, value & 0xff);
        break;
      default:
        break;
    }
  }

  #writeStatus(d: VirtioDevice, value: number): void {
    if (value === 0) {
      this.#reset(d);
      return;
    }
    const newly = value & ~this.#status;
    if (newly & VIRTIO_STATUS.FEATURES_OK) {
      // Modern transport only: a driver that did not accept VERSION_1, or asked for features we
      // never offered, does not get FEATURES_OK (it reads the status back and gives up).
      const ok =
        (this.#driverFeatures & VIRTIO_F_VERSION_1) !== 0n && (this.#driverFeatures & ~d.features) === 0n;
      if (!ok) value &= ~VIRTIO_STATUS.FEATURES_OK;
    }
    this.#status = (this.#status & VIRTIO_STATUS.DEVICE_NEEDS_RESET) | value;
    if (newly & VIRTIO_STATUS.DRIVER_OK && this.#status & VIRTIO_STATUS.FEATURES_OK) {
      this.#guard(() => d.activate(this.#driverFeatures));
    }
  }

  #setReady(q: QueueRegs, ready: boolean): void {
    q.ready = ready;
    q.live = ready
      ? new Virtqueue(this.#memory, { num: q.num, desc: q.desc, driver: q.driver, device: q.device })
      : undefined;
  }

  #reset(d: VirtioDevice): void {
    d.reset();
    this.#status = 0;
    this.#driverFeatures = 0n;
    this.#deviceFeaturesSel = this.#driverFeaturesSel = this.#queueSel = 0;
    this.#interruptStatus = 0;
    this.#irq.set(false);
    this.lastError = undefined;
    this.#resetQueues();
  }

  #resetQueues(): void {
    const sizes = this.device?.queueSizes ?? [];
    this.#queues = sizes.map((max) => ({
      num: max,
      ready: false,
      desc: 0,
      driver: 0,
      device: 0,
      live: undefined,
    }));
  }

  #raise(bit: number): void {
    this.#interruptStatus |= bit;
    this.#irq.set(true);
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.lastError = error;
      this.#status |= VIRTIO_STATUS.DEVICE_NEEDS_RESET;
      this.#raise(VIRTIO_INT.CONFIG_CHANGE);
    }
  }
}
