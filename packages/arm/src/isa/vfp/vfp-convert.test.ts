import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bus } from '../../bus.ts';
import { Cpu } from '../../cpu.ts';
import { jitTranslator } from '../../jit/jit.ts';

const RAM = 0x40000000;

/** Runs one A32 VFP word with the given FPSCR and S-register words. */
function run(w: number, fpscr: number, s: Record<number, number>): Cpu {
  const bus = new Bus(RAM, new Uint8Array(4096));
  const cpu = new Cpu(bus, { translator: jitTranslator() });
  cpu.cp15.cpacr = 0x00f00000;
  cpu.vfp.writeFpexc(0x40000000);
  cpu.vfp.fpscr = fpscr;
  for (const [i, v] of Object.entries(s)) cpu.vfp.words[Number(i)] = v;
  bus.write32(RAM, w);
  cpu.cpsr = 0x1d3;
  cpu.pc = RAM;
  cpu.run(1);
  return cpu;
}

describe('VFP conversions', () => {
  test('VCVTB/VCVTT write one half of Sd and read one half of Sm', () => {
    // vcvtt.f16.f32 s0, s1: 1.0 into the top half, the bottom half kept
    let cpu = run(0xeeb30ae0 | 0, 0, { 0: 0x1234, 1: 0x3f800000 });
    assert.equal(cpu.vfp.words[0], 0x3c001234);
    // vcvtb.f32.f16 s2, s1: the bottom half of s1 (-2.0) widened
    cpu = run(0xeeb21a60 | 0, 0, { 1: 0x7c00c000 });
    assert.equal(cpu.vfp.words[2]! >>> 0, 0xc0000000);
  });

  test('to fixed point truncates and saturates to 16 bits, sign-extended', () => {
    // vcvt.s16.f32 s0, s0, #1 (imm4:i = 15)
    const cpu = run(0xeebe0a67 | 0, 0, { 0: 0x47000000 }); // 32768.0 * 2 does not fit
    assert.equal(cpu.vfp.words[0], 0x7fff);
    assert.equal(cpu.vfp.fpscr & 1, 1); // IOC
    const neg = run(0xeebe0a67 | 0, 0, { 0: 0xbfe00000 }); // -1.75 * 2 = -3.5 -> -3
    assert.equal(neg.vfp.words[0], -3);
  });

  test('from fixed point rounds to nearest whatever FPSCR.RMode says', () => {
    // vcvt.f32.u32 s0, s0, #32 (sx = 1, imm4:i = 0)
    const cpu = run(0xeebb0ac0 | 0, 0x00c00000, { 0: 0xffffffff | 0 });
    assert.equal(cpu.vfp.words[0], 0x3f800000); // 0.99999999976 rounds up to 1.0 even toward zero
  });
});
