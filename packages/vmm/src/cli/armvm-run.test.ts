/**
 * `armvm run` end to end: every conformance program prints exactly what QEMU printed for it, in
 * process through `main` (the binary's own code path) and, for a few, through the built binary;
 * bad images and arguments give clear errors and the documented exit statuses.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { armvm, armvmTyping, armvmWithin } from '../test-support/armvm-in-process.ts';

const conformance = fileURLToPath(new URL('../../../../conformance/', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/armvm.js', import.meta.url));

const programs = readdirSync(join(conformance, 'build'))
  .filter((f) => /^p-.*\.(arm|thumb)\.elf$/.test(f))
  .map((f) => f.replace(/\.elf$/, ''))
  .sort();

describe('conformance programs under armvm run print what QEMU prints', () => {
  for (const name of programs) {
    test(name, async () => {
      const expected = readFileSync(join(conformance, 'expected', `${name}.txt`), 'latin1');
      const r = await armvmWithin(
        60_000,
        'run',
        '--kernel',
        join(conformance, 'build', `${name}.elf`),
        '--no-cache',
      );
      assert.equal(r.out, expected);
      assert.equal(r.status, 0, r.err);
    });
  }
});

const flatImages = readdirSync(join(conformance, 'build'))
  .filter((f) => /^f-.*\.bin$/.test(f))
  .map((f) => f.replace(/\.bin$/, ''));
const haveQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;

describe('flat images booted by the Linux protocol under armvm run', () => {
  for (const name of flatImages) {
    test(`${name} -m 256M --smp 2 --append "console=ttyAMA0 hello", as recorded from QEMU`, async () => {
      const expected = readFileSync(join(conformance, 'expected', `${name}.txt`), 'latin1');
      const image = join(conformance, 'build', `${name}.bin`);
      const args = [
        'run',
        '-kernel',
        image,
        '-m',
        '256M',
        '-smp',
        '2',
        '-append',
        'console=ttyAMA0 hello',
        '--no-cache',
      ];
      // The extras the Makefile gives QEMU for some images: a disk, a virtio console, typed input.
      const dir = await mkdtemp(join(tmpdir(), 'armvm-flat-'));
      try {
        if (name === 'f-virtio-blk') {
          const lines = Array.from({ length: 4000 }, (_, i) => `${i + 1}\n`).join('');
          await writeFile(join(dir, 'disk.img'), Buffer.from(lines).subarray(0, 16384));
          args.push('--drive', `file=${join(dir, 'disk.img')},serial=disk0`);
        }
        if (name === 'f-virtio-console') args.push('--virtio-console');
        const typed = name === 'f-uart-echo' ? 'hello, uart\n' : undefined;
        const r = await armvmTyping(60_000, typed, ...args);
        assert.equal(r.out, expected);
        assert.equal(r.status, 0, r.err);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  for (const [mem, cpus, append] of [
    ['64', '1', 'root=/dev/vda quiet'],
    ['1024', '4', 'console=ttyAMA0'],
    ['512', '8', ''],
  ] as const) {
    test(
      `f-dtinfo reports its device tree as qemu-system-arm does live: -m ${mem} -smp ${cpus} -append "${append}"`,
      { skip: haveQemu ? false : 'qemu-system-arm is not installed' },
      async () => {
        const image = join(conformance, 'build', 'f-dtinfo.bin');
        const qemu = spawnSync(
          'qemu-system-arm',
          [
            '-M',
            'virt,highmem=off',
            '-cpu',
            'cortex-a15',
            '-display',
            'none',
            '-serial',
            'stdio',
            '-monitor',
            'none',
          ].concat(['-nic', 'none', '-m', mem, '-smp', cpus, '-append', append, '-kernel', image]),
          { timeout: 30_000 },
        ).stdout.toString('latin1');
        assert.match(qemu, /^f-dtinfo: entered/);
        const r = await armvm(
          'run',
          '--kernel',
          image,
          '-m',
          mem,
          '--smp',
          cpus,
          '--append',
          append,
          '--no-cache',
        );
        assert.equal(r.out, qemu);
        assert.equal(r.status, 0, r.err);
      },
    );
  }
});

const smpPrograms = readdirSync(join(conformance, 'build'))
  .filter((f) => /^s-.*\.(arm|thumb)\.elf$/.test(f))
  .map((f) => f.replace(/\.elf$/, ''));

describe('SMP programs under armvm run print what QEMU prints with as many CPUs', () => {
  for (const name of smpPrograms) {
    for (const cpus of [2, 4]) {
      const [program, isa] = name.split('.') as [string, string];
      test(`${name} --smp ${cpus}`, async () => {
        const expected = readFileSync(
          join(conformance, 'expected', `${program}.smp${cpus}.${isa}.txt`),
          'latin1',
        );
        const r = await armvm(
          'run',
          '--kernel',
          join(conformance, 'build', `${name}.elf`),
          '--smp',
          String(cpus),
          '--no-cache',
        );
        assert.equal(r.out, expected);
        assert.equal(r.status, 0, r.err);
      });
    }
  }
});

describe('armvm run errors and exit statuses', () => {
  test('a missing kernel: status 1 and the file named', async () => {
    const r = await armvm('run', '--kernel', '/nonexistent/kernel.elf', '--no-cache');
    assert.equal(r.status, 1);
    assert.match(r.err, /kernel \/nonexistent\/kernel\.elf: no such file/);
  });

  test('a corrupt ELF: status 1 and why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'armvm-test-'));
    try {
      const path = join(dir, 'broken.elf');
      await writeFile(
        path,
        Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]), Buffer.alloc(20)]),
      );
      const r = await armvm('run', '--kernel', path, '--no-cache');
      assert.equal(r.status, 1);
      assert.match(r.err, /broken\.elf/);
      assert.equal(r.out, '');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an image larger than RAM: status 1 and the sizes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'armvm-test-'));
    try {
      const path = join(dir, 'big.bin');
      await writeFile(path, Buffer.alloc(3 << 20));
      const r = await armvm('run', '--kernel', path, '-m', '2M', '--no-cache');
      assert.equal(r.status, 1);
      assert.match(r.err, /larger than RAM|too large/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an unknown option: status 2 and the usage line', async () => {
    const r = await armvm('run', '--kernel', 'x', '--bogus');
    assert.equal(r.status, 2);
    assert.match(r.err, /Unknown option '--bogus'/);
    assert.match(r.err, /usage: armvm run/);
  });

  test('an unknown command: status 2', async () => {
    const r = await armvm('boot');
    assert.equal(r.status, 2);
    assert.match(r.err, /unknown command "boot"/);
  });
});

describe(
  'the armvm binary',
  { skip: !existsSync(join(bin, '../../dist/cli/main.js')) && 'not built' },
  () => {
    for (const name of ['p-hello.arm', 'p-alu.thumb', 'p-vfp-arith.arm']) {
      test(`${name} through bin/armvm.js`, () => {
        const r = spawnSync(
          process.execPath,
          [bin, 'run', '--kernel', join(conformance, 'build', `${name}.elf`), '--no-cache'],
          {
            timeout: 60_000,
          },
        );
        assert.equal(
          r.stdout.toString('latin1'),
          readFileSync(join(conformance, 'expected', `${name}.txt`), 'latin1'),
        );
        assert.equal(r.status, 0, r.stderr.toString());
      });
    }

    test('bad arguments through the binary exit 2', () => {
      const r = spawnSync(process.execPath, [bin, 'run', '--frobnicate'], { timeout: 60_000 });
      assert.equal(r.status, 2);
      assert.match(r.stderr.toString(), /usage: armvm run/);
    });
  },
);
