import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import {
  conformance,
  cpusOf,
  smpPrograms,
  testSmpProgramsBuilt,
} from '../../kvm/src/test-support/smp-programs.ts';
import { armvmWith } from './test-support/armvm-in-process.ts';

describe('SMP conformance programs through `armvm run --smp N`', () => {
  testSmpProgramsBuilt();

  // the software KVM's default time slice, and a short one that interleaves the vCPUs far more often
  for (const timeSlice of [undefined, 997])
    for (const name of smpPrograms) {
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
