import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExceptionKind, type ExceptionReport } from '@armvm/arm';
import { formatBlockCode, formatException, formatMmuFault } from './cpu-log.ts';

const abort: ExceptionReport = {
  kind: ExceptionKind.dataAbort,
  pc: 0xc0008000,
  fromCpsr: 0x600001d3,
  toCpsr: 0x600001d7,
  vector: 0xffff0010,
  dfsr: 0x807, // translation fault (page), write
  dfar: 0xdead0000,
  ifsr: 0,
  ifar: 0,
};

describe('the CPU log items', () => {
  test('-d int: the exception, its PC, modes and vector, and the fault registers of an abort', () => {
    assert.equal(
      formatException(1, abort),
      'Taking exception 4 [Data Abort] on CPU 1\n' +
        '...at PC 0xc0008000, mode svc -> abt, vector 0xffff0010\n' +
        '...with DFSR 0x00000807 DFAR 0xdead0000',
    );
  });

  test('-d mmu: an MMU fault in words; other exceptions are not MMU faults', () => {
    assert.equal(
      formatMmuFault(0, abort),
      'CPU 0: MMU translation fault (page), domain 0, write of 0xdead0000 at PC 0xc0008000',
    );
    assert.equal(formatMmuFault(0, { ...abort, dfsr: 0x008 }), undefined); // an external abort
    assert.equal(formatMmuFault(0, { ...abort, kind: ExceptionKind.irq }), undefined);
  });

  test('-d in_asm: a Thumb block lists 16- and 32-bit instructions at their addresses', () => {
    const text = formatBlockCode({
      pc: 0x40000000,
      thumb: true,
      mode: 0x13,
      words: [0x2001, 0xf0008000],
      sizes: [2, 4],
    });
    assert.equal(text, 'IN: (thumb, svc)\n0x40000000:  2001\n0x40000002:  f000 8000\n');
  });
});
