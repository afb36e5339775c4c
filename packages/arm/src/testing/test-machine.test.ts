import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { TestMachine } from './test-machine.ts';

const conformance = new URL('../../../../conformance/', import.meta.url);

/**
 * Conformance programs whose UART output on this CPU matches QEMU's byte for byte. A program joins
 * this list once it passes; `make -C conformance expected` re-records what QEMU prints.
 */
const PASSING: readonly string[] = [
  'p-align.arm',
  'p-align.thumb',
  'p-alu.arm',
  'p-alu.thumb',
  'p-bigint.arm',
  'p-bigint.thumb',
  'p-bitfields.arm',
  'p-bitfields.thumb',
  'p-bits.arm',
  'p-bits.thumb',
  'p-clamp.arm',
  'p-clamp.thumb',
  'p-compute.arm',
  'p-compute.thumb',
  'p-cond.arm',
  'p-cond.thumb',
  'p-control.arm',
  'p-control.thumb',
  'p-cp14.arm',
  'p-cp14.thumb',
  'p-cp15.arm',
  'p-cp15.thumb',
  'p-crc-table.arm',
  'p-crc-table.thumb',
  'p-exceptions.arm',
  'p-exceptions.thumb',
  'p-exclusive.arm',
  'p-exclusive.thumb',
  'p-hash.arm',
  'p-hash.thumb',
  'p-hello.arm',
  'p-hello.thumb',
  'p-hints.arm',
  'p-hints.thumb',
  'p-interwork.arm',
  'p-interwork.thumb',
  'p-ldm-user.arm',
  'p-ldm-user.thumb',
  'p-libgcc.arm',
  'p-libgcc.thumb',
  'p-linked.arm',
  'p-linked.thumb',
  'p-lpae-asid.arm',
  'p-lpae-asid.thumb',
  'p-lpae-switch.arm',
  'p-lpae-switch.thumb',
  'p-lpae.arm',
  'p-lpae.thumb',
  'p-memory.arm',
  'p-memory.thumb',
  'p-mmu-user.arm',
  'p-mmu-user.thumb',
  'p-mmu.arm',
  'p-mmu.thumb',
  'p-modes.arm',
  'p-modes.thumb',
  'p-muldiv.arm',
  'p-muldiv.thumb',
  'p-neon-autovec.arm',
  'p-neon-autovec.thumb',
  'p-neon-convert.arm',
  'p-neon-convert.thumb',
  'p-neon-float.arm',
  'p-neon-float.thumb',
  'p-neon-intrin.arm',
  'p-neon-intrin.thumb',
  'p-neon-ldst.arm',
  'p-neon-ldst.thumb',
  'p-neon-sweep.arm',
  'p-neon-sweep.thumb',
  'p-nested.arm',
  'p-nested.thumb',
  'p-pmu.arm',
  'p-pmu.thumb',
  'p-psci.arm',
  'p-psci.thumb',
  'p-recursion.arm',
  'p-recursion.thumb',
  'p-selfmod.arm',
  'p-selfmod.thumb',
  'p-shifts.arm',
  'p-shifts.thumb',
  'p-sort.arm',
  'p-sort.thumb',
  'p-strings.arm',
  'p-strings.thumb',
  'p-timer.arm',
  'p-timer.thumb',
  'p-user.arm',
  'p-user.thumb',
  'p-varargs.arm',
  'p-varargs.thumb',
  'p-vectors.arm',
  'p-vectors.thumb',
  'p-vfp-arith.arm',
  'p-vfp-arith.thumb',
  'p-vfp-kernels.arm',
  'p-vfp-kernels.thumb',
  'p-vfp-ldst.arm',
  'p-vfp-ldst.thumb',
  'p-vfp-math.arm',
  'p-vfp-math.thumb',
];

function runElf(name: string): { stop: string; output: string; retired: number } {
  const m = new TestMachine();
  m.loadElf(readFileSync(new URL(`build/${name}.elf`, conformance)));
  const stop = m.run(20_000_000);
  return { stop: stop.kind, output: Buffer.from(m.output).toString('latin1'), retired: m.cpu.retired };
}

describe('conformance programs match QEMU byte for byte', () => {
  for (const name of PASSING) {
    test(name, () => {
      const expected = readFileSync(new URL(`expected/${name}.txt`, conformance), 'latin1');
      const { stop, output } = runElf(name);
      assert.equal(output, expected);
      assert.equal(stop, 'poweroff');
    });
  }
});

describe('TestMachine', () => {
  test('collects UART bytes and stops on PSCI SYSTEM_OFF', () => {
    const m = new TestMachine();
    // mov r1, #0x09000000; mov r0, #'A'; str r0, [r1]; ldr r0, =0x84000008 (movw/movt); hvc #0
    const code = [0xe3a01409, 0xe3a00041, 0xe5810000, 0xe3000008, 0xe3480400, 0xe1400070];
    const bytes = new Uint8Array(code.length * 4);
    const v = new DataView(bytes.buffer);
    for (const [i, w] of code.entries()) v.setUint32(i * 4, w, true);
    m.bus.load(0x40000000, bytes);
    m.cpu.pc = 0x40000000;
    assert.deepEqual(m.run(100), { kind: 'poweroff' });
    assert.equal(Buffer.from(m.output).toString(), 'A');
  });
});
