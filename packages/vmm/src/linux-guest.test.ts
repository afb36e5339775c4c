/**
 * Debian's armmp kernel with a busybox initramfs (guests/linux) under armvm: the workload prints
 * exactly what qemu-system-arm prints for the same kernel, initrd and disk, on 1, 2 and 4 vCPUs;
 * the boot log is clean; a shell answers typed commands over the PL011; poweroff ends armvm with 0.
 * The armmp-lpae kernel (long-descriptor page tables) runs the same workload on 1 and 2 vCPUs.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { builtGuest, type Flavour, type LinuxGuest } from '../../../guests/linux/guest.ts';
import { armvmWith } from './test-support/armvm-in-process.ts';

const guest = builtGuest('armmp');
const skip = guest ? false : 'the Linux guest is not built (npm run guest:linux; it needs apt with armhf)';
const lpaeGuest = builtGuest('armmp-lpae');
const lpaeSkip = lpaeGuest
  ? false
  : 'the armmp-lpae guest is not built (npm run guest:linux -- --flavour armmp-lpae; it needs apt with armhf)';
const haveQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'armvm-linux-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** A boot under load on a small machine can take minutes; a hang still ends with the test's name. */
const LIMIT_MS = 15 * 60_000;

/** A fresh copy of the empty ext4 disk of `g` for one run. */
function freshDisk(g: LinuxGuest, name: string): string {
  const path = join(dir, `${g.flavour}-${name}.img`);
  copyFileSync(g.disk, path);
  return path;
}

/** The workload's lines between its markers (and the markers). */
function workload(console: string): string {
  const text = console.replace(/\r/g, '');
  const begin = text.indexOf('=== workload begin');
  const end = text.indexOf('=== workload end');
  assert.ok(
    begin >= 0 && end > begin,
    `the workload ran to its end; the console said:\n${text.slice(-3000)}`,
  );
  return text.slice(begin, text.indexOf('\n', end));
}

/** What the kernel and the workload must never print. */
const TROUBLE =
  /Oops|undefined instruction|soft lockup|hard LOCKUP|rcu.*stall|BUG:|WARNING:|Kernel panic|Unable to handle/;

function qemuWorkload(g: LinuxGuest, cpus: number): string {
  const r = spawnSync(
    'qemu-system-arm',
    [
      ...['-M', 'virt,highmem=off', '-cpu', 'cortex-a15', '-m', '256', '-smp', String(cpus)],
      ...['-nographic', '-nodefaults', '-serial', 'stdio', '-no-reboot'],
      ...['-kernel', g.kernel, '-initrd', g.workloadInitrd, '-append', 'console=ttyAMA0'],
      ...['-drive', `if=none,file=${freshDisk(g, `qemu-${cpus}`)},format=raw,id=d0`],
      ...['-device', 'virtio-blk-device,drive=d0'],
    ],
    { encoding: 'latin1', timeout: 300_000 },
  );
  assert.equal(r.status, 0, `qemu-system-arm failed: ${r.stderr}`);
  return workload(r.stdout);
}

/** Tests that `flavour`'s workload on each of `counts` vCPUs prints what qemu-system-arm prints. */
function workloadTests(flavour: Flavour, counts: readonly number[]): void {
  for (const cpus of counts) {
    test(
      `the workload on ${cpus} vCPU${cpus > 1 ? 's' : ''} prints what qemu-system-arm prints`,
      { timeout: LIMIT_MS },
      async () => {
        const g = builtGuest(flavour)!;
        const run = await armvmWith(
          { ms: LIMIT_MS - 60_000 },
          'run',
          ...['-m', '256', '--smp', String(cpus), '--no-reboot'],
          ...['--kernel', g.kernel, '--initrd', g.workloadInitrd, '--append', 'console=ttyAMA0'],
          ...['--drive', freshDisk(g, `armvm-${cpus}`)],
        );
        assert.equal(run.status, 0, `armvm exited ${run.status}: ${run.err}`);
        assert.doesNotMatch(run.out, TROUBLE, 'a clean boot log');
        assert.match(run.out, new RegExp(`Linux version \\S+-${flavour} `), `the ${flavour} kernel booted`);
        const ours = workload(run.out);
        assert.match(ours, new RegExp(`cpus: ${cpus}\\n`));
        assert.match(ours, /written and unmounted\nmounted again/);
        if (haveQemu) assert.equal(ours, qemuWorkload(g, cpus));
      },
    );
  }
}

describe('Linux (Debian armmp) under armvm', { skip }, () => {
  workloadTests('armmp', [1, 2, 4]);

  test(
    'a shell answers what is typed on the PL011, and poweroff ends armvm with 0',
    { timeout: LIMIT_MS },
    async () => {
      const bin = fileURLToPath(new URL('../bin/armvm.js', import.meta.url));
      const child = spawn(
        process.execPath,
        [
          bin,
          'run',
          '-m',
          '256',
          '--kernel',
          guest!.kernel,
          '--initrd',
          guest!.shellInitrd,
          '--append',
          'console=ttyAMA0',
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      const waitFor = (pattern: RegExp, from: number) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (pattern.test(out.slice(from))) {
              child.stdout.off('data', check);
              resolve();
            }
          };
          child.stdout.on('data', check);
          child.on('exit', () =>
            reject(new Error(`armvm exited before ${pattern}; it printed:\n${out.slice(-2000)}`)),
          );
          check();
        });
      child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
      const status = new Promise<number | null>((resolve) => child.on('exit', resolve));
      // ash's prompt, then its request for the cursor position (line editing)
      const prompt = '/ # (?:\\x1b\\[6n)?$';
      await waitFor(new RegExp(prompt), 0);
      // the shell echoes what it reads and prints the result: 6*7 is computed in the guest
      let mark = out.length;
      child.stdin.write('echo answer-$((6 * 7)); uname -m\n');
      await waitFor(new RegExp(`answer-42\\r?\\narmv7l\\r?\\n${prompt}`), mark);
      mark = out.length;
      child.stdin.write('cat /proc/cpuinfo | grep -c ^processor\n');
      await waitFor(/\n1\r?\n/, mark);
      child.stdin.write('poweroff -f\n');
      assert.equal(await status, 0, 'poweroff is a clean exit');
      assert.doesNotMatch(out, TROUBLE);
    },
  );
});

describe('Linux (Debian armmp-lpae) under armvm', { skip: lpaeSkip }, () => {
  // the same as armmp's on fewer vCPUs: each boot is minutes on a small machine
  workloadTests('armmp-lpae', [1, 2]);
});
