/**
 * armvm beside qemu-system-arm on the same ELFs, in one run: the time from starting the command to
 * the guest's first UART byte, and the whole run to power-off. Both are whole processes started
 * fresh (Node and the VMM for armvm, QEMU for the peer); the ratios are armvm over QEMU.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { geomean, median } from './machine.ts';
import { qemuAvailable, qemuVirtArgs } from './qemu.ts';

const ROOT = new URL('../conformance/', import.meta.url);
const ARMVM = fileURLToPath(new URL('../packages/vmm/bin/armvm.js', import.meta.url));
/** Short programs (start-up dominates) and a compute benchmark (the CPU dominates). */
const PROGRAMS = ['p-hello.arm', 'p-alu.arm', 'p-sort.thumb', 'p-vfp-kernels.arm', 'b-checksum.arm'];
const QUICK_PROGRAMS = ['p-hello.arm', 'p-sort.thumb'];

interface Timing {
  firstByteMs: number;
  totalMs: number;
  out: string;
}

/** Runs a command, noting when its first output byte arrives and when it exits. */
function timed(command: string, args: string[]): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = -1;
    const chunks: Buffer[] = [];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => {
      if (first < 0) first = performance.now() - t0;
      chunks.push(d);
    });
    child.on('error', reject);
    child.on('close', (status) => {
      const totalMs = performance.now() - t0;
      if (status !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${status}`));
      else resolve({ firstByteMs: first, totalMs, out: Buffer.concat(chunks).toString('latin1') });
    });
  });
}

/** Prints first-byte and whole-run times of armvm and QEMU per program, and their ratios. */
export async function benchVmm(opts: { quick: boolean }): Promise<void> {
  if (!qemuAvailable('vmm')) return;
  const runs = opts.quick ? 1 : 3;
  const firstRatios: number[] = [];
  const totalRatios: number[] = [];
  console.log('program              first byte: armvm   qemu  ratio │ whole run: armvm   qemu  ratio');
  for (const name of opts.quick ? QUICK_PROGRAMS : PROGRAMS) {
    const elf = fileURLToPath(new URL(`build/${name}.elf`, ROOT));
    const expected = readFileSync(new URL(`expected/${name}.txt`, ROOT), 'latin1');
    const ours: Timing[] = [];
    const theirs: Timing[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(await timed(process.execPath, [ARMVM, 'run', '--kernel', elf, '--no-cache']));
      theirs.push(await timed('qemu-system-arm', qemuVirtArgs({ io: 'serial', kernel: elf })));
    }
    for (const t of [...ours, ...theirs]) {
      if (t.out !== expected) throw new Error(`${name}: output differs from the recorded expectation`);
    }
    const f = [median(ours.map((t) => t.firstByteMs)), median(theirs.map((t) => t.firstByteMs))] as const;
    const w = [median(ours.map((t) => t.totalMs)), median(theirs.map((t) => t.totalMs))] as const;
    firstRatios.push(f[0] / f[1]);
    totalRatios.push(w[0] / w[1]);
    console.log(
      `${name.padEnd(20)} ${f[0].toFixed(0).padStart(17)} ${f[1].toFixed(0).padStart(6)} ${(f[0] / f[1]).toFixed(2).padStart(6)} │ ${w[0].toFixed(0).padStart(16)} ${w[1].toFixed(0).padStart(6)} ${(w[0] / w[1]).toFixed(2).padStart(6)}`,
    );
  }
  console.log(
    `geometric mean of armvm/qemu (ms, median of ${runs}): first UART byte ${geomean(firstRatios).toFixed(2)}x, whole run ${geomean(totalRatios).toFixed(2)}x`,
  );
}
