/**
 * virtio-console (device id 3), one port, no multiport: queue 0 carries input to the guest,
 * queue 1 output from it. Input that arrives before the driver posts buffers waits, in order.
 */
import {
  readConfigBytes,
  VIRTIO_F_VERSION_1,
  VIRTIO_ID,
  type VirtioDevice,
  type VirtioTransportContext,
} from './virtio-device.ts';
import { scatter } from './virtqueue.ts';

const RECEIVEQ = 0;
const TRANSMITQ = 1;
const QUEUE_SIZE = 128;

/** The console device. */
export class VirtioConsole implements VirtioDevice {
  readonly deviceId = VIRTIO_ID.CONSOLE;
  readonly features = VIRTIO_F_VERSION_1;
  readonly queueSizes = [QUEUE_SIZE, QUEUE_SIZE] as const;
  readonly #output: (bytes: Uint8Array) => void;
  /** cols, rows, max_nr_ports, emerg_wr: all zero without the features that give them meaning. */
  readonly #config = new Uint8Array(12);
  #context: VirtioTransportContext | undefined;
  #pending: Uint8Array[] = [];
  #active = false;

  /** `output` receives what the guest writes to the console. */
  constructor(output: (bytes: Uint8Array) => void) {
    this.#output = output;
  }

  attach(context: VirtioTransportContext): void {
    this.#context = context;
  }

  /** Host input for the guest; delivered as soon as the driver has buffers. */
  input(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#pending.push(bytes.slice());
    this.#deliver();
  }

  /** Bytes of input not yet taken by the guest. */
  get pendingInput(): number {
    return this.#pending.reduce((n, b) => n + b.length, 0);
  }

  readConfig(offset: number, size: 1 | 2 | 4): number {
    return readConfigBytes(this.#config, offset, size);
  }

  writeConfig(): void {
    // emerg_wr needs VIRTIO_CONSOLE_F_EMERG_WRITE, which is not offered.
  }

  activate(): void {
    this.#active = true;
    this.#deliver();
  }

  queueNotify(index: number): void {
    if (index === TRANSMITQ) this.#transmit();
    else if (index === RECEIVEQ) this.#deliver();
  }

  reset(): void {
    this.#active = false;
  }

  #transmit(): void {
    const q = this.#context?.queue(TRANSMITQ);
    if (!q) return;
    let any = false;
    for (let e = q.pop(); e; e = q.pop()) {
      for (const b of e.readable) if (b.length > 0) this.#output(b.slice());
      q.push(e, 0);
      any = true;
    }
    if (any) this.#context!.notifyUsed(TRANSMITQ);
  }

  #deliver(): void {
    const q = this.#context?.queue(RECEIVEQ);
    if (!this.#active || !q) return;
    let any = false;
    while (this.#pending.length > 0) {
      const e = q.pop();
      if (!e) break;
      const data = this.#pending[0]!;
      const written = scatter(e.writable, data);
      if (written < data.length) this.#pending[0] = data.subarray(written);
      else this.#pending.shift();
      q.push(e, written);
      any = true;
    }
    if (any) this.#context!.notifyUsed(RECEIVEQ);
  }
}
