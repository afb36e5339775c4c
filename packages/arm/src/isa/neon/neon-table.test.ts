import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeA32Entry } from '../a32/a32-decoder.ts';
import { Bus } from '../../bus.ts';
import { Cpu } from '../../cpu.ts';
import { jitTranslator } from '../../jit/jit.ts';
import { neonToThumb } from '../../testing/fuzz-neon.ts';
import { getD, setD } from './neon-lanes.ts';
import { NEON_A32_ROWS, thumbDataToA32, thumbTransferToA32 } from './neon-table.ts';
import { decodeT32Entry } from '../thumb/thumb-decoder.ts';

const RAM = 0x40000000;

/** A CPU with VFP and Advanced SIMD enabled, `words` at RAM (A32, or Thumb halfwords in order). */
function machine(words: number[], thumb = false): Cpu {
  const bus = new Bus(RAM, new Uint8Array(1 << 16));
  const cpu = new Cpu(bus, { translator: jitTranslator() });
  cpu.cp15.cpacr = 0x00f00000;
  cpu.vfp.writeFpexc(0x40000000);
  words.forEach((w, i) => {
    if (thumb) {
      bus.write32(RAM + 4 * i, ((w & 0xffff) << 16) | (w >>> 16));
    } else bus.write32(RAM + 4 * i, w);
  });
  cpu.cpsr = thumb ? 0x1f3 : 0x1d3;
  cpu.pc = RAM;
  return cpu;
}

describe('Advanced SIMD rows', () => {
  test('Thumb words map to the A32 words the executors take, and back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 1 }), (low, u) => {
        const a32 = 0xf2000000 | (u << 24) | low | 0;
        assert.equal(thumbDataToA32(neonToThumb(a32)), a32);
        assert.equal(
          thumbTransferToA32(0xf9000000 | (low & 0xefffff) | 0),
          0xf4000000 | (low & 0xefffff) | 0,
        );
      }),
    );
  });

  test('every NEON row decodes in both instruction sets', () => {
    for (const row of NEON_A32_ROWS) {
      const w = Number.parseInt(row.pattern.replace(/ /g, '').replace(/[^01]/g, '0'), 2) | 0;
      const fixed = row.when === undefined || row.when(w) ? w : w | 0x00080000; // shifts need imm6 >= 8
      assert.equal(decodeA32Entry(fixed).name, row.name);
      const thumb = row.name === 'VLDn/VSTn' ? (fixed & 0x00ffffff) | 0xf9000000 | 0 : neonToThumb(fixed);
      assert.equal(decodeT32Entry(thumb).name, row.name);
    }
  });

  test('VQADD.S8 saturates and sets FPSCR.QC; the Thumb form does the same', () => {
    for (const thumb of [false, true]) {
      const vqadd = 0xf2000010 | (1 << 12) | (2 << 16) | 3; // vqadd.s8 d1, d2, d3
      const cpu = machine([thumb ? neonToThumb(vqadd) : vqadd], thumb);
      setD(cpu, 2, 0x7f80_0102_7f80_0102n);
      setD(cpu, 3, 0x0180_ff01_ff01_ff01n);
      cpu.run(1);
      assert.equal(getD(cpu, 1), 0x7f80_0003_7e81_0003n);
      assert.equal(cpu.vfp.fpscr >>> 27, 1);
    }
  });

  test('VLD1.32 {d0-d1} with writeback by the transfer size, then VST1.32 with a register index', () => {
    const cpu = machine([0xf4200a8d | 0, 0xf400078e | 0]); // vld1.32 {d0-d1}, [r0]!; vst1.32 {d0}, [r0], lr
    for (let i = 0; i < 16; i++) cpu.bus.ram[0x1000 + i] = i + 1;
    cpu.r[0] = RAM + 0x1000;
    cpu.r[14] = 3;
    cpu.run(2);
    assert.equal(getD(cpu, 0), 0x0807060504030201n);
    assert.equal(getD(cpu, 1), 0x100f0e0d0c0b0a09n);
    assert.equal(cpu.r[0], RAM + 0x1010 + 3);
    assert.deepEqual([...cpu.bus.ram.subarray(0x1010, 0x1018)], [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('VMOV.S8 from a scalar sign-extends; VDUP.16 fills every lane; both undefined while FPEXC.EN is clear', () => {
    const cpu = machine([0xee531b30 | 0, 0xee812b30 | 0]); // vmov.s8 r1, d3[1]; vdup.16 d1, r2
    setD(cpu, 3, 0x80f0n);
    cpu.r[2] = 0x1234abcd;
    cpu.run(2);
    assert.equal(cpu.r[1], -128);
    assert.equal(getD(cpu, 1), 0xabcd_abcd_abcd_abcdn);
    const off = machine([0xee531b30 | 0]);
    off.vfp.writeFpexc(0);
    off.run(1);
    assert.equal(off.pc, 0x4); // the undefined-instruction vector
  });
});
