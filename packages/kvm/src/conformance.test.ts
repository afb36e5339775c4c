import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadElf, makeVm, runGuest } from './test-support/guest.ts';

const conformance = new URL('../../../conformance/', import.meta.url);

/** QEMU's recorded output. The programs print nothing that differs between TCG and a KVM host. */
function expected(name: string): string {
  return readFileSync(new URL(`expected/${name}.txt`, conformance), 'latin1');
}

const programs = readdirSync(new URL('build/', conformance))
  .filter((f) => f.startsWith('p-') && f.endsWith('.elf'))
  .map((f) => f.slice(0, -'.elf'.length));

describe('conformance programs through KVM_RUN', () => {
  test('there are programs to run', () => assert.ok(programs.length > 40));

  for (const name of programs) {
    test(name, () => {
      const { vcpus, ram } = makeVm({ features: 1 << 1 });
      loadElf(ram, vcpus[0]!, readFileSync(new URL(`build/${name}.elf`, conformance)));
      const r = runGuest(vcpus, 5_000_000);
      assert.equal(r.end, 'shutdown', r.reason);
      assert.equal(r.output, expected(name));
      assert.ok(r.mmioExits >= r.output.length, 'every UART byte left as an MMIO exit');
    });
  }
});

const smpPrograms = readdirSync(new URL('build/', conformance))
  .filter((f) => f.startsWith('s-') && f.endsWith('.elf'))
  .map((f) => f.slice(0, -'.elf'.length));

describe('SMP conformance programs through KVM_RUN, one vCPU per QEMU CPU', () => {
  test('there are SMP programs to run', () => assert.ok(smpPrograms.length >= 2));

  for (const name of smpPrograms) {
    for (const cpus of [2, 4]) {
      test(`${name} with ${cpus} vCPUs`, () => {
        const [program, isa] = name.split('.') as [string, string];
        const { vcpus, ram } = makeVm({ vcpus: cpus, features: 1 << 1 });
        loadElf(ram, vcpus[0]!, readFileSync(new URL(`build/${name}.elf`, conformance)));
        const r = runGuest(vcpus, 5_000_000);
        assert.equal(r.end, 'shutdown', r.reason);
        const want = readFileSync(
          new URL(`expected/${program}.smp${cpus}.${isa}.txt`, conformance),
          'latin1',
        );
        assert.equal(r.output, want);
        assert.ok(
          vcpus.slice(1).every((v) => v.powerOff),
          'secondaries turned themselves off',
        );
      });
    }
  }
});
