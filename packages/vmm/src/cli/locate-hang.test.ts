/**
 * A guest that hangs silently (an undefined instruction whose handler returns to it) is found with
 * `-d int` (the log says which exception, where, in which mode) written to `-D FILE`, apart from
 * the guest's own output.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { armvmWithin } from '../test-support/armvm-in-process.ts';
import { UDF_AT, writeUndefinedLoop } from '../test-support/hanging-guest.ts';

let dir = '';
let image = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'armvm-hang-'));
  image = writeUndefinedLoop(join(dir, 'udf-loop.bin'));
});
after(() => rm(dir, { recursive: true, force: true }));

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

describe('a hanging guest located', () => {
  test('-d int -D FILE: every exception with its vector, modes and PC, in the file only', async () => {
    const log = join(dir, 'int.log');
    const r = await armvmWithin(
      1500,
      'run',
      '-nographic',
      '-kernel',
      image,
      '-d',
      'int,cpu_reset',
      '-D',
      log,
    );
    assert.equal(r.status, 0, r.err);
    assert.equal(r.out, '', 'the log never reaches the guest output');
    assert.doesNotMatch(r.err, /Taking exception/, 'with -D the log stays out of stderr');
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^CPU Reset \(CPU 0\)\n/);
    const first = text.indexOf('Taking exception');
    assert.equal(
      text.slice(first, text.indexOf('\n', text.indexOf('\n', first) + 1)),
      `Taking exception 1 [Undefined Instruction] on CPU 0\n...at PC ${hex(UDF_AT)}, mode svc -> und, vector ${hex(0x40010104)}`,
    );
    assert.ok(text.split('Taking exception 1').length > 100, 'the same exception, over and over');
  });

  test('-d int without -D goes to stderr, apart from the guest output', async () => {
    const r = await armvmWithin(1000, 'run', '-kernel', image, '-d', 'int');
    assert.match(r.err, /Taking exception 1 \[Undefined Instruction\] on CPU 0/);
    assert.equal(r.out, '');
  });
});
