/**
 * ARM PrimeCell PL011 UART, register-compatible with QEMU's model so the same guest prints the
 * same bytes. Transmission is instant (the transmit FIFO is always empty); reception goes through
 * a receive FIFO of 16 entries with FIFOs enabled (LCR_H.FEN), else a 1-entry holding register.
 * Bytes the FIFO cannot take yet wait in a host-side backlog and move in as the guest reads, so
 * no keystroke is lost.
 *
 * Interrupts follow the real part: RX when the FIFO reaches the IFLS trigger level (1 without
 * FIFOs), RT (receive timeout) when input pauses with bytes below that level, TX after each
 * transmitted byte; all masked by IMSC, combined onto one line. As in QEMU, registers keep every
 * bit written (reserved ones included) and CR's enable bits do not gate data.
 */
import type { AccessSize, MmioOps } from '../memory/memory-region.ts';
import type { IrqLine } from './irq-line.ts';

/** Register offsets. */
export const PL011_REG = {
  DR: 0x000,
  RSR_ECR: 0x004,
  FR: 0x018,
  ILPR: 0x020,
  IBRD: 0x024,
  FBRD: 0x028,
  LCR_H: 0x02c,
  CR: 0x030,
  IFLS: 0x034,
  IMSC: 0x038,
  RIS: 0x03c,
  MIS: 0x040,
  ICR: 0x044,
  DMACR: 0x048,
  PERIPH_ID0: 0xfe0,
} as const;

/** Flag register bits. */
export const PL011_FR = {
  BUSY: 0x08,
  RXFE: 0x10,
  TXFF: 0x20,
  RXFF: 0x40,
  TXFE: 0x80,
} as const;

/** Interrupt bits of IMSC/RIS/MIS/ICR. */
export const PL011_INT = {
  RX: 0x010,
  TX: 0x020,
  RT: 0x040,
  FE: 0x080,
  PE: 0x100,
  BE: 0x200,
  OE: 0x400,
} as const;

/** LCR_H.FEN: FIFOs enabled. */
const LCR_FEN = 0x10;

/** Peripheral and PrimeCell ID bytes at 0xFE0..0xFFC, QEMU's values for the ARM part. */
export const PL011_ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

/** Receive FIFO depth with FIFOs enabled. */
export const PL011_FIFO_DEPTH = 16;

/** RX trigger levels selected by IFLS bits 5:3 (1/8, 1/4, 1/2, 3/4, 7/8 of 16). */
const RX_TRIGGER = [2, 4, 8, 12, 14] as const;

/** Reset values (QEMU's and the TRM's). */
const RESET = { cr: 0x300, ifls: 0x12 } as const;

/** The UART. Map `ops` as an MMIO region of 0x1000 bytes. */
export class Pl011 {
  /** The MMIO handlers. */
  readonly ops: MmioOps;
  readonly #irq: IrqLine;
  readonly #sink: (byte: number) => void;

  #fifo: number[] = [];
  #backlog: number[] = [];
  #rsr = 0;
  #ilpr = 0;
  #ibrd = 0;
  #fbrd = 0;
  #lcr = 0;
  #cr: number = RESET.cr;
  #ifls: number = RESET.ifls;
  #imsc = 0;
  #ris = 0;
  #dmacr = 0;
  #level = false;

  /** `sink` receives each byte the guest transmits. */
  constructor(irq: IrqLine, sink: (byte: number) => void) {
    this.#irq = irq;
    this.#sink = sink;
    this.ops = {
      read: (offset, size) => this.read(offset, size),
      write: (offset, size, value) => this.write(offset, size, value),
    };
    irq.set(false);
  }

  /** Bytes from the host (the terminal's keystrokes) for the guest to read. */
  receive(bytes: Uint8Array | readonly number[]): void {
    for (const b of bytes) this.#backlog.push(b & 0xff);
    this.#refill();
  }

  /** Bytes received but not yet in the FIFO (waiting for the guest to make room). */
  get backlog(): number {
    return this.#backlog.length;
  }

  /** Register read. */
  read(offset: number, _size: AccessSize): number {
    if (offset >= PL011_REG.PERIPH_ID0 && offset <= 0xffc && offset % 4 === 0) {
      return PL011_ID[(offset - PL011_REG.PERIPH_ID0) >> 2]!;
    }
    switch (offset) {
      case PL011_REG.DR:
        return this.#readData();
      case PL011_REG.RSR_ECR:
        return this.#rsr;
      case PL011_REG.FR:
        return this.#flags();
      case PL011_REG.ILPR:
        return this.#ilpr;
      case PL011_REG.IBRD:
        return this.#ibrd;
      case PL011_REG.FBRD:
        return this.#fbrd;
      case PL011_REG.LCR_H:
        return this.#lcr;
      case PL011_REG.CR:
        return this.#cr;
      case PL011_REG.IFLS:
        return this.#ifls;
      case PL011_REG.IMSC:
        return this.#imsc;
      case PL011_REG.RIS:
        return this.#ris;
      case PL011_REG.MIS:
        return this.#ris & this.#imsc;
      case PL011_REG.DMACR:
        return this.#dmacr;
      default:
        return 0; // ICR is write-only; holes read as zero
    }
  }

  /** Register write. */
  write(offset: number, _size: AccessSize, value: number): void {
    switch (offset) {
      case PL011_REG.DR:
        this.#sink(value & 0xff);
        this.#ris |= PL011_INT.TX; // the byte left at once: the transmit FIFO is empty again
        break;
      case PL011_REG.RSR_ECR:
        this.#rsr = 0; // any write clears the error flags
        break;
      case PL011_REG.ILPR:
        this.#ilpr = value >>> 0;
        break;
      case PL011_REG.IBRD:
        this.#ibrd = value >>> 0;
        break;
      case PL011_REG.FBRD:
        this.#fbrd = value >>> 0;
        break;
      case PL011_REG.LCR_H:
        // Turning the FIFOs on or off starts the receive FIFO afresh (as QEMU does).
        if ((this.#lcr ^ value) & LCR_FEN) this.#moveFifoToBacklog();
        this.#lcr = value >>> 0;
        this.#refill();
        break;
      case PL011_REG.CR:
        this.#cr = value >>> 0;
        break;
      case PL011_REG.IFLS:
        this.#ifls = value >>> 0;
        this.#updateRx();
        break;
      case PL011_REG.IMSC:
        this.#imsc = value >>> 0;
        break;
      case PL011_REG.ICR:
        this.#ris &= ~value;
        break;
      case PL011_REG.DMACR:
        this.#dmacr = value >>> 0;
        break;
      default:
        break; // FR, RIS, MIS and the IDs are read-only
    }
    this.#updateIrq();
  }

  /** Back to the power-on state (the backlog of host input is kept). */
  reset(): void {
    this.#moveFifoToBacklog();
    this.#rsr = this.#ilpr = this.#ibrd = this.#fbrd = this.#lcr = this.#imsc = this.#ris = this.#dmacr = 0;
    this.#cr = RESET.cr;
    this.#ifls = RESET.ifls;
    this.#refill();
  }

  #depth(): number {
    return this.#lcr & LCR_FEN ? PL011_FIFO_DEPTH : 1;
  }

  #trigger(): number {
    if (!(this.#lcr & LCR_FEN)) return 1;
    return RX_TRIGGER[(this.#ifls >> 3) & 7] ?? RX_TRIGGER[4];
  }

  #flags(): number {
    let fr = PL011_FR.TXFE;
    if (this.#fifo.length === 0) fr |= PL011_FR.RXFE;
    if (this.#fifo.length >= this.#depth()) fr |= PL011_FR.RXFF;
    return fr;
  }

  #readData(): number {
    const value = this.#fifo.shift();
    if (value === undefined) return 0;
    this.#rsr = (value >> 8) & 0xf;
    this.#refill();
    this.#updateIrq();
    return value;
  }

  #moveFifoToBacklog(): void {
    this.#backlog.unshift(...this.#fifo);
    this.#fifo = [];
  }

  /** Moves waiting host bytes into the FIFO while it has room, then recomputes RX and RT. */
  #refill(): void {
    const depth = this.#depth();
    while (this.#fifo.length < depth && this.#backlog.length > 0) this.#fifo.push(this.#backlog.shift()!);
    this.#updateRx();
    this.#updateIrq();
  }

  #updateRx(): void {
    const count = this.#fifo.length;
    if (count >= this.#trigger()) this.#ris |= PL011_INT.RX;
    else this.#ris &= ~PL011_INT.RX;
    // The line has gone quiet with bytes below the trigger level: the receive timeout fires.
    if (count === 0) this.#ris &= ~PL011_INT.RT;
    else if (count < this.#trigger()) this.#ris |= PL011_INT.RT;
  }

  #updateIrq(): void {
    const level = (this.#ris & this.#imsc) !== 0;
    if (level !== this.#level) {
      this.#level = level;
      this.#irq.set(level);
    }
  }
}
