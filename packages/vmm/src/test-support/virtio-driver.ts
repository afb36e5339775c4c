/**
 * A minimal virtio driver for tests: brings a virtio-mmio device up through its registers the
 * way Linux does, lays queues out in guest RAM, posts descriptor chains and reads the used ring.
 */
import { AddressSpace } from '../memory/address-space.ts';
import { DmaMemory } from '../memory/dma-memory.ts';
import { MemoryRegion } from '../memory/memory-region.ts';
import { RecordingIrqLine } from '../devices/irq-line.ts';
import { VIRTIO_F_VERSION_1, type VirtioDevice } from '../devices/virtio/virtio-device.ts';
import { VIRTIO_MMIO as R, VIRTIO_STATUS, VirtioMmio } from '../devices/virtio/virtio-mmio.ts';

export const TEST_RAM_BASE = 0x40000000;
const RAM_SIZE = 0x100000;
const BUFFERS = TEST_RAM_BASE + 0x40000;

/** One buffer of a chain: bytes the device reads, or a number of bytes it may write. */
export type ChainPart = { readable: Uint8Array } | { writable: number };

interface QueueState {
  num: number;
  desc: number;
  avail: number;
  used: number;
  nextDesc: number;
  availIdx: number;
  seenUsed: number;
}

/** A test machine: RAM, one virtio-mmio slot, a driver. */
export class TestVirtioDriver {
  readonly memory: DmaMemory;
  readonly irq = new RecordingIrqLine();
  readonly transport: VirtioMmio;
  #queues = new Map<number, QueueState>();
  #bump = BUFFERS;

  constructor(device: VirtioDevice | undefined) {
    const root = MemoryRegion.container('system', 2 ** 32);
    root.addSubregion(TEST_RAM_BASE, MemoryRegion.ram('ram', RAM_SIZE));
    this.memory = new DmaMemory(new AddressSpace(root));
    this.transport = new VirtioMmio(this.irq, this.memory, device);
  }

  reg(offset: number): number {
    return this.transport.read(offset, 4);
  }

  set(offset: number, value: number): void {
    this.transport.write(offset, 4, value);
  }

  /** Reads the 64 offered feature bits. */
  deviceFeatures(): bigint {
    this.set(R.DEVICE_FEATURES_SEL, 0);
    const low = BigInt(this.reg(R.DEVICE_FEATURES));
    this.set(R.DEVICE_FEATURES_SEL, 1);
    return low | (BigInt(this.reg(R.DEVICE_FEATURES)) << 32n);
  }

  /** Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns the status read back. */
  negotiate(features: bigint = VIRTIO_F_VERSION_1): number {
    this.set(R.STATUS, 0);
    this.set(R.STATUS, VIRTIO_STATUS.ACKNOWLEDGE);
    this.set(R.STATUS, VIRTIO_STATUS.ACKNOWLEDGE | VIRTIO_STATUS.DRIVER);
    this.set(R.DRIVER_FEATURES_SEL, 0);
    this.set(R.DRIVER_FEATURES, Number(features & 0xffffffffn));
    this.set(R.DRIVER_FEATURES_SEL, 1);
    this.set(R.DRIVER_FEATURES, Number(features >> 32n));
    this.set(R.STATUS, VIRTIO_STATUS.ACKNOWLEDGE | VIRTIO_STATUS.DRIVER | VIRTIO_STATUS.FEATURES_OK);
    return this.reg(R.STATUS);
  }

  /** Lays queue `index` out in RAM and makes it ready. */
  setupQueue(index: number, num = 16): void {
    const desc = TEST_RAM_BASE + 0x4000 * index;
    const q: QueueState = {
      num,
      desc,
      avail: desc + 0x1000,
      used: desc + 0x2000,
      nextDesc: 0,
      availIdx: 0,
      seenUsed: 0,
    };
    this.set(R.QUEUE_SEL, index);
    this.set(R.QUEUE_NUM, num);
    this.set(R.QUEUE_DESC_LOW, q.desc);
    this.set(R.QUEUE_DESC_HIGH, 0);
    this.set(R.QUEUE_DRIVER_LOW, q.avail);
    this.set(R.QUEUE_DRIVER_HIGH, 0);
    this.set(R.QUEUE_DEVICE_LOW, q.used);
    this.set(R.QUEUE_DEVICE_HIGH, 0);
    this.set(R.QUEUE_READY, 1);
    this.#queues.set(index, q);
  }

  /** Sets DRIVER_OK. */
  driverOk(): void {
    this.set(R.STATUS, this.reg(R.STATUS) | VIRTIO_STATUS.DRIVER_OK);
  }

  /** Negotiates, sets up `queues`, and sets DRIVER_OK. */
  bringUp(queues: number, features?: bigint): void {
    this.negotiate(features);
    for (let i = 0; i < queues; i++) this.setupQueue(i);
    this.driverOk();
  }

  /** Allocates guest RAM for a buffer. */
  alloc(length: number): number {
    const at = this.#bump;
    this.#bump += (length + 15) & ~15;
    return at;
  }

  /**
   * Builds a chain of `parts` in the descriptor table, makes it available (without notifying), and
   * returns the guest address of each part.
   */
  post(index: number, parts: readonly ChainPart[]): number[] {
    const q = this.#queues.get(index)!;
    const addresses: number[] = [];
    const head = q.nextDesc;
    parts.forEach((part, i) => {
      const d = (head + i) % q.num;
      const length = 'readable' in part ? part.readable.length : part.writable;
      const addr = this.alloc(length);
      if ('readable' in part) this.memory.write(addr, part.readable);
      addresses.push(addr);
      const at = q.desc + 16 * d;
      this.memory.writeU32(at, addr);
      this.memory.writeU32(at + 4, 0);
      this.memory.writeU32(at + 8, length);
      const last = i === parts.length - 1;
      this.memory.writeU16(at + 12, (last ? 0 : 1) | ('writable' in part ? 2 : 0));
      this.memory.writeU16(at + 14, (d + 1) % q.num);
    });
    q.nextDesc = (head + parts.length) % q.num;
    this.memory.writeU16(q.avail + 4 + 2 * (q.availIdx % q.num), head);
    q.availIdx = (q.availIdx + 1) & 0xffff;
    this.memory.writeU16(q.avail + 2, q.availIdx);
    return addresses;
  }

  /** Writes QueueNotify. */
  notify(index: number): void {
    this.set(R.QUEUE_NOTIFY, index);
  }

  /** The used-ring entries added since the last call. */
  used(index: number): { id: number; len: number }[] {
    const q = this.#queues.get(index)!;
    const idx = this.memory.readU16(q.used + 2);
    const out: { id: number; len: number }[] = [];
    while (q.seenUsed !== idx) {
      const at = q.used + 4 + 8 * (q.seenUsed % q.num);
      out.push({ id: this.memory.readU32(at), len: this.memory.readU32(at + 4) });
      q.seenUsed = (q.seenUsed + 1) & 0xffff;
    }
    return out;
  }
}
