import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bus } from '../bus.ts';
import { Cp15, Ttbcr } from './cp15.ts';
import { Cpu } from '../cpu.ts';
import { Mode } from './modes.ts';

const RAM = 0x40000000;

/** Runs A32 `code` at PL1 (or PL0 with `user`) with the MMU off, from the start of RAM. */
function run(code: number[], regs: number[] = [], user = false): Cpu {
  const bus = new Bus(RAM, new Uint8Array(1 << 16));
  code.forEach((w, i) => bus.write32(RAM + i * 4, w));
  const cpu = new Cpu(bus);
  cpu.cp15.vbar = RAM + 0x1000;
  cpu.r.set(regs);
  if (user) cpu.cpsr = 0x10;
  cpu.pc = RAM;
  cpu.run(code.length);
  return cpu;
}

describe('Cp15 translation registers', () => {
  test('TTBCR keeps N/PD0/PD1 in the short format and the LPAE fields with EAE', () => {
    const c = new Cp15();
    c.write(2, 0, 0, 2, 0xffffffff & ~Ttbcr.EAE, false);
    assert.equal(c.ttbcr, 0x37);
    assert.equal(c.longDescriptors, false);
    c.write(2, 0, 0, 2, 0xffffffff, false);
    assert.equal(c.ttbcr >>> 0, 0xffc73f87, 'bits 21:19, 15:14 and 6:3 read as zero');
    assert.equal(c.longDescriptors, true);
  });

  test('the ASID: CONTEXTIDR in the short format, TTBR0 or TTBR1 bits 55:48 (TTBCR.A1) in the long', () => {
    const c = new Cp15();
    c.write(13, 0, 0, 1, 0x1234, false);
    c.write64(2, 0, 0, 0x00560000, false);
    c.write64(2, 1, 0, 0xff780000, false);
    assert.equal(c.asid, 0x34);
    c.write(2, 0, 0, 2, Ttbcr.EAE, false);
    assert.equal(c.asid, 0x56);
    c.write(2, 0, 0, 2, Ttbcr.EAE | Ttbcr.A1, false);
    assert.equal(c.asid, 0x78);
  });

  test('a 32-bit TTBR write changes the low word only; a 64-bit one both and tells of an address space change', () => {
    const c = new Cp15();
    let changes = 0;
    c.onAddressSpaceChange = () => changes++;
    c.write64(2, 1, 0x80004000, 0x00120034, false);
    assert.equal(changes, 1);
    c.write(2, 0, 0, 1, 0x9000, false);
    assert.deepEqual(c.read64(2, 1, false), [0x9000, 0x00120034]);
    assert.equal(c.read64(2, 1, true), undefined, 'PL1 only');
    assert.equal(c.write64(2, 0, 0, 0, true), false);
    assert.equal(c.read64(3, 0, false), undefined, 'no such 64-bit register');
  });

  test('MAIR0/MAIR1 are PRRR/NMRR; AMAIR0/AMAIR1 read as zero and ignore writes', () => {
    const c = new Cp15();
    c.write(10, 0, 2, 0, 0xff440400, false);
    c.write(10, 0, 2, 1, 0x000000bb, false);
    assert.equal(c.prrr >>> 0, 0xff440400);
    assert.equal(c.read(10, 0, 2, 1, false), 0xbb);
    for (const op2 of [0, 1]) {
      assert.equal(c.write(10, 0, 3, op2, 0x12345678, false), true);
      assert.equal(c.read(10, 0, 3, op2, false), 0);
      assert.equal(c.read(10, 0, 3, op2, true), undefined);
    }
  });

  test('SCTLR.WXN and UWXN are writable', () => {
    const c = new Cp15();
    c.write(1, 0, 0, 0, c.sctlr | (3 << 19), false);
    assert.equal((c.sctlr >>> 19) & 3, 3);
  });
});

describe('MCRR/MRRC p15', () => {
  test('TTBR0, TTBR1 and PAR move as 64 bits; MRC sees the low word', () => {
    const cpu = run(
      [
        0xec410f02, // mcrr p15, 0, r0, r1, c2 (TTBR0)
        0xec410f12, // mcrr p15, 1, r0, r1, c2 (TTBR1)
        0xec410f07, // mcrr p15, 0, r0, r1, c7 (PAR)
        0xec532f02, // mrrc p15, 0, r2, r3, c2
        0xec554f07, // mrrc p15, 0, r4, r5, c7
        0xee126f10, // mrc p15, 0, r6, c2, c0, 0 (TTBR0)
        0xee177f14, // mrc p15, 0, r7, c7, c4, 0 (PAR)
      ],
      [0x40004000, 0x00ab00cd],
    );
    assert.deepEqual(
      [...cpu.r.slice(2, 8)].map((v) => v >>> 0),
      [0x40004000, 0x00ab00cd, 0x40004000, 0x00ab00cd, 0x40004000, 0x40004000],
    );
    assert.equal(cpu.cp15.ttbr1Hi, 0x00ab00cd);
  });

  test('at PL0 they are undefined', () => {
    const cpu = run([0xec532f02], [], true); // mrrc p15, 0, r2, r3, c2
    assert.equal(cpu.mode, Mode.und);
  });
});
