import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { armvmWith } from './test-support/armvm-in-process.ts';

const conformance = new URL('../../../conformance/', import.meta.url);

/** s2-NAME was recorded with -smp 2, s4-NAME with -smp 4. */
function cpusOf(name: string): number {
  const m = /^s(\d)-/.exec(name);
  if (!m) throw new Error(`${name} is not an SMP program`);
  return Number(m[1]);
}

const programs = readdirSync(new URL('build/', conformance))
  .filter((f) => /^s\d-.*\.elf$/.test(f))
  .map((f) => f.slice(0, -'.elf'.length))
  .sort();

describe('SMP conformance programs through `armvm run --smp N`', () => {
  test('there are programs for 2 and 4 CPUs, ARM and Thumb', () => {
    for (const prefix of ['s2-', 's4-'])
      for (const isa of ['.arm', '.thumb'])
        assert.ok(programs.filter((p) => p.startsWith(prefix) && p.endsWith(isa)).length >= 4, prefix + isa);
  });

  // the software KVM's default time slice, and a short one that interleaves the vCPUs far more often
  for (const timeSlice of [undefined, 997])
    for (const name of programs) {
      const cpus = cpusOf(name);
      const slice = timeSlice === undefined ? '' : ` (${timeSlice}-instruction slices)`;
      test(`armvm run --smp ${cpus} ${name}${slice}`, async () => {
        const kernel = fileURLToPath(new URL(`build/${name}.elf`, conformance));
        const kvm = timeSlice === undefined ? {} : { kvm: { timeSlice } };
        const r = await armvmWith(
          kvm,
          'run',
          '--kernel',
          kernel,
          '--smp',
          String(cpus),
          '--no-cache',
          '--no-reboot',
        );
        assert.equal(r.status, 0, r.err);
        assert.equal(r.out, readFileSync(new URL(`expected/${name}.txt`, conformance), 'latin1'));
        assert.equal(r.err, '', 'nothing on stderr (a stop on the time limit says "terminated")');
      });
    }
});
