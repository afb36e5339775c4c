/**
 * The CPU beside qemu-system-arm: the compute benchmarks of conformance/ (checksums, sorting,
 * hashing, matrix multiplication), ARM and Thumb builds, run on both in the same run. Output must
 * match QEMU's recording first; then guest instructions per second are compared. Our CPU counts
 * the instructions; QEMU's rate is that count over its run time less its start-up (the time it
 * takes to run a program of a few instructions). Our CPU runs with its block translator; the
 * interpreter's rate is shown beside it (one run each).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TestMachine } from '@armvm/arm/testing';
import { geomean } from './machine.ts';
import { qemuAvailable, qemuVirtArgs } from './qemu.ts';

const ROOT = new URL('../conformance/', import.meta.url);
const PROGRAMS = ['b-checksum', 'b-sort', 'b-hash', 'b-matrix'];

function qemuRun(elf: string): { ms: number; out: string } {
  const t = performance.now();
  const r = spawnSync('qemu-system-arm', qemuVirtArgs({ io: 'serial', kernel: elf }), { timeout: 120_000 });
  if (r.error) throw r.error;
  return { ms: performance.now() - t, out: r.stdout.toString('latin1') };
}

function oursRun(elf: Uint8Array, jit = true): { ms: number; out: string; instructions: number } {
  const m = new TestMachine(64 << 20, { jit });
  m.loadElf(elf);
  const t = performance.now();
  const stop = m.run(5_000_000_000);
  const ms = performance.now() - t;
  if (stop.kind !== 'poweroff') throw new Error(`guest stopped with ${stop.kind}`);
  return { ms, out: Buffer.from(m.output).toString('latin1'), instructions: m.cpu.retired };
}

/** The fastest of several timings: the one least disturbed by other work on the machine. */
function best(ms: number[]): number {
  return Math.min(...ms);
}

/** Prints guest MIPS on our CPU and on QEMU for each benchmark, and the geometric-mean ratio. */
export async function benchCpu(opts: { quick: boolean }): Promise<void> {
  if (!qemuAvailable('cpu')) return;
  const runs = opts.quick ? 1 : 3;
  // QEMU's runs are short, so its start-up noise weighs on them: more samples, which cost little
  const qemuRuns = opts.quick ? 3 : 7;
  const hello = new URL('build/p-hello.arm.elf', ROOT).pathname;
  console.log(
    `each figure is the best of ${runs} runs (QEMU: ${qemuRuns}); QEMU's rate is over its run time less its start-up (a program of ~130 instructions) timed beside it`,
  );
  const ratios: number[] = [];
  for (const name of PROGRAMS) {
    for (const isa of ['arm', 'thumb']) {
      const path = new URL(`build/${name}.${isa}.elf`, ROOT).pathname;
      const expected = readFileSync(new URL(`expected/${name}.${isa}.txt`, ROOT), 'latin1');
      const elf = readFileSync(path);
      const ours = Array.from({ length: runs }, () => oursRun(elf));
      const interpreted = oursRun(elf, false); // once: it is the slow reference, not the measure
      // start-up is timed next to each run, so a change of load on the machine shifts both alike
      const startups: number[] = [];
      const qemu = Array.from({ length: qemuRuns }, () => {
        startups.push(qemuRun(hello).ms);
        return qemuRun(path);
      });
      for (const r of [...ours, interpreted, ...qemu])
        if (r.out !== expected) throw new Error(`${name}.${isa}: output differs from QEMU's recording`);
      const n = ours[0]!.instructions;
      const ourMips = n / best(ours.map((r) => r.ms)) / 1000;
      const interpMips = n / interpreted.ms / 1000;
      const startup = best(startups);
      const qemuMs = best(qemu.map((r) => r.ms)) - startup;
      if (qemuMs < 0.1 * startup) throw new Error(`${name}.${isa}: QEMU's run is lost in its start-up time`);
      const qemuMips = n / qemuMs / 1000;
      ratios.push(ourMips / qemuMips);
      console.log(
        `${`${name}.${isa}`.padEnd(18)} ${(n / 1e6).toFixed(0).padStart(5)}M insns   ours ${ourMips.toFixed(1).padStart(6)} MIPS   (interpreter ${interpMips.toFixed(1).padStart(5)})   qemu ${qemuMips.toFixed(0).padStart(6)} MIPS   ${(ourMips / qemuMips).toFixed(3)}x`,
      );
    }
  }
  const geo = geomean(ratios);
  console.log(
    `cpu geometric mean ${geo.toFixed(3)}x of QEMU's speed (best of ${runs}, QEMU ${qemuRuns})   goal >= 0.2x  ${geo >= 0.2 ? 'met' : 'NOT MET'}`,
  );
}
