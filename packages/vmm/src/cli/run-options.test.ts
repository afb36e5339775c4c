import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRamSize, parseRunOptions, type RunOptions, UsageError } from './run-options.ts';

function parse(...argv: string[]): RunOptions {
  const o = parseRunOptions(argv, '/cache');
  assert.notEqual(o, 'help');
  return o as RunOptions;
}

describe('armvm run options', () => {
  test('QEMU spellings work: -kernel, -m, -smp, -append', () => {
    const o = parse('-kernel', 'k.elf', '-m', '256', '-smp', '2', '-append', 'console=ttyAMA0');
    assert.equal(o.kernel, 'k.elf');
    assert.equal(o.ramSize, 256 * 2 ** 20);
    assert.equal(o.smp, 2);
    assert.equal(o.append, 'console=ttyAMA0');
  });

  test('defaults: 128 MiB, one vCPU, the given cache directory, reboot on reset', () => {
    const o = parse('--kernel', 'k');
    assert.equal(o.ramSize, 128 * 2 ** 20);
    assert.equal(o.smp, 1);
    assert.equal(o.cacheDir, '/cache');
    assert.equal(o.noReboot, false);
    assert.deepEqual(o.drives, []);
  });

  test('memory sizes take QEMU suffixes', () => {
    assert.equal(parseRamSize('512'), 512 * 2 ** 20);
    assert.equal(parseRamSize('512M'), 512 * 2 ** 20);
    assert.equal(parseRamSize('1G'), 2 ** 30);
    assert.equal(parseRamSize('1.5g'), 1.5 * 2 ** 30);
    assert.equal(parseRamSize('65536k'), 64 * 2 ** 20);
    assert.equal(parseRamSize('2GB'), 2 * 2 ** 30);
  });

  test('memory sizes that cannot be are refused with a reason', () => {
    assert.throws(() => parseRamSize('lots'), /bad memory size/);
    assert.throws(() => parseRamSize('4G'), /highmem off/);
    assert.throws(() => parseRamSize('100k'), /below 1 MiB/);
  });

  test('--smp accepts N and cpus=N, within 1..8', () => {
    assert.equal(parse('--kernel', 'k', '--smp', 'cpus=4').smp, 4);
    assert.throws(() => parse('--kernel', 'k', '--smp', '9'), /1 to 8/);
    assert.throws(() => parse('--kernel', 'k', '--smp', '0'), UsageError);
  });

  test('--drive takes a path, a URL (read-only) or QEMU properties', () => {
    const o = parse(
      '--kernel',
      'k',
      '--drive',
      'disk.img',
      '--drive',
      'http://host/disk.img',
      '--drive',
      'file=ro.img,if=virtio,format=raw,readonly=on,serial=disk0',
    );
    assert.deepEqual(o.drives, [
      { source: 'disk.img', readOnly: false, serial: '' },
      { source: 'http://host/disk.img', readOnly: true, serial: '' },
      { source: 'ro.img', readOnly: true, serial: 'disk0' },
    ]);
    assert.throws(() => parse('--kernel', 'k', '--drive', 'file=x,if=ide'), /if=virtio/);
    assert.throws(() => parse('--kernel', 'k', '--drive', 'bogus=1'), /unknown property/);
  });

  test('unknown options, a missing kernel and bad trace names are usage errors', () => {
    assert.throws(
      () => parse('--kernel', 'k', '--frobnicate'),
      (e: Error) => e instanceof UsageError,
    );
    assert.throws(() => parse('--append', 'x'), /no kernel given/);
    assert.throws(() => parse('--kernel', 'k', '-d', 'nonsense'), /unknown trace category "nonsense"/);
    assert.throws(() => parse('--kernel', 'k', '--cache', 'x', '--no-cache'), /contradict/);
  });

  test('trace lists combine, "all" means every category; --no-cache leaves no cache', () => {
    const o = parse('--kernel', 'k', '-d', 'unimp,exit', '--trace', 'mmio', '--no-cache');
    assert.deepEqual(o.trace, ['unimp', 'exit', 'mmio']);
    assert.equal(o.cacheDir, undefined);
    assert.ok(parse('--kernel', 'k', '-d', 'all').trace.length >= 6);
  });

  test('--help asks for the help text', () => {
    assert.equal(parseRunOptions(['--help'], '/c'), 'help');
  });
});
