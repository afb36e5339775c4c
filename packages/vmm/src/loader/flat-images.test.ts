/**
 * The parts together with the real CPU: the flat conformance images (f-*.bin) booted through our
 * Linux boot protocol and device tree, on our virt board's wiring and devices, must
 * print what QEMU printed for the same image and options — the recorded expectations, and live
 * runs of qemu-system-arm with other RAM sizes, CPU counts and initrds when it is installed.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Bus, Cpu, jitTranslator } from '@armvm/arm';
import { RecordingIrqLine } from '../devices/irq-line.ts';
import { createVirtBoard } from '../board/virt-board.ts';
import { FileBlockBackend } from '../devices/virtio/file-block-backend.ts';
import { VirtioBlk } from '../devices/virtio/virtio-blk.ts';
import { VirtioConsole } from '../devices/virtio/virtio-console.ts';
import { VIRT_MEMMAP } from '../board/virt-memmap.ts';
import { qemuVirtArgs } from '../test-support/qemu-command-lines.ts';
import { bootKernel } from './kernel-boot.ts';

const CONFORMANCE = new URL('../../../../conformance/', import.meta.url);
const DTINFO = fileURLToPath(new URL('build/f-dtinfo.bin', CONFORMANCE));
const FLAT_IMAGES = readdirSync(new URL('build/', CONFORMANCE))
  .filter((f) => /^f-.*\.bin$/.test(f))
  .map((f) => f.replace(/\.bin$/, ''));
const PSCI_SYSTEM_OFF = 0x84000008;
const haveQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'vmm-flat-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  image: string;
  megabytes: number;
  cpus: number;
  append: string;
  initrd?: Uint8Array;
}

/** The disk the conformance Makefile gives f-virtio-blk: 32 sectors of `seq 1 4000` output. */
function diskContent(): Buffer {
  let text = '';
  for (let i = 1; text.length < 16384; i++) text += `${i}\n`;
  return Buffer.from(text.slice(0, 16384));
}

/** Boots the image on our virt board and returns what the UART printed. */
async function runOurs(run: Run): Promise<string> {
  const out: number[] = [];
  let disk: FileBlockBackend | undefined;
  if (run.image.includes('virtio-blk')) {
    const path = join(dir, 'disk.img');
    writeFileSync(path, diskContent());
    disk = await FileBlockBackend.open(path);
  }
  const board = createVirtBoard({
    ramSize: run.megabytes << 20,
    irq: () => new RecordingIrqLine(),
    uartOutput: (b) => out.push(b),
    virtioDevices: [
      ...(disk ? [new VirtioBlk(disk, 'disk0')] : []),
      // The console shares the terminal with the UART, as QEMU's multiplexed stdio does.
      ...(run.image.includes('virtio-console') ? [new VirtioConsole((bytes) => out.push(...bytes))] : []),
    ],
  });
  // What the conformance Makefile types on f-uart-echo's terminal.
  if (run.image.includes('uart-echo')) board.uart.receive(Buffer.from('hello, uart\n'));
  const ramBytes = board.ram.ram!;
  const space = board.space;

  const boot = bootKernel(
    { base: VIRT_MEMMAP.mem.base, bytes: ramBytes },
    {
      kernel: new Uint8Array(readFileSync(run.image)),
      kernelName: run.image,
      bootargs: run.append,
      cpus: run.cpus,
      ...(run.initrd ? { initrd: run.initrd } : {}),
    },
  );
  const cpu = new Cpu(new Bus(VIRT_MEMMAP.mem.base, ramBytes), { translator: jitTranslator() });
  cpu.cpsr = boot.cpsr;
  cpu.t = boot.entry.thumb ? 1 : 0;
  cpu.pc = boot.entry.pc;
  cpu.r[0] = boot.entry.r0;
  cpu.r[1] = boot.entry.r1;
  cpu.r[2] = boot.entry.r2;

  let poweredOff = false;
  // Bounded by instructions, not exits: a program may make many MMIO accesses.
  for (let budgets = 0; budgets < 2000 && !poweredOff;) {
    const exit = cpu.run(1 << 20);
    if (exit.kind === 'mmio') space.dispatchBytes(exit.address, exit.size, exit.data, exit.isWrite);
    else if (exit.kind === 'hvc') poweredOff = exit.args[0] === PSCI_SYSTEM_OFF;
    else {
      assert.ok(exit.kind === 'budget', `unexpected exit ${exit.kind}`);
      budgets++;
      await new Promise((resolve) => setImmediate(resolve)); // let disk I/O complete
    }
  }
  assert.ok(poweredOff, 'the guest powered off through PSCI');
  assert.equal(space.unassigned.reads + space.unassigned.writes, 0);
  board.rtc.dispose();
  await disk?.close();
  return Buffer.from(out).toString();
}

/** Boots the image on qemu-system-arm and returns what its UART printed. */
function runQemu(run: Run): string {
  let initrd: string | undefined;
  if (run.initrd) {
    initrd = join(dir, 'initrd.img');
    writeFileSync(initrd, run.initrd);
  }
  const args = qemuVirtArgs({
    io: 'serial',
    memoryMiB: run.megabytes,
    smp: run.cpus,
    kernel: run.image,
    ...(initrd !== undefined ? { initrd } : {}),
    append: run.append,
  });
  return execFileSync('qemu-system-arm', args, { encoding: 'utf8', timeout: 30_000 });
}

describe('flat images through the loader, the device tree and the virt board', () => {
  it('finds the flat images', () =>
    assert.deepEqual(FLAT_IMAGES, [
      'f-dtinfo',
      'f-pl011',
      'f-pl031',
      'f-uart-echo',
      'f-virtio-blk',
      'f-virtio-console',
    ]));

  for (const name of FLAT_IMAGES) {
    it(`${name} prints the recorded QEMU output for -m 256 -smp 2 -append "console=ttyAMA0 hello"`, async () => {
      const expected = readFileSync(new URL(`expected/${name}.txt`, CONFORMANCE), 'utf8');
      const image = fileURLToPath(new URL(`build/${name}.bin`, CONFORMANCE));
      assert.equal(
        await runOurs({ image, megabytes: 256, cpus: 2, append: 'console=ttyAMA0 hello' }),
        expected,
      );
    });
  }

  const live: Run[] = [
    {
      image: DTINFO,
      megabytes: 128,
      cpus: 1,
      append: 'root=/dev/vda quiet',
      initrd: new Uint8Array(5000).fill(7),
    },
    { image: DTINFO, megabytes: 1024, cpus: 4, append: 'x', initrd: new Uint8Array(3 << 20) },
    { image: DTINFO, megabytes: 64, cpus: 8, append: '' },
  ];
  for (const run of live) {
    it(
      `f-dtinfo prints what qemu-system-arm prints live: -m ${run.megabytes} -smp ${run.cpus}${run.initrd ? ` -initrd (${run.initrd.length} bytes)` : ''}`,
      { skip: haveQemu ? false : 'qemu-system-arm is not installed' },
      async () => {
        const qemu = runQemu(run);
        assert.match(qemu, /^f-dtinfo: entered/);
        assert.equal(await runOurs(run), qemu);
      },
    );
  }
});
