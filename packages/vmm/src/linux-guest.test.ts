/**
 * Debian's armmp kernel with a busybox initramfs (guests/linux) under armvm: the workload prints
 * exactly what qemu-system-arm prints for the same kernel, initrd and disk, on 1, 2 and 4 vCPUs;
 * the boot log is clean; a shell answers typed commands over the PL011; poweroff ends armvm with 0.
 */
// test-file-timeout: 60 min (four boots of up to 15 minutes each)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { builtGuest } from '../../../guests/linux/guest.ts';
import { checkArmvmWorkload, TROUBLE } from './test-support/linux-workload.ts';

const guest = builtGuest('armmp');
const skip = guest ? false : 'the Linux guest is not built (npm run guest:linux; it needs apt with armhf)';
const dir = mkdtempSync(join(tmpdir(), 'armvm-linux-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** A boot under load on a small machine can take minutes; a hang still ends with the test's name. */
const LIMIT_MS = 15 * 60_000;

describe('Linux (Debian armmp) under armvm', { skip }, () => {
  for (const cpus of [1, 2, 4]) {
    test(
      `the workload on ${cpus} vCPU${cpus > 1 ? 's' : ''} prints what qemu-system-arm prints`,
      { timeout: LIMIT_MS },
      async () => {
        await checkArmvmWorkload(guest!, dir, cpus, LIMIT_MS - 60_000);
      },
    );
  }

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
