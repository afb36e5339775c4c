import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadElf, makeVm, runGuest } from './test-support/guest.ts';
import { conformance, cpusOf, smpPrograms, testSmpProgramsBuilt } from './test-support/smp-programs.ts';

describe('SMP conformance programs through KVM_RUN, vCPUs driven round-robin', () => {
  testSmpProgramsBuilt();

  // the default slice, and a short one that interleaves the vCPUs hundreds of times more often
  for (const timeSlice of [undefined, 997])
    for (const name of smpPrograms) {
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
