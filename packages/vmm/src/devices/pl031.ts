/**
 * ARM PrimeCell PL031 real-time clock: a seconds counter (DR) that the guest may set (LR), a match
 * register (MR) raising an interrupt when the count reaches it, and the usual mask/raw/masked/clear
 * interrupt registers. Register behaviour follows QEMU's model (CR reads 1: the RTC always runs).
 */
import type { AccessSize, MmioOps } from '../memory/memory-region.ts';
import { type Clock, realClock, type Timer } from '@armvm/fscache';
import type { IrqLine } from './irq-line.ts';

/** Register offsets. */
export const PL031_REG = {
  DR: 0x00,
  MR: 0x04,
  LR: 0x08,
  CR: 0x0c,
  IMSC: 0x10,
  RIS: 0x14,
  MIS: 0x18,
  ICR: 0x1c,
  PERIPH_ID0: 0xfe0,
} as const;

/** Peripheral and PrimeCell ID bytes at 0xFE0..0xFFC, QEMU's values. */
export const PL031_ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

/** The RTC. Map `ops` as an MMIO region of 0x1000 bytes. */
export class Pl031 {
  /** The MMIO handlers. */
  readonly ops: MmioOps;
  readonly #irq: IrqLine;
  readonly #clock: Clock;
  /** Added to the clock's seconds to give the count (LR moves it). */
  #tickOffset = 0;
  #mr = 0;
  #lr = 0;
  #im = 0;
  #is = 0;
  #alarm: Timer | undefined;

  constructor(irq: IrqLine, clock: Clock = realClock) {
    this.#irq = irq;
    this.#clock = clock;
    this.ops = {
      read: (offset, size) => this.read(offset, size),
      write: (offset, size, value) => this.write(offset, size, value),
    };
    irq.set(false);
  }

  /** The current count: seconds since the epoch, as moved by LR. */
  count(): number {
    return (this.#tickOffset + Math.floor(this.#clock.now() / 1000)) >>> 0;
  }

  /** Register read. */
  read(offset: number, _size: AccessSize): number {
    if (offset >= PL031_REG.PERIPH_ID0 && offset <= 0xffc && offset % 4 === 0) {
      return PL031_ID[(offset - PL031_REG.PERIPH_ID0) >> 2]!;
    }
    switch (offset) {
      case PL031_REG.DR:
        return this.count();
      case PL031_REG.MR:
        return this.#mr;
      case PL031_REG.LR:
        return this.#lr;
      case PL031_REG.CR:
        return 1; // always enabled
      case PL031_REG.IMSC:
        return this.#im;
      case PL031_REG.RIS:
        return this.#is;
      case PL031_REG.MIS:
        return this.#is & this.#im;
      default:
        return 0;
    }
  }

  /** Register write. */
  write(offset: number, _size: AccessSize, value: number): void {
    switch (offset) {
      case PL031_REG.LR:
        this.#lr = value >>> 0;
        this.#tickOffset = (this.#tickOffset + (value >>> 0) - this.count()) | 0;
        this.#armAlarm();
        break;
      case PL031_REG.MR:
        this.#mr = value >>> 0;
        this.#armAlarm();
        break;
      case PL031_REG.IMSC:
        this.#im = value & 1;
        break;
      case PL031_REG.ICR:
        this.#is &= ~value;
        break;
      default:
        break; // CR writes are ignored; DR, RIS, MIS and the IDs are read-only
    }
    this.#update();
  }

  /** Stops the pending alarm (when the machine goes away). */
  dispose(): void {
    this.#alarm?.cancel();
    this.#alarm = undefined;
  }

  /** Schedules the match interrupt for when the count reaches MR (counting wraps at 2^32). */
  #armAlarm(): void {
    this.#alarm?.cancel();
    this.#alarm = undefined;
    const ticks = (this.#mr - this.count()) >>> 0;
    if (ticks === 0) {
      this.#is = 1;
      return;
    }
    // Seconds tick on whole seconds of the clock, so the match lands at the start of one.
    const ms = ticks * 1000 - (this.#clock.now() % 1000);
    this.#alarm = this.#clock
      .setTimeout(() => {
        this.#alarm = undefined;
        this.#is = 1;
        this.#update();
      }, ms)
      .unref(); // a pending match does not keep armvm running
  }

  #update(): void {
    this.#irq.set((this.#is & this.#im) !== 0);
  }
}
