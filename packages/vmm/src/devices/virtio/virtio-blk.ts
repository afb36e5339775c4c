/**
 * virtio-blk (device id 2) over a BlockBackend: one request queue; IN, OUT, FLUSH and GET_ID.
 * Backends are asynchronous, so each request completes on its own and raises the used-buffer
 * interrupt when done; the guest keeps running meanwhile, as with a real disk.
 */
import type { BlockBackend } from './block-backend.ts';
import {
  readConfigBytes,
  VIRTIO_F_VERSION_1,
  VIRTIO_ID,
  type VirtioDevice,
  type VirtioTransportContext,
} from './virtio-device.ts';
import { gather, scatter, type VirtqueueElement } from './virtqueue.ts';

/** Request types. */
export const VIRTIO_BLK_T = { IN: 0, OUT: 1, FLUSH: 4, GET_ID: 8 } as const;
/** Request status byte. */
export const VIRTIO_BLK_S = { OK: 0, IOERR: 1, UNSUPP: 2 } as const;
/** Feature bits. */
export const VIRTIO_BLK_F = { RO: 1n << 5n, BLK_SIZE: 1n << 6n, FLUSH: 1n << 9n } as const;

/** Sector size of the protocol. */
export const SECTOR_SIZE = 512;
/** Length of the GET_ID answer. */
const ID_BYTES = 20;
const QUEUE_SIZE = 256;
const REQUESTQ = 0;
/** Request header: type u32, reserved u32, sector u64. */
const HEADER_BYTES = 16;

/** Counters of what the device did. */
export interface VirtioBlkStats {
  reads: number;
  writes: number;
  flushes: number;
  errors: number;
  bytesRead: number;
  bytesWritten: number;
}

/** The block device. */
export class VirtioBlk implements VirtioDevice {
  readonly deviceId = VIRTIO_ID.BLOCK;
  readonly features: bigint;
  readonly queueSizes = [QUEUE_SIZE] as const;
  readonly stats: VirtioBlkStats = {
    reads: 0,
    writes: 0,
    flushes: 0,
    errors: 0,
    bytesRead: 0,
    bytesWritten: 0,
  };
  readonly #backend: BlockBackend;
  readonly #id: Uint8Array;
  readonly #config = new Uint8Array(24);
  #context: VirtioTransportContext | undefined;
  #inflight = new Set<Promise<void>>();
  /** Bumped on reset so completions of an earlier life are dropped. */
  #generation = 0;

  /** `serial` is what GET_ID answers (up to 20 bytes). */
  constructor(backend: BlockBackend, serial = '') {
    this.#backend = backend;
    this.features =
      VIRTIO_F_VERSION_1 | VIRTIO_BLK_F.BLK_SIZE | (backend.readOnly ? VIRTIO_BLK_F.RO : VIRTIO_BLK_F.FLUSH);
    this.#id = new TextEncoder().encode(serial).subarray(0, ID_BYTES);
    const view = new DataView(this.#config.buffer);
    view.setBigUint64(0, BigInt(Math.ceil(backend.size / SECTOR_SIZE)), true); // capacity
    view.setUint32(20, SECTOR_SIZE, true); // blk_size
  }

  /** Capacity in 512-byte sectors; a partial last sector counts (QEMU rounds up too). */
  get capacity(): number {
    return Math.ceil(this.#backend.size / SECTOR_SIZE);
  }

  attach(context: VirtioTransportContext): void {
    this.#context = context;
  }

  readConfig(offset: number, size: 1 | 2 | 4): number {
    return readConfigBytes(this.#config, offset, size);
  }

  writeConfig(): void {
    // Nothing writable: the writeback toggle needs VIRTIO_BLK_F_CONFIG_WCE, not offered.
  }

  activate(): void {}

  queueNotify(index: number): void {
    if (index !== REQUESTQ) return;
    const q = this.#context?.queue(REQUESTQ);
    if (!q) return;
    for (let e = q.pop(); e; e = q.pop()) {
      const generation = this.#generation;
      const done = this.#handle(e).then((written) => {
        if (generation !== this.#generation) return;
        const live = this.#context?.queue(REQUESTQ);
        if (!live) return;
        live.push(e, written);
        this.#context!.notifyUsed(REQUESTQ);
      });
      const tracked = done.catch((err: unknown) => this.#context?.fail(err as Error));
      this.#inflight.add(tracked);
      void tracked.finally(() => this.#inflight.delete(tracked));
    }
  }

  /** Resolves when every request taken so far has completed. */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  reset(): void {
    this.#generation++;
  }

  /** Performs one request; resolves with the used length (the chain's device-writable bytes). */
  async #handle(e: VirtqueueElement): Promise<number> {
    const header = gather(e.readable);
    const statusBuf = lastByte(e.writable);
    if (header.length < HEADER_BYTES || statusBuf === undefined) {
      throw new Error(`virtio-blk: malformed request (header ${header.length} bytes, no status byte)`);
    }
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    const type = view.getUint32(0, true);
    const sector = Number(view.getBigUint64(8, true));
    const data = dataBuffers(e.writable);
    let status: number = VIRTIO_BLK_S.OK;
    try {
      switch (type) {
        case VIRTIO_BLK_T.IN: {
          const length = data.reduce((n, b) => n + b.length, 0);
          const bytes = new Uint8Array(length);
          if (!this.#inRange(sector, length)) throw new Error('read beyond the disk');
          // A last partial sector reads as zeros past the end of the backing, as with QEMU.
          const offset = sector * SECTOR_SIZE;
          await this.#backend.read(offset, bytes.subarray(0, Math.min(length, this.#backend.size - offset)));
          scatter(data, bytes);
          this.stats.reads++;
          this.stats.bytesRead += length;
          break;
        }
        case VIRTIO_BLK_T.OUT: {
          const payload = header.subarray(HEADER_BYTES);
          if (!this.#inRange(sector, payload.length) || this.#backend.readOnly)
            throw new Error('write refused');
          await this.#backend.write(sector * SECTOR_SIZE, payload);
          this.stats.writes++;
          this.stats.bytesWritten += payload.length;
          break;
        }
        case VIRTIO_BLK_T.FLUSH:
          await this.#backend.flush();
          this.stats.flushes++;
          break;
        case VIRTIO_BLK_T.GET_ID: {
          const id = new Uint8Array(ID_BYTES);
          id.set(this.#id);
          scatter(data, id);
          break;
        }
        default:
          status = VIRTIO_BLK_S.UNSUPP;
      }
    } catch {
      status = VIRTIO_BLK_S.IOERR;
      this.stats.errors++;
    }
    statusBuf[statusBuf.length - 1] = status;
    // Like QEMU, report every device-writable byte as written, whatever the outcome.
    return e.writable.reduce((n, b) => n + b.length, 0);
  }

  #inRange(sector: number, length: number): boolean {
    return length % SECTOR_SIZE === 0 && sector + length / SECTOR_SIZE <= this.capacity;
  }
}

/** The writable buffer that ends with the status byte. */
function lastByte(writable: readonly Uint8Array[]): Uint8Array | undefined {
  for (let i = writable.length - 1; i >= 0; i--) if (writable[i]!.length > 0) return writable[i];
  return undefined;
}

/** The writable buffers without the final status byte. */
function dataBuffers(writable: readonly Uint8Array[]): Uint8Array[] {
  const out = writable.filter((b) => b.length > 0);
  const last = out.pop();
  if (last && last.length > 1) out.push(last.subarray(0, last.length - 1));
  return out;
}
