/** A one-line progress bar for a terminal, redrawn at most ten times a second. */

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

/** Draws progress on a TTY stream; does nothing elsewhere. */
export class ProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #label: string;
  readonly #start = Date.now();
  #last = 0;

  constructor(out: NodeJS.WriteStream, label: string) {
    this.#out = out;
    this.#label = label;
  }

  /** Shows `done` of `total` bytes. */
  update(done: number, total: number): void {
    const now = Date.now();
    if (now - this.#last < 100 && done < total) return;
    this.#last = now;
    const width = Math.max(10, Math.min(40, (this.#out.columns ?? 80) - 50));
    const frac = total > 0 ? done / total : 1;
    const filled = Math.round(frac * width);
    const rate = done / Math.max(0.001, (now - this.#start) / 1000);
    const line = `${this.#label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(done)} ${formatBytes(rate)}/s`;
    this.#out.write(`\r${line.slice(0, (this.#out.columns ?? 80) - 1)}`);
  }

  /** Ends the line. */
  done(): void {
    this.#out.write('\n');
  }
}
