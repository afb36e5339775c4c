/**
 * What the Linux guest tests share: the workload's output between its markers, what a clean boot
 * log never says, fresh disk copies, the same workload under qemu-system-arm for comparison, and
 * the whole check of one armvm run against it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinuxGuest } from '../../../../guests/linux/guest.ts';
import { armvmWith } from './armvm-in-process.ts';
import { qemuVirtArgs } from './qemu-command-lines.ts';

/** What the kernel and the workload must never print. */
export const TROUBLE =
  /Oops|undefined instruction|soft lockup|hard LOCKUP|rcu.*stall|BUG:|WARNING:|Kernel panic|Unable to handle/;

/** True where qemu-system-arm runs, so its output can be compared live. */
export const haveQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;

/** The workload's lines between its markers (and the markers). */
export function workload(console: string): string {
  const text = console.replace(/\r/g, '');
  const begin = text.indexOf('=== workload begin');
  const end = text.indexOf('=== workload end');
  assert.ok(
    begin >= 0 && end > begin,
    `the workload ran to its end; the console said:\n${text.slice(-3000)}`,
  );
  return text.slice(begin, text.indexOf('\n', end));
}

/** A fresh copy of `guest`'s empty ext4 disk in `dir` for one run. */
export function freshDisk(guest: LinuxGuest, dir: string, name: string): string {
  const path = join(dir, `${guest.flavour}-${name}.img`);
  copyFileSync(guest.disk, path);
  return path;
}

/** The workload's lines as qemu-system-arm prints them for `guest` on `cpus` CPUs. */
export function qemuWorkload(guest: LinuxGuest, dir: string, cpus: number): string {
  const r = spawnSync(
    'qemu-system-arm',
    qemuVirtArgs({
      io: 'linux-console',
      memoryMiB: 256,
      smp: cpus,
      kernel: guest.kernel,
      initrd: guest.workloadInitrd,
      append: 'console=ttyAMA0',
      extra: [
        ...['-drive', `if=none,file=${freshDisk(guest, dir, `qemu-${cpus}`)},format=raw,id=d0`],
        ...['-device', 'virtio-blk-device,drive=d0'],
      ],
    }),
    { encoding: 'latin1', timeout: 300_000 },
  );
  assert.equal(r.status, 0, `qemu-system-arm failed: ${r.stderr}`);
  return workload(r.stdout);
}

/**
 * Boots `guest`'s workload under armvm on `cpus` vCPUs (a hang ends after `ms`; `extraArgs` go to
 * `armvm run`) and checks it: exit
 * status 0, a clean boot log, the workload's own lines, and, where QEMU runs, the same output as
 * qemu-system-arm. Returns the console output for checks of the caller's own.
 */
export async function checkArmvmWorkload(
  guest: LinuxGuest,
  dir: string,
  cpus: number,
  ms: number,
  extraArgs: readonly string[] = [],
): Promise<string> {
  const run = await armvmWith(
    { ms },
    'run',
    ...['-m', '256', '--smp', String(cpus), '--no-reboot', ...extraArgs],
    ...['--kernel', guest.kernel, '--initrd', guest.workloadInitrd, '--append', 'console=ttyAMA0'],
    ...['--drive', freshDisk(guest, dir, `armvm-${cpus}`)],
  );
  assert.equal(run.status, 0, `armvm exited ${run.status}: ${run.err}`);
  assert.doesNotMatch(run.out, TROUBLE, 'a clean boot log');
  const ours = workload(run.out);
  assert.match(ours, new RegExp(`cpus: ${cpus}\\n`));
  assert.match(ours, /written and unmounted\nmounted again/);
  if (haveQemu) assert.equal(ours, qemuWorkload(guest, dir, cpus));
  return run.out;
}
