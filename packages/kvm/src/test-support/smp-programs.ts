/**
 * The SMP conformance programs (conformance/build/s2-NAME and s4-NAME, ARM and Thumb builds) with
 * the output QEMU recorded for each, shared by the tests that run them through KVM_RUN here and
 * through `armvm run` in @armvm/vmm.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';

/** The conformance/ folder: the programs in build/, the output QEMU recorded in expected/. */
export const conformance = new URL('../../../../conformance/', import.meta.url);

/** How many CPUs an SMP program needs: s2-NAME was recorded with -smp 2, s4-NAME with -smp 4. */
export function cpusOf(name: string): number {
  const m = /^s(\d)-/.exec(name);
  if (!m) throw new Error(`${name} is not an SMP program`);
  return Number(m[1]);
}

/** The names (without .elf) of the SMP programs in conformance/build/, sorted. */
export const smpPrograms: readonly string[] = readdirSync(new URL('build/', conformance))
  .filter((f) => /^s\d-.*\.elf$/.test(f))
  .map((f) => f.slice(0, -'.elf'.length))
  .sort();

/** A test that the build holds programs for 2 and 4 CPUs, ARM and Thumb, so a short build fails. */
export function testSmpProgramsBuilt(): void {
  test('there are programs for 2 and 4 CPUs, ARM and Thumb', () => {
    for (const prefix of ['s2-', 's4-'])
      for (const isa of ['.arm', '.thumb'])
        assert.ok(
          smpPrograms.filter((p) => p.startsWith(prefix) && p.endsWith(isa)).length >= 4,
          prefix + isa,
        );
  });
}
