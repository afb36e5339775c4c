/**
 * Linux (Debian's armmp kernel and the busybox shell initramfs of guests/linux) booted by armvm and
 * by qemu-system-arm -accel tcg in one run: seconds from starting the command to the shell's prompt
 * (median of 3 fresh processes each), their ratio, and what armvm's guest did over the boot (MIPS,
 * blocks decoded and compiled, time spent compiling), from `armvm run --stats`; and one boot with the
 * zImage decompressing itself in the guest, as under QEMU (armvm unpacks it on the host by default).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { builtGuest, buildGuest, GuestUnavailableError, type LinuxGuest } from '../guests/linux/guest.ts';
import { median } from './machine.ts';
import { qemuAvailable, qemuVirtArgs } from './qemu.ts';

const ARMVM = fileURLToPath(new URL('../packages/vmm/bin/armvm.js', import.meta.url));
/** ash's prompt (it may be followed by its request for the cursor position). */
const ESC = String.fromCharCode(27);
const PROMPT = new RegExp(`/ # (?:${ESC}\\[6n)?$`);
/** No boot takes this long unless something is wrong. */
const LIMIT_MS = 10 * 60_000;

interface Boot {
  /** Milliseconds from spawning the command to the prompt. */
  promptMs: number;
  /** What the command wrote to stderr (armvm's --stats line). */
  err: string;
}

/** Boots to the shell prompt, then types poweroff and waits for the command to end. */
function bootToPrompt(command: string, args: string[]): Promise<Boot> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let promptMs = -1;
    const limit = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (promptMs < 0 && PROMPT.test(out)) {
        promptMs = performance.now() - t0;
        child.stdin.write('poweroff -f\n');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(limit);
      if (promptMs < 0 || status !== 0) {
        reject(
          new Error(
            `${command} ended with ${status} before a clean poweroff; it printed:\n${out.slice(-1500)}${err}`,
          ),
        );
      } else resolve({ promptMs, err });
    });
  });
}

function armvmArgs(g: LinuxGuest): string[] {
  return [
    ARMVM,
    'run',
    '-m',
    '256',
    '--kernel',
    g.kernel,
    '--initrd',
    g.shellInitrd,
    '--append',
    'console=ttyAMA0',
    '--stats',
  ];
}

function qemuArgs(g: LinuxGuest): string[] {
  return qemuVirtArgs({
    io: 'linux-console',
    accel: 'tcg',
    memoryMiB: 256,
    kernel: g.kernel,
    initrd: g.shellInitrd,
    append: 'console=ttyAMA0',
  });
}

/** Prints boot-to-prompt seconds of armvm and QEMU, the ratio, and armvm's guest statistics. */
export async function benchLinux(opts: { quick: boolean }): Promise<void> {
  let guest = builtGuest('armmp');
  if (guest === undefined) {
    try {
      guest = buildGuest('armmp');
    } catch (err) {
      if (!(err instanceof GuestUnavailableError)) throw err;
      console.log(`linux: no guest (${err.message}); skipped`);
      return;
    }
  }
  if (!qemuAvailable('linux')) return;
  const runs = opts.quick ? 1 : 3;
  const ours: Boot[] = [];
  const theirs: Boot[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await bootToPrompt(process.execPath, armvmArgs(guest)));
    theirs.push(await bootToPrompt('qemu-system-arm', qemuArgs(guest)));
  }
  const a = median(ours.map((b) => b.promptMs)) / 1000;
  const q = median(theirs.map((b) => b.promptMs)) / 1000;
  const kernel = Object.keys(guest.packages).find((p) => p.startsWith('linux-image'));
  console.log(
    `${kernel}, busybox shell initramfs, -m 256, 1 vCPU; start to shell prompt, median of ${runs}:`,
  );
  console.log(
    `  armvm ${a.toFixed(2)} s   qemu-system-arm (tcg) ${q.toFixed(2)} s   ratio ${(a / q).toFixed(2)}x`,
  );
  console.log(
    `  each run: armvm ${ours.map((b) => (b.promptMs / 1000).toFixed(2)).join(', ')}; qemu ${theirs.map((b) => (b.promptMs / 1000).toFixed(2)).join(', ')}`,
  );
  // the stats line covers the boot, the prompt and the poweroff (a few thousand instructions)
  const stats = /guest: .*/.exec(ours[ours.length - 1]!.err)?.[0];
  if (stats !== undefined) console.log(`  armvm ${stats}`);
  if (!opts.quick) {
    // armvm unpacks the zImage on the host; this is the boot with its own decompressor, as QEMU runs it
    const self = await bootToPrompt(process.execPath, [...armvmArgs(guest), '--guest-decompress']);
    console.log(
      `  armvm --guest-decompress (the zImage's decompressor in the guest), one run: ${(self.promptMs / 1000).toFixed(2)} s, ratio ${(self.promptMs / 1000 / q).toFixed(2)}x`,
    );
  }
}
