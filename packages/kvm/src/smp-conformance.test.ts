import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadElf, makeVm, runGuest } from './test-support/guest.ts';

const conformance = new URL('../../../conformance/', import.meta.url);

/** s2-NAME runs on two vCPUs, s4-NAME on four, as QEMU recorded them with -smp 2 and -smp 4. */
function cpusOf(name: string): number {
  const m = /^s(\d)-/.exec(name);
  if (!m) throw new Error(`${name} is not an SMP program`);
  return Number(m[1]);
}

const programs = readdirSync(new URL('build/', conformance))
  .filter((f) => /^s\d-.*\.elf$/.test(f))
  .map((f) => f.slice(0, -'.elf'.length))
  .sort();

describe('SMP conformance programs through KVM_RUN, vCPUs driven round-robin', () => {
  test('there are programs for 2 and 4 CPUs, ARM and Thumb', () => {
    for (const prefix of ['s2-', 's4-'])
      for (const isa of ['.arm', '.thumb'])
        assert.ok(programs.filter((p) => p.startsWith(prefix) && p.endsWith(isa)).length >= 4, prefix + isa);
  });

  // the default slice, and a short one that interleaves the vCPUs hundreds of times more often
  for (const timeSlice of [undefined, 997])
    for (const name of programs) {
      const slice = timeSlice === undefined ? '' : `, ${timeSlice}-instruction slices`;
      test(`${name} on ${cpusOf(name)} vCPUs${slice}`, () => {
        // PSCI 0.2 on every vCPU; the secondaries start powered off until CPU_ON
        const { vcpus, ram } = makeVm({
          vcpus: cpusOf(name),
          features: 1 << 1,
          ...(timeSlice === undefined ? {} : { kvm: { timeSlice } }),
        });
        loadElf(ram, vcpus[0]!, readFileSync(new URL(`build/${name}.elf`, conformance)));
        const r = runGuest(vcpus, 2_000_000);
        assert.equal(r.end, 'shutdown', r.reason);
        assert.equal(r.output, readFileSync(new URL(`expected/${name}.txt`, conformance), 'latin1'));
      });
    }
});
