import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ByteRangeError,
  checkAnswersRange,
  formatRange,
  parseContentRange,
  parseUnsatisfiedRange,
  rangeLength,
} from './byte-range.ts';

test('formats a Range header and refuses impossible spans', () => {
  assert.equal(formatRange({ start: 0, end: 4095 }), 'bytes=0-4095');
  assert.equal(rangeLength({ start: 10, end: 10 }), 1);
  for (const bad of [
    { start: -1, end: 3 },
    { start: 5, end: 4 },
    { start: 0.5, end: 4 },
    { start: 0, end: Number.MAX_SAFE_INTEGER + 1 },
    { start: NaN, end: 1 },
  ]) {
    assert.throws(() => formatRange(bad), ByteRangeError, JSON.stringify(bad));
  }
});

test('parses Content-Range with a known or unknown total', () => {
  assert.deepEqual(parseContentRange('bytes 0-499/1234'), { start: 0, end: 499, total: 1234 });
  assert.deepEqual(parseContentRange(' bytes 7-7/* '), { start: 7, end: 7, total: undefined });
});

test('refuses malformed Content-Range', () => {
  for (const bad of [
    '',
    'bytes',
    'bytes 0-499',
    'bytes 5-4/10',
    'bytes 0-10/10',
    'bytes */10',
    'items 0-1/2',
    'bytes 0x1-2/3',
    'bytes -1-2/3',
    'bytes 1-2/3, 4-5/6',
    'bytes 0-99999999999999999/*',
  ]) {
    assert.throws(() => parseContentRange(bad), ByteRangeError, bad);
  }
});

test('a 416 total is read only from the `bytes */N` form', () => {
  assert.equal(parseUnsatisfiedRange('bytes */1000'), 1000);
  assert.equal(parseUnsatisfiedRange('bytes 0-1/1000'), undefined);
  assert.equal(parseUnsatisfiedRange(undefined), undefined);
});

test('a 206 must answer the range asked, ending early only at the end of the resource', () => {
  checkAnswersRange({ start: 0, end: 99 }, { start: 0, end: 99, total: 1000 });
  checkAnswersRange({ start: 900, end: 1999 }, { start: 900, end: 999, total: 1000 });
  checkAnswersRange({ start: 0, end: 9 }, { start: 0, end: 9, total: undefined });
  assert.throws(
    () => checkAnswersRange({ start: 0, end: 99 }, { start: 1, end: 99, total: 1000 }),
    /sent bytes 1-99/,
  );
  assert.throws(
    () => checkAnswersRange({ start: 0, end: 99 }, { start: 0, end: 49, total: 1000 }),
    ByteRangeError,
  );
  assert.throws(
    () => checkAnswersRange({ start: 0, end: 99 }, { start: 0, end: 49, total: undefined }),
    /\/\*/,
  );
  assert.throws(
    () => checkAnswersRange({ start: 0, end: 9 }, { start: 0, end: 19, total: 100 }),
    ByteRangeError,
  );
});

test('property: a formatted span parses back to itself; any other text parses to a valid span or throws', () => {
  const pos = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 });
  fc.assert(
    fc.property(pos, pos, fc.nat(), (a, b, extra) => {
      const start = Math.min(a, b);
      const end = Math.max(a, b);
      const total = Math.min(end + 1 + extra, Number.MAX_SAFE_INTEGER);
      const header = `${formatRange({ start, end }).replace('=', ' ')}/${total}`;
      assert.deepEqual(parseContentRange(header), { start, end, total });
    }),
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      try {
        const r = parseContentRange(`bytes ${s}`);
        assert.ok(r.start <= r.end && (r.total === undefined || r.end < r.total));
      } catch (err) {
        assert.ok(err instanceof ByteRangeError);
      }
    }),
  );
});
