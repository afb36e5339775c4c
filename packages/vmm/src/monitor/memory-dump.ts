/**
 * The `x` and `xp` dumps: QEMU's `/FMT` syntax (a count, a format letter among x d u o c i, a size
 * letter among b h w g, in any order) and the layout of the dump: an address, then up to 16 bytes
 * (8 for bytes) worth of items per line, each in the chosen base.
 */
import { MonitorError } from './monitor-command.ts';

/** How items are printed: hex, signed, unsigned, octal, characters, instructions (printed as hex). */
export type DumpFormat = 'x' | 'd' | 'u' | 'o' | 'c' | 'i';
/** Item size in bytes (b, h, w, g). */
export type DumpSize = 1 | 2 | 4 | 8;

/** A parsed `/FMT`. */
export interface DumpSpec {
  readonly count: number;
  readonly format: DumpFormat;
  readonly size: DumpSize;
}

/** What a dump shows when nothing was said before: one hex word, as in QEMU. */
export const DEFAULT_DUMP: DumpSpec = { count: 1, format: 'x', size: 4 };

const SIZES: Record<string, DumpSize> = { b: 1, h: 2, w: 4, g: 8 };

/** A dump longer than this is refused rather than flooding the terminal. */
const MAX_DUMP_BYTES = 64 * 1024;

/**
 * Parses the text after `/` (undefined when there was none). The format and size not given are the
 * previous command's, as QEMU remembers them; the count is 1 unless given.
 */
export function parseDumpFormat(text: string | undefined, last: DumpSpec = DEFAULT_DUMP): DumpSpec {
  if (text === undefined) return { ...last, count: 1 };
  const m = /^(\d*)(.*)$/.exec(text)!;
  const count = m[1] === '' ? 1 : Number(m[1]);
  let format: DumpFormat | undefined;
  let size: DumpSize | undefined;
  for (const ch of m[2]!) {
    if ('xduoci'.includes(ch)) format = ch as DumpFormat;
    else if (ch in SIZES) size = SIZES[ch]!;
    else throw new MonitorError(`invalid char in format: '${ch}'`);
  }
  format ??= last.format;
  // characters are bytes and instructions are ARM words unless a size says otherwise
  size ??= format === 'c' ? 1 : format === 'i' ? 4 : last.size;
  if (count * size > MAX_DUMP_BYTES) throw new MonitorError(`dump too long: at most ${MAX_DUMP_BYTES} bytes`);
  return { count, format, size };
}

function item(bytes: Uint8Array, at: number, size: DumpSize): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}

/** A byte as `c` shows it: printable as is, else as an escape. */
function charOf(v: number): string {
  if (v === 0x0a) return "'\\n'";
  if (v === 0x0d) return "'\\r'";
  if (v === 0x5c) return "'\\\\'";
  if (v === 0x27) return "'\\''";
  if (v >= 0x20 && v < 0x7f) return `'${String.fromCharCode(v)}'`;
  return `'\\x${v.toString(16).padStart(2, '0')}'`;
}

function formatItem(v: bigint, spec: DumpSpec): string {
  const bits = spec.size * 8;
  switch (spec.format) {
    case 'x':
    case 'i':
      return `0x${v.toString(16).padStart(bits / 4, '0')}`;
    case 'o':
      return (v === 0n ? '0' : `0${v.toString(8)}`).padStart(Math.ceil(bits / 3));
    case 'u':
      return v.toString().padStart(Math.ceil((bits * 10) / 33));
    case 'd':
      return BigInt.asIntN(bits, v)
        .toString()
        .padStart(Math.ceil((bits * 10) / 33));
    case 'c':
      return charOf(Number(v));
  }
}

/**
 * The dump of `spec.count` items from `address`; `read` gives the bytes at an address, or undefined
 * when they cannot be read (the dump then ends with a line saying so). Virtual addresses print as 8
 * hex digits, physical ones as 16, as QEMU prints them for a 32-bit guest.
 */
export function formatMemoryDump(
  address: number,
  spec: DumpSpec,
  read: (address: number, length: number) => Uint8Array | undefined,
  physical: boolean,
): string {
  const lineBytes = spec.size === 1 ? 8 : 16;
  let left = spec.count * spec.size;
  let at = address;
  let out = '';
  while (left > 0) {
    const n = Math.min(left, lineBytes);
    out += `${at.toString(16).padStart(physical ? 16 : 8, '0')}:`;
    const bytes = read(at, n);
    if (bytes === undefined) return `${out} Cannot access memory\n`;
    for (let i = 0; i < n; i += spec.size) out += ` ${formatItem(item(bytes, i, spec.size), spec)}`;
    out += '\n';
    at += n;
    left -= n;
  }
  return out;
}
