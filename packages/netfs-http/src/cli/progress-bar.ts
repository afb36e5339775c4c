/**
 * Progress on a terminal, as wget and rclone draw it: size, percent, speed and time left on one
 * line, redrawn at most ten times a second and erased when the transfer ends, however it ends.
 */
import { type Clock, realClock } from '@armvm/fscache';

/** Human-readable bytes: 1.5 MiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/** Seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return hms[0] ? `${hms[0]}:${two(hms[1]!)}:${two(hms[2]!)}` : `${hms[1]}:${two(hms[2]!)}`;
}

// Erase the whole line and go back to its start (ANSI "erase in line").
const ERASE = '\r\x1b[2K';

/** Draws progress on a terminal stream; a stream that is not a terminal gets nothing. */
export class ProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #label: string;
  readonly #clock: Clock;
  readonly #start: number;
  #last = -Infinity;
  #drawn = false;

  constructor(out: NodeJS.WriteStream, label: string, clock: Clock = realClock) {
    this.#out = out;
    this.#label = label;
    this.#clock = clock;
    this.#start = clock.now();
  }

  /** The line for `done` of `total` bytes after `seconds`: `name  45% [####    ] 2.7 MiB/6.0 MiB  2.5 MiB/s  ETA 0:01`. */
  static line(label: string, done: number, total: number, seconds: number, columns: number): string {
    const rate = done / Math.max(0.001, seconds);
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const eta = rate > 0 && total > done ? formatDuration((total - done) / rate) : '--:--';
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const tail = ` ${formatBytes(done)}/${formatBytes(total)}  ${formatBytes(rate)}/s  ETA ${eta}`;
    const room = columns - 1 - label.length - pct.length - tail.length - 4;
    const width = Math.max(0, Math.min(40, room));
    const filled = Math.round(frac * width);
    const bar = width >= 5 ? ` [${'#'.repeat(filled)}${' '.repeat(width - filled)}]` : '';
    return `${label}${pct}${bar}${tail}`.slice(0, columns - 1);
  }

  /** Shows `done` of `total` bytes. */
  update(done: number, total: number): void {
    if (!this.#out.isTTY) return;
    const now = this.#clock.now();
    if (now - this.#last < 100 && done < total) return;
    this.#last = now;
    const line = ProgressBar.line(
      `${this.#label} `,
      done,
      total,
      (now - this.#start) / 1000,
      this.#out.columns || 80,
    );
    this.#out.write(`${ERASE}${line}`);
    this.#drawn = true;
  }

  /** Erases the line, leaving the terminal as it was. */
  clear(): void {
    if (this.#drawn) this.#out.write(ERASE);
    this.#drawn = false;
  }
}
