/**
 * The values command-line options take, parsed strictly: a bad value is a `UsageError` naming
 * the option, never a NaN carried on. Sizes and ages are written as rclone writes them.
 */
import { InvalidArgumentError } from 'commander';
import { CodedError } from '@armvm/fscache';

/** A bad command line: reported on one line, exit status 2. */
export class UsageError extends CodedError<'ERR_NETFS_USAGE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_NETFS_USAGE', message, options);
  }
}

/** A number of 0 or more (`--retry 3`, `--bcull 10`, `--bcull 10%`). */
export function parseNumber(text: string): number {
  const n = Number(text.replace(/%$/, ''));
  if (text.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('expected a number of 0 or more');
  return n;
}

/** A whole number of 0 or more. */
export function parseCount(text: string): number {
  const n = parseNumber(text);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** Seconds, as a number of ms. */
export function parseSeconds(text: string): number {
  return parseNumber(text) * 1000;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A size in bytes: `2G`, `500M`, `1.5GiB`, `4096` (binary units, as rclone's). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError('expected a size such as 500M, 2G or 4096 (bytes)');
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
}

const AGE_UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** An age, as a number of ms: `7d`, `12h`, `1h30m`, `90s`; a bare number is seconds. */
export function parseAge(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(\.\d+)?[smhdw])+$/i.test(t))
    throw new InvalidArgumentError('expected an age such as 7d, 12h, 1h30m or 90s');
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([smhdw])/gi))
    ms += Number(m[1]) * AGE_UNITS[m[2]!.toLowerCase()]!;
  return ms;
}

/** An age as the shortest text `parseAge` reads back: 7d, 1h30m. */
export function formatAge(ms: number): string {
  let rest = Math.round(ms / 1000);
  if (rest === 0) return '0s';
  let out = '';
  for (const [u, s] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= s) {
      out += `${Math.floor(rest / s)}${u}`;
      rest %= s;
    }
  }
  return out;
}
