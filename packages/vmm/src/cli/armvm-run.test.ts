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
import { makeFlags, qemuVirtArgs } from '../test-support/qemu-command-lines.ts';

const conformance = fileURLToPath(new URL('../../../../conformance/', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/armvm.js', import.meta.url));

const programs = readdirSync(join(conformance, 'build'))
  .filter((f) => /^p-.*\.(arm|thumb)\.elf$/.test(f))
  .map((f) => f.replace(/\.elf$/, ''))
  .sort();

/** What conformance/Makefile gives qemu-system-arm for every program: armvm takes it unchanged. */
const QEMU_FLAGS = makeFlags('QEMU_FLAGS');

describe("conformance programs under armvm run, with QEMU's command line, print what QEMU prints", () => {
  test(`the command line is the Makefile's: ${QEMU_FLAGS.join(' ')}`, () => {
    assert.ok(QEMU_FLAGS.includes('-M') && QEMU_FLAGS.includes('-serial'));
  });
  for (const name of programs) {
    test(name, async () => {
      const expected = readFileSync(join(conformance, 'expected', `${name}.txt`), 'latin1');
      const r = await armvmWithin(
        60_000,
        'run',
        ...QEMU_FLAGS,
        '-kernel',
        join(conformance, 'build', `${name}.elf`),
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
    test(`${name} with the Makefile's QEMU command line, as recorded from QEMU`, async () => {
      const expected = readFileSync(join(conformance, 'expected', `${name}.txt`), 'latin1');
      const image = join(conformance, 'build', `${name}.bin`);
      // the Makefile's recipe: its flags for the image, a disk, a virtio console, typed input
      const dir = await mkdtemp(join(tmpdir(), 'armvm-flat-'));
      const args = ['run'];
      if (name === 'f-virtio-console') {
        args.push(...makeFlags('QEMU_BASE_FLAGS'), ...makeFlags('VIRTIO_CONSOLE_FLAGS'));
      } else args.push(...QEMU_FLAGS);
      args.push(...makeFlags('FLAT_QEMU_FLAGS'));
      try {
        if (name === 'f-virtio-blk') {
          const lines = Array.from({ length: 4000 }, (_, i) => `${i + 1}\n`).join('');
          await writeFile(join(dir, 'disk.img'), Buffer.from(lines).subarray(0, 16384));
          args.push(...makeFlags('VIRTIO_BLK_FLAGS', join(dir, 'disk.img')));
        }
        args.push('-kernel', image);
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
          qemuVirtArgs({ io: 'serial', memoryMiB: Number(mem), smp: Number(cpus), append, kernel: image }),
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
          ...QEMU_FLAGS,
          '-smp',
          String(cpus),
          '-kernel',
          join(conformance, 'build', `${name}.elf`),
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

  test('an unknown option: status 2 and one line saying what and where to look', async () => {
    const r = await armvm('run', '--kernel', 'x', '--bogus');
    assert.equal(r.status, 2);
    assert.equal(r.err, "armvm: Unknown option '--bogus' (armvm run --help for the options)\n");
  });

  test('a refused QEMU spelling: status 2, one line naming it', async () => {
    const r = await armvm('run', '-M', 'virt,highmem=off', '-cpu', 'cortex-a9', '-kernel', 'x');
    assert.equal(r.status, 2);
    assert.equal(r.err.split('\n').length, 2);
    assert.match(r.err, /-cpu cortex-a9: not supported/);
  });

  test('--version', async () => {
    for (const argv of [['--version'], ['run', '--version'], ['run', '-version']]) {
      const r = await armvm(...argv);
      assert.equal(r.status, 0);
      assert.match(r.out, /^armvm version \d+\.\d+\.\d+\n$/);
    }
  });

  test('-serial file:PATH and -serial null keep the guest output off stdout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'armvm-serial-'));
    try {
      const elf = join(conformance, 'build', 'p-hello.arm.elf');
      const toFile = await armvm('run', '-serial', `file:${join(dir, 'out.txt')}`, '-kernel', elf);
      assert.equal(toFile.status, 0, toFile.err);
      assert.equal(toFile.out, '');
      assert.equal(
        readFileSync(join(dir, 'out.txt'), 'latin1'),
        readFileSync(join(conformance, 'expected', 'p-hello.arm.txt'), 'latin1'),
      );
      const toNull = await armvm('run', '-nodefaults', '-kernel', elf);
      assert.equal(toNull.status, 0, toNull.err);
      assert.equal(toNull.out, '');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
      assert.match(r.stderr.toString(), /armvm run --help/);
    });

    test('a reader that goes away (| head -c5) ends the run quietly', () => {
      const elf = join(conformance, 'build', 'p-uart-flood.arm.elf');
      const r = spawnSync(
        'sh',
        ['-c', `"${process.execPath}" "${bin}" run -kernel "${elf}" | head -c5; echo " $?"`],
        {
          timeout: 60_000,
        },
      );
      assert.equal(r.stderr.toString(), '');
      assert.match(r.stdout.toString(), /^.{5} 0\n$/s);
    });
  },
);
