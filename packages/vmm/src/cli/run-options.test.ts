import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseGdbListen, parseRamSize, parseRunOptions, type RunOptions, UsageError } from './run-options.ts';

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
    assert.throws(() => parse('--kernel', 'k', '--drive', 'file=x,if=ide'), /if=ide is not supported/);
    assert.throws(() => parse('--kernel', 'k', '--drive', 'bogus=1'), /property "bogus" is not supported/);
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

  test('-d help asks for the category list; --version for the version', () => {
    assert.equal(parseRunOptions(['-d', 'help'], '/c'), 'trace-help');
    assert.equal(parseRunOptions(['--version'], '/c'), 'version');
    assert.equal(parseRunOptions(['-version'], '/c'), 'version');
  });
});

describe("QEMU's spellings", () => {
  test("conformance/Makefile's QEMU_FLAGS and the Linux boot of bench/linux.ts parse unchanged", () => {
    const o = parse(
      ...['-M', 'virt,highmem=off', '-cpu', 'cortex-a15', '-display', 'none', '-monitor', 'none'],
      ...['-nic', 'none', '-serial', 'stdio', '-smp', '2', '-kernel', 'k.elf'],
    );
    assert.equal(o.smp, 2);
    assert.deepEqual(o.serial, { kind: 'stdio' });
    assert.equal(o.monitor, 'none');
    const linux = parse(
      ...['-M', 'virt,highmem=off', '-cpu', 'cortex-a15', '-accel', 'tcg', '-m', '256'],
      ...['-nographic', '-nodefaults', '-serial', 'stdio', '-no-reboot'],
      ...['-kernel', 'vmlinuz', '-initrd', 'initrd.gz', '-append', 'console=ttyAMA0'],
      ...['-drive', 'if=none,file=disk.img,format=raw,id=d0', '-device', 'virtio-blk-device,drive=d0'],
    );
    assert.equal(linux.noReboot, true);
    assert.equal(linux.initrd, 'initrd.gz');
    assert.deepEqual(linux.serial, { kind: 'stdio' });
    assert.deepEqual(linux.drives, [{ source: 'disk.img', readOnly: false, serial: '' }]);
  });

  test('-machine takes virt with highmem=off and gic-version=2, and refuses the rest by name', () => {
    parse('-machine', 'virt', '-kernel', 'k');
    parse('-M', 'virt,gic-version=2,highmem=off', '-kernel', 'k');
    assert.throws(() => parse('-M', 'vexpress-a15', '-kernel', 'k'), /-machine vexpress-a15: not supported/);
    assert.throws(() => parse('-M', 'virt,highmem=on', '-kernel', 'k'), /highmem=on: not supported/);
    assert.throws(() => parse('-M', 'virt,gic-version=3', '-kernel', 'k'), /gic-version=3: not supported/);
    assert.throws(() => parse('-M', 'virt,secure=on', '-kernel', 'k'), /property "secure" is not supported/);
  });

  test('-cpu, -display, -nic and -accel take what armvm has and name what it refuses', () => {
    parse('-cpu', 'cortex-a15', '-display', 'none', '-nic', 'none', '-accel', 'kvm', '-kernel', 'k');
    parse('-enable-kvm', '-net', 'none', '-kernel', 'k');
    assert.throws(() => parse('-cpu', 'max', '-kernel', 'k'), /-cpu max: not supported/);
    assert.throws(() => parse('-display', 'gtk', '-kernel', 'k'), /-display gtk: not supported/);
    assert.throws(() => parse('-nic', 'user', '-kernel', 'k'), /-nic user: not supported/);
    assert.throws(() => parse('-accel', 'hvf', '-kernel', 'k'), /-accel hvf: not supported/);
  });

  test('-serial: stdio, mon:stdio, null, file:PATH; -nodefaults alone leaves it unconnected', () => {
    assert.deepEqual(parse('-kernel', 'k').serial, { kind: 'stdio' });
    assert.deepEqual(parse('-serial', 'null', '-kernel', 'k').serial, { kind: 'null' });
    assert.deepEqual(parse('-serial', 'file:out.txt', '-kernel', 'k').serial, {
      kind: 'file',
      path: 'out.txt',
    });
    const mon = parse('-serial', 'mon:stdio', '-kernel', 'k');
    assert.deepEqual([mon.serial, mon.monitor], [{ kind: 'stdio' }, 'mux']);
    assert.deepEqual(parse('-nodefaults', '-kernel', 'k').serial, { kind: 'null' });
    assert.deepEqual(parse('-nographic', '-kernel', 'k').serial, { kind: 'stdio' });
    assert.throws(() => parse('-serial', 'pty', '-kernel', 'k'), /-serial pty: not supported/);
    assert.throws(() => parse('-serial', 'stdio', '-serial', 'null', '-kernel', 'k'), /one serial port/);
  });

  test('-drive if=none with -device virtio-blk-device, and the errors that pairing can have', () => {
    const o = parse(
      ...['-drive', 'if=none,file=a.img,format=raw,id=d0', '-drive', 'file=b.img,if=none,id=d1,readonly=on'],
      ...['-device', 'virtio-blk-device,drive=d1,serial=disk1', '-device', 'virtio-blk-device,drive=d0'],
      '-kernel',
      'k',
    );
    assert.deepEqual(o.drives, [
      { source: 'b.img', readOnly: true, serial: 'disk1' },
      { source: 'a.img', readOnly: false, serial: '' },
    ]);
    assert.deepEqual(parse('-drive', 'if=none,file=x,id=d0', '-kernel', 'k').drives, []);
    const k = ['-kernel', 'k'];
    assert.throws(() => parse('-device', 'virtio-blk-device,drive=nope', ...k), /no -drive with id "nope"/);
    assert.throws(
      () => parse('-drive', 'file=x,id=d0', '-device', 'virtio-blk-device,drive=d0', ...k),
      /needs if=none/,
    );
    assert.throws(() => parse('-drive', 'file=x,format=qcow2', ...k), /only format=raw/);
    assert.throws(() => parse('-device', 'e1000', ...k), /-device e1000: not supported/);
  });

  test('the virtio console as the Makefile spells it, the generic loader and -global', () => {
    const o = parse(
      ...['-global', 'virtio-mmio.force-legacy=false', '-chardev', 'stdio,id=c0,mux=on'],
      ...['-serial', 'chardev:c0', '-device', 'virtio-serial-device', '-device', 'virtconsole,chardev=c0'],
      ...['-device', 'loader,file=blob.bin,addr=0x40100000,force-raw=on', '-kernel', 'k'],
    );
    assert.equal(o.virtioConsole, true);
    assert.deepEqual(o.serial, { kind: 'stdio' });
    assert.deepEqual(o.loaders, [{ file: 'blob.bin', addr: 0x40100000 }]);
    assert.throws(
      () => parse('-global', 'virtio-mmio.force-legacy=true', '-kernel', 'k'),
      /modern transport/,
    );
    assert.throws(() => parse('-device', 'virtconsole,chardev=c0', '-kernel', 'k'), /no -chardev/);
  });

  test('-device pci-testdev, once', () => {
    assert.equal(parse('-kernel', 'k').pciTestdev, false);
    assert.equal(parse('-device', 'pci-testdev', '-kernel', 'k').pciTestdev, true);
    assert.throws(
      () => parse('-device', 'pci-testdev', '-device', 'pci-testdev', '-kernel', 'k'),
      /given twice/,
    );
    assert.throws(() => parse('-device', 'pci-testdev,membar=1M', '-kernel', 'k'), /membar/);
  });

  test('-s, -S, -gdb, -D and -monitor', () => {
    const o = parse('-s', '-S', '-D', 'log.txt', '-monitor', 'stdio', '-kernel', 'k');
    assert.deepEqual(o.gdb, { host: '127.0.0.1', port: 1234 });
    assert.equal(o.freeze, true);
    assert.equal(o.logFile, 'log.txt');
    assert.equal(o.monitor, 'stdio');
    assert.deepEqual(parse('-gdb', 'tcp::4321', '-kernel', 'k').gdb, { host: '127.0.0.1', port: 4321 });
    assert.deepEqual(parseGdbListen('tcp:0.0.0.0:99'), { host: '0.0.0.0', port: 99 });
    assert.throws(() => parseGdbListen('unix:/tmp/s'), /-gdb unix:\/tmp\/s: not supported/);
    assert.throws(() => parse('-monitor', 'telnet::5555', '-kernel', 'k'), /-monitor telnet::5555/);
    assert.equal(parse('-kernel', 'k').monitor, 'mux');
  });

  test('where the monitor goes, and the serial port with it, as in QEMU', () => {
    const at = (...args: string[]) => {
      const o = parse(...args, '-kernel', 'k');
      return [o.monitor, o.serial.kind];
    };
    assert.deepEqual(at('-nographic'), ['mux', 'stdio']);
    assert.deepEqual(at('-serial', 'mon:stdio', '-nodefaults'), ['mux', 'stdio']);
    assert.deepEqual(at('-nodefaults'), ['none', 'null']);
    assert.deepEqual(at('-monitor', 'stdio'), ['stdio', 'null']);
    assert.deepEqual(at('-monitor', 'stdio', '-serial', 'file:s.txt'), ['stdio', 'file']);
    assert.deepEqual(at('-monitor', 'none', '-nographic'), ['none', 'stdio']);
    assert.throws(
      () => parse('-monitor', 'stdio', '-serial', 'stdio', '-kernel', 'k'),
      /^UsageError: -serial and -monitor both want stdio \(use -serial mon:stdio to share it\)$/,
    );
  });

  test('-d takes QEMU item names', () => {
    assert.deepEqual(parse('-d', 'int,in_asm,exec,guest_errors,unimp,mmu,cpu_reset', '-kernel', 'k').trace, [
      'int',
      'in_asm',
      'exec',
      'guest_errors',
      'unimp',
      'mmu',
      'cpu_reset',
    ]);
  });
});
