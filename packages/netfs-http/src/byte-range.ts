/** Byte ranges of HTTP: the Range we send and the Content-Range a 206 answers with (RFC 9110 §14). */
import { CodedError } from '@armvm/fscache';

/** An inclusive span of bytes, as HTTP writes it: `start` to `end`, both counted. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** A parsed Content-Range: the span sent and the full length (undefined when the server wrote `*`). */
export interface ContentRange extends ByteRange {
  readonly total: number | undefined;
}

/** Why a byte range was refused, for the caller to put into its own error. */
export class ByteRangeError extends CodedError<'ERR_NETFS_BAD_RANGE'> {
  constructor(message: string) {
    super('ERR_NETFS_BAD_RANGE', message);
  }
}

/** Digits only: Number() would accept '0x10', ' 1', '1e3' and '' where HTTP allows none of them. */
const DIGITS = /^\d{1,16}$/;

/** Throws unless `range` is a non-empty span of safe, non-negative integers. */
export function checkByteRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new ByteRangeError(`invalid byte range ${start}-${end}: need integers with 0 <= start <= end`);
  }
}

/** The Range request header for `range`, e.g. `bytes=0-4095`. */
export function formatRange(range: ByteRange): string {
  checkByteRange(range);
  return `bytes=${range.start}-${range.end}`;
}

/** Parses `bytes START-END/TOTAL` (TOTAL may be `*`); throws ByteRangeError on anything else. */
export function parseContentRange(header: string): ContentRange {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (!m || !DIGITS.test(m[1]!) || !DIGITS.test(m[2]!) || (m[3] !== '*' && !DIGITS.test(m[3]!))) {
    throw new ByteRangeError(`malformed Content-Range ${JSON.stringify(header.slice(0, 100))}`);
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) {
    throw new ByteRangeError(`Content-Range ${header} has its end before its start`);
  }
  if (total !== undefined && (!Number.isSafeInteger(total) || end >= total)) {
    throw new ByteRangeError(`Content-Range ${header} ends beyond the total length`);
  }
  return { start, end, total };
}

/** The `*` form a 416 answers with, `bytes *\/TOTAL`: the length, or undefined if the header is not one. */
export function parseUnsatisfiedRange(header: string | undefined): number | undefined {
  const m = header === undefined ? null : /^bytes \*\/(\d{1,16})$/.exec(header.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Checks that a 206's Content-Range answers the Range we asked for. The server may end it early
 * only where the resource ends (RFC 9110 §14.1.1: a last position past the end is clamped).
 */
export function checkAnswersRange(asked: ByteRange, got: ContentRange): void {
  const clampedAtEof = got.total !== undefined && got.end === got.total - 1 && got.end < asked.end;
  if (got.start !== asked.start || (got.end !== asked.end && !clampedAtEof)) {
    const total = got.total ?? '*';
    throw new ByteRangeError(
      `asked for bytes ${asked.start}-${asked.end}, the server sent bytes ${got.start}-${got.end}/${total}`,
    );
  }
}

/** Number of bytes in an inclusive span. */
export function rangeLength(range: ByteRange): number {
  return range.end - range.start + 1;
}
