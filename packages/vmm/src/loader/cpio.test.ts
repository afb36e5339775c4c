import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CpioError, CpioType, newcArchive, type CpioEntry } from './cpio.ts';

/** A reader written from the format's description, to check the writer against. */
function readNewc(bytes: Uint8Array): { path: string; mode: number; data: Uint8Array; rdev: number[] }[] {
  const text = new TextDecoder('latin1');
  const out = [];
  let at = 0;
  for (;;) {
    const head = text.decode(bytes.subarray(at, at + 110));
    assert.equal(head.slice(0, 6), '070701', `magic at ${at}`);
    const field = (i: number) => parseInt(head.slice(6 + i * 8, 14 + i * 8), 16);
    const size = field(6);
    const nameSize = field(11);
    const nameAt = at + 110;
    const path = text.decode(bytes.subarray(nameAt, nameAt + nameSize - 1));
    assert.equal(bytes[nameAt + nameSize - 1], 0, 'name is NUL-terminated');
    const dataAt = nameAt + nameSize + ((4 - ((110 + nameSize) % 4)) % 4);
    assert.equal(dataAt % 4, 0);
    if (path === 'TRAILER!!!') {
      assert.equal(dataAt, bytes.length, 'nothing after the trailer');
      return out;
    }
    out.push({ path, mode: field(1), data: bytes.slice(dataAt, dataAt + size), rdev: [field(9), field(10)] });
    at = dataAt + size + ((4 - (size % 4)) % 4);
  }
}

describe('newc cpio archives', () => {
  test('directories, files, symlinks and devices come back as written, 4-byte aligned', () => {
    const entries: CpioEntry[] = [
      { path: 'bin', mode: CpioType.directory | 0o755 },
      { path: 'bin/busybox', mode: CpioType.file | 0o755, data: Uint8Array.of(1, 2, 3, 4, 5) },
      { path: 'bin/sh', mode: CpioType.symlink | 0o777, data: new TextEncoder().encode('busybox') },
      { path: 'dev', mode: CpioType.directory | 0o755 },
      { path: 'dev/console', mode: CpioType.characterDevice | 0o600, rdev: { major: 5, minor: 1 } },
      { path: 'init', mode: CpioType.file | 0o755, data: new TextEncoder().encode('#!/bin/sh\n') },
    ];
    const back = readNewc(newcArchive(entries));
    assert.deepEqual(
      back.map((e) => [e.path, e.mode, Buffer.from(e.data).toString('hex'), e.rdev.join(':')]),
      entries.map((e) => [
        e.path,
        e.mode,
        Buffer.from(e.data ?? []).toString('hex'),
        `${e.rdev?.major ?? 0}:${e.rdev?.minor ?? 0}`,
      ]),
    );
  });

  test('property: any names and contents round-trip; the same input gives the same bytes', () => {
    const entry = fc.record({
      path: fc
        .stringMatching(/^[a-z0-9_.-]{1,12}(\/[a-z0-9_-]{1,12}){0,3}$/)
        .filter((p) => !p.split('/').includes('..')),
      data: fc.uint8Array({ maxLength: 70 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (list) => {
        const entries = list.map((e) => ({ path: e.path, mode: CpioType.file | 0o644, data: e.data }));
        const bytes = newcArchive(entries);
        assert.deepEqual(Buffer.from(newcArchive(entries)), Buffer.from(bytes));
        const back = readNewc(bytes);
        assert.deepEqual(
          back.map((e) => [e.path, Buffer.from(e.data).toString('hex')]),
          entries.map((e) => [e.path, Buffer.from(e.data).toString('hex')]),
        );
      }),
    );
  });

  test('absolute names and .. are refused', () => {
    for (const path of ['/init', 'a/../b', '']) {
      assert.throws(() => newcArchive([{ path, mode: CpioType.file }]), CpioError);
    }
  });

  const cpio = spawnSync('cpio', ['--version']);
  test('GNU cpio lists what we wrote', { skip: cpio.error ? 'cpio is not installed' : false }, () => {
    const bytes = newcArchive([
      { path: 'etc', mode: CpioType.directory | 0o755 },
      { path: 'etc/motd', mode: CpioType.file | 0o644, data: new TextEncoder().encode('hi\n') },
    ]);
    const listed = spawnSync('cpio', ['-it', '--quiet'], { input: bytes });
    assert.equal(listed.status, 0, listed.stderr.toString());
    assert.deepEqual(listed.stdout.toString().trim().split('\n'), ['etc', 'etc/motd']);
  });
});
