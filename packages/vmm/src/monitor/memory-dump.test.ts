import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_DUMP, formatMemoryDump, parseDumpFormat } from './memory-dump.ts';

const BYTES = Uint8Array.from([
  0x10, 0x00, 0x9f, 0xe5, 0x10, 0x0f, 0x0c, 0xee, 0xf0, 0x00, 0xf0, 0xe7, 0xfe, 0xff, 0xff, 0xea, 0x41, 0x0a,
]);
const BASE = 0x40010000;
const read = (address: number, length: number) => {
  const off = address - BASE;
  return off >= 0 && off + length <= BYTES.length ? BYTES.slice(off, off + length) : undefined;
};

describe('/FMT', () => {
  test('count, format and size in any order; what is not given comes from the last dump', () => {
    assert.deepEqual(parseDumpFormat(undefined), DEFAULT_DUMP);
    assert.deepEqual(parseDumpFormat('4xw'), { count: 4, format: 'x', size: 4 });
    assert.deepEqual(parseDumpFormat('10bx'), { count: 10, format: 'x', size: 1 });
    assert.deepEqual(parseDumpFormat('2g'), { count: 2, format: 'x', size: 8 });
    assert.deepEqual(parseDumpFormat('d', { count: 1, format: 'x', size: 2 }), {
      count: 1,
      format: 'd',
      size: 2,
    });
    assert.deepEqual(parseDumpFormat(undefined, { count: 8, format: 'u', size: 2 }), {
      count: 1,
      format: 'u',
      size: 2,
    });
    assert.deepEqual(parseDumpFormat('3c'), { count: 3, format: 'c', size: 1 });
    assert.deepEqual(parseDumpFormat('2i'), { count: 2, format: 'i', size: 4 });
    assert.throws(() => parseDumpFormat('4z'), { message: "invalid char in format: 'z'" });
  });
});

describe('memory dump', () => {
  test('words in hex, four to a line, at 8 hex digits (virtual) or 16 (physical)', () => {
    assert.equal(
      formatMemoryDump(BASE, parseDumpFormat('4xw'), read, false),
      '40010000: 0xe59f0010 0xee0c0f10 0xe7f000f0 0xeafffffe\n',
    );
    assert.equal(
      formatMemoryDump(BASE, parseDumpFormat('2xg'), read, true),
      '0000000040010000: 0xee0c0f10e59f0010 0xeafffffee7f000f0\n',
    );
  });

  test('bytes eight to a line; signed, unsigned, octal and characters', () => {
    assert.equal(
      formatMemoryDump(BASE, parseDumpFormat('9xb'), read, false),
      '40010000: 0x10 0x00 0x9f 0xe5 0x10 0x0f 0x0c 0xee\n40010008: 0xf0\n',
    );
    assert.equal(formatMemoryDump(BASE + 10, parseDumpFormat('2dh'), read, false), '4001000a: -6160    -2\n');
    assert.equal(formatMemoryDump(BASE + 10, parseDumpFormat('1uh'), read, false), '4001000a: 59376\n');
    assert.equal(formatMemoryDump(BASE, parseDumpFormat('1ob'), read, false), '40010000: 020\n');
    assert.equal(
      formatMemoryDump(BASE + 15, parseDumpFormat('3c'), read, false),
      "4001000f: '\\xea' 'A' '\\n'\n",
    );
  });

  test('instructions are printed as words (there is no disassembler)', () => {
    assert.equal(
      formatMemoryDump(BASE + 8, parseDumpFormat('2i'), read, false),
      '40010008: 0xe7f000f0 0xeafffffe\n',
    );
  });

  test('an address that cannot be read ends the dump with a line saying so', () => {
    assert.equal(
      formatMemoryDump(BASE + 8, parseDumpFormat('8xw'), read, false),
      '40010008: Cannot access memory\n',
    );
  });
});
