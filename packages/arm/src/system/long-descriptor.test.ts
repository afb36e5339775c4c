import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bus } from '../bus.ts';
import { Ttbcr } from './cp15.ts';
import { Cpu } from '../cpu.ts';
import { jitTranslator } from '../jit/jit.ts';
import { GuestException } from './exceptions.ts';
import { Access, NO_DOMAIN } from './mmu.ts';
import { Mode } from './modes.ts';

const RAM = 0x40000000;
const L1 = RAM + 0x4000; // first level: four 1 GiB entries (T0SZ = 0)
const L2 = RAM + 0x5000; // second level for 0x40000000-0x7fffffff
const L3 = RAM + 0x6000; // third level for 0x40200000-0x403fffff
const CODE = RAM + 0x100;
const AF = 1 << 10;
const NG = 1 << 11;
const BLOCK = 1;
const TABLE_OR_PAGE = 3;
/** AP[2:1] in bits 7:6. */
const AP_PL0 = 1 << 6;
const AP_RO = 1 << 7;
/** High-word bits: PXN (53), XN (54), and the table limits PXNTable (59) ... APTable[1] (62). */
const PXN = 1 << 21;
const XN = 1 << 22;
const XN_TABLE = 1 << 28;
const AP_TABLE_NO_PL0 = 1 << 29;
const AP_TABLE_RO = 1 << 30;

function desc(bus: Bus, at: number, lo: number, hi = 0): void {
  bus.write32(at, lo);
  bus.write32(at + 4, hi);
}

/**
 * A CPU in the long-descriptor format: 0x40000000-0x401fffff identity-mapped by a 2 MiB block,
 * 0x40200000-0x403fffff through a third-level table (empty), 0x80000000-0xbfffffff a 1 GiB block
 * onto RAM; DACR 0 (no access to any domain), which the long format must ignore.
 */
function longMapped(code: number[] = [], options: { jit?: boolean } = {}): { cpu: Cpu; bus: Bus } {
  const bus = new Bus(RAM, new Uint8Array(8 << 20));
  desc(bus, L1 + 1 * 8, L2 | TABLE_OR_PAGE);
  desc(bus, L1 + 2 * 8, RAM | AF | AP_PL0 | BLOCK);
  desc(bus, L2 + 0 * 8, RAM | AF | BLOCK);
  desc(bus, L2 + 1 * 8, L3 | TABLE_OR_PAGE);
  for (const [i, w] of code.entries()) bus.write32(CODE + i * 4, w);
  const cpu = new Cpu(bus, options.jit === false ? {} : { translator: jitTranslator() });
  cpu.cp15.write(3, 0, 0, 0, 0, false);
  cpu.cp15.write(2, 0, 0, 2, Ttbcr.EAE, false);
  cpu.cp15.write64(2, 0, L1, 0, false);
  cpu.cp15.write(1, 0, 0, 0, cpu.cp15.sctlr | 1, false);
  cpu.cp15.vbar = RAM + 0x1000;
  cpu.pc = CODE;
  return { cpu, bus };
}

/** The fault status `fn` raises, or 'ok'. */
function fsrOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof GuestException)) throw e;
    return `0x${e.fsr.toString(16)}`;
  }
}

describe('long-descriptor translation', () => {
  test('blocks of 1 GiB and 2 MiB and 4 KiB pages, with a 40-bit table walk', () => {
    const { cpu, bus } = longMapped();
    desc(bus, L3 + 5 * 8, (RAM + 0x345000) | AF | TABLE_OR_PAGE);
    const t = (va: number) => cpu.mmu.translate(va, Access.read, false);
    assert.equal(t(0x40001234), 0x40001234, '2 MiB block');
    assert.equal(t(0x80001234), 0x40001234, '1 GiB block');
    assert.equal(t(0xbfff0008), 0x7fff0008, 'the top of the 1 GiB block');
    assert.equal(t(0x40205678), RAM + 0x345678, 'page');
    assert.equal(cpu.mmu.lastSpan, 12);
    assert.equal(cpu.mmu.lastDomain, NO_DOMAIN);
    assert.equal(
      fsrOf(() => t(0x40206000)),
      '0x207',
      'an invalid page: level 3 translation fault',
    );
    assert.equal(
      fsrOf(() => t(0x00001000)),
      '0x205',
      'an invalid first-level entry',
    );
    desc(bus, L3 + 7 * 8, (RAM + 0x7000) | AF | BLOCK);
    assert.equal(
      fsrOf(() => t(0x40207000)),
      '0x207',
      'a block descriptor at level 3 is invalid',
    );
  });

  test('a clear access flag faults at its level, for reads, writes and fetches', () => {
    const { cpu, bus } = longMapped();
    desc(bus, L3 + 2 * 8, (RAM + 0x2000) | TABLE_OR_PAGE);
    desc(bus, L1 + 3 * 8, RAM | BLOCK);
    assert.equal(
      fsrOf(() => cpu.mmu.translate(0x40202000, Access.read, false)),
      '0x20b',
    );
    assert.equal(
      fsrOf(() => cpu.mmu.translate(0x40202000, Access.write, false)),
      '0xa0b',
      'with WnR',
    );
    assert.equal(
      fsrOf(() => cpu.mmu.translate(0xc0000000, Access.fetch, false)),
      '0x209',
    );
  });

  test('AP[2:1], XN and PXN, limited by the table attributes on the way', () => {
    const { cpu, bus } = longMapped();
    const page = (n: number, lo: number, hi = 0) =>
      desc(bus, L3 + n * 8, (RAM + n * 0x1000) | AF | 3 | lo, hi);
    page(0, 0); // PL1 read/write
    page(1, AP_PL0); // read/write at both
    page(2, AP_RO); // PL1 read-only
    page(3, AP_RO | AP_PL0); // read-only at both
    page(4, AP_PL0, XN);
    page(5, AP_PL0, PXN);
    const can = (n: number) => {
      const va = 0x40200000 + n * 0x1000;
      const out: string[] = [];
      for (const user of [false, true])
        for (const [k, name] of [
          [Access.read, 'r'],
          [Access.write, 'w'],
          [Access.fetch, 'x'],
        ] as const)
          out.push(fsrOf(() => cpu.mmu.translate(va, k, user)) === 'ok' ? name : '-');
      return out.join('');
    };
    assert.equal(can(0), 'rwx---');
    assert.equal(can(1), 'rwxrwx');
    assert.equal(can(2), 'r-x---');
    assert.equal(can(3), 'r-xr-x');
    assert.equal(can(4), 'rw-rw-', 'XN: no execution at either level');
    assert.equal(can(5), 'rw-rwx', 'PXN: PL0 only');
    assert.equal(
      fsrOf(() => cpu.mmu.translate(0x40202000, Access.write, false)),
      '0xa0f',
      'level 3 permission, WnR',
    );
    // the same pages under a table that forbids PL0, writes and execution
    desc(bus, L2 + 1 * 8, L3 | TABLE_OR_PAGE, AP_TABLE_NO_PL0 | AP_TABLE_RO | XN_TABLE);
    cpu.cp15.write(8, 0, 7, 0, 0, false); // TLBIALL
    assert.equal(can(1), 'r-----');
  });

  test('SCTLR.WXN takes execution from writable memory and UWXN from memory PL0 may write', () => {
    const { cpu, bus } = longMapped();
    desc(bus, L3 + 1 * 8, (RAM + 0x1000) | AF | 3 | AP_PL0);
    desc(bus, L3 + 2 * 8, (RAM + 0x2000) | AF | 3 | AP_PL0 | AP_RO);
    const exec = (n: number, user: boolean) =>
      fsrOf(() => cpu.mmu.translate(0x40200000 + n * 0x1000, Access.fetch, user));
    const sctlr = cpu.cp15.sctlr;
    cpu.cp15.write(1, 0, 0, 0, sctlr | (1 << 20), false); // UWXN
    assert.deepEqual([exec(1, false), exec(1, true), exec(2, false)], ['0x20f', 'ok', 'ok']);
    cpu.cp15.write(1, 0, 0, 0, sctlr | (1 << 19), false); // WXN
    assert.deepEqual([exec(1, false), exec(1, true), exec(2, false)], ['0x20f', '0x20f', 'ok']);
  });

  test('T0SZ and T1SZ split the input range; the gap and EPD0/EPD1 are level 1 translation faults', () => {
    const { cpu, bus } = longMapped();
    const L1B = RAM + 0x7000; // TTBR1's table: T1SZ = 2 gives 1 GiB, which starts at level 2
    desc(bus, L1B + 0x1ff * 8, (RAM + 0x200000) | AF | BLOCK); // 0xffe00000 -> RAM + 2 MiB
    cpu.cp15.write64(2, 1, L1B, 0, false);
    const t = (va: number) => fsrOf(() => cpu.mmu.translate(va, Access.read, false));
    const ttbcr = (v: number) => cpu.cp15.write(2, 0, 0, 2, Ttbcr.EAE | v, false);
    ttbcr((2 << 16) | 1); // TTBR0: 0-2 GiB, TTBR1: 3-4 GiB
    assert.equal(cpu.mmu.translate(0xffe00010, Access.read, false), RAM + 0x200010);
    assert.equal(t(0x40000000), 'ok');
    assert.equal(t(0x90000000), '0x205', 'between the two ranges');
    ttbcr(2 << 16); // T0SZ = 0: TTBR0 has everything below TTBR1's range
    assert.equal(t(0x90000000), 'ok');
    ttbcr((2 << 16) | Ttbcr.EPD1);
    assert.equal(t(0xffe00010), '0x205', 'EPD1: no walk');
    ttbcr((2 << 16) | Ttbcr.EPD0);
    assert.equal(t(0x40000000), '0x205', 'EPD0: no walk');
    desc(bus, L1B + 3 * 8, RAM | AF | BLOCK);
    ttbcr(3); // T1SZ = 0: TTBR1 takes everything above TTBR0's 512 MiB, walked from level 1
    assert.equal(cpu.mmu.translate(0xc0000040, Access.read, false), RAM + 0x40);
    assert.equal(t(0x10000000), '0x206', "TTBR0's 512 MiB start at level 2: an empty entry there");
    ttbcr(1); // T0SZ = 1: a first-level table of two entries, so bit 30 alone picks one
    assert.equal(cpu.mmu.translate(0x40000040, Access.read, false), RAM + 0x40);
  });

  test('the ASID is TTBR0[55:48] (or TTBR1[55:48] with A1), and nG entries keep to it', () => {
    const { cpu, bus } = longMapped();
    const PAGE = 0x40203000;
    const map = (pa: number) => desc(bus, L3 + 3 * 8, pa | AF | 3 | NG);
    const ttbr0 = (asid: number) => cpu.cp15.write64(2, 0, L1, asid << 16, false);
    ttbr0(1);
    map(RAM + 0x100000);
    assert.equal(cpu.mmu.translate(PAGE, Access.read, false), RAM + 0x100000);
    map(RAM + 0x200000);
    ttbr0(2);
    assert.equal(cpu.mmu.translate(PAGE, Access.read, false), RAM + 0x200000, 'ASID 2 walks');
    ttbr0(1);
    const walks = cpu.mmu.walks;
    assert.equal(cpu.mmu.translate(PAGE, Access.read, false), RAM + 0x100000, "ASID 1's entry stayed");
    cpu.cp15.write(13, 0, 0, 1, 2, false); // CONTEXTIDR no longer holds the ASID
    assert.equal(cpu.cp15.asid, 1);
    cpu.cp15.write(8, 0, 7, 2, 2, false); // TLBIASID 2
    assert.equal(cpu.mmu.translate(PAGE, Access.read, false), RAM + 0x100000, 'TLBIASID 2 spares ASID 1');
    assert.equal(cpu.mmu.walks, walks);
    cpu.cp15.write(8, 0, 7, 2, 1, false); // TLBIASID 1
    assert.equal(cpu.mmu.translate(PAGE, Access.read, false), RAM + 0x200000, 'ASID 1 walked again');
    cpu.cp15.write64(2, 1, 0, 3 << 16, false);
    cpu.cp15.write(2, 0, 0, 2, Ttbcr.EAE | Ttbcr.A1, false);
    assert.equal(cpu.cp15.asid, 3, 'A1: from TTBR1');
  });

  test('TLBIMVA of any page of a 1 GiB block drops every page cached from it', () => {
    for (const jit of [true, false]) {
      const { cpu, bus } = longMapped([], { jit });
      const t = (va: number) => cpu.mmu.translate(va, Access.read, false);
      assert.deepEqual([t(0x80000000), t(0xbff00000)], [0x40000000, 0x7ff00000]);
      desc(bus, L1 + 2 * 8, 0x80000000 | AF | BLOCK); // remapped: now the identity
      assert.equal(t(0xbff00000), 0x7ff00000, 'still cached');
      cpu.cp15.write(8, 0, 7, 3, 0x9abcd000, false); // TLBIMVAA of another page inside the block
      assert.deepEqual([t(0x80000000), t(0xbff00000)], [0x80000000, 0xbff00000]);
    }
  });

  test('DACR has no say over long-descriptor translations', () => {
    const { cpu } = longMapped();
    for (const dacr of [0, 0xffffffff, 0xaaaaaaaa]) {
      cpu.cp15.write(3, 0, 0, 0, dacr, false);
      assert.equal(
        fsrOf(() => cpu.mmu.translate(0x40000000, Access.write, true)),
        '0xa0e',
        `DACR ${dacr}`,
      );
      assert.equal(
        fsrOf(() => cpu.mmu.translate(0x80000000, Access.write, true)),
        'ok',
      );
    }
  });

  test('an output address above 4 GiB is never RAM: it leaves as MMIO with all 40 bits', () => {
    const { cpu, bus } = longMapped([0xe5910000]); // ldr r0, [r1]
    desc(bus, L3 + 4 * 8, RAM | AF | 3, 0x12); // 0x40204000 -> 0x12_40000000
    cpu.r[1] = 0x40204010;
    const exit = cpu.run(1);
    assert.equal(exit.kind, 'mmio');
    assert.equal(exit.kind === 'mmio' && exit.address, 0x12_40000010);
    assert.equal(bus.ramOffset(0x1_40000000, 4), -1);
  });

  test('every abort reports in the long format while EAE is set: alignment, external', () => {
    const { cpu, bus } = longMapped([0xe5910000, 0xe12fff11]); // ldr r0, [r1]; bx r1
    cpu.cp15.write(1, 0, 0, 0, cpu.cp15.sctlr | 2, false); // SCTLR.A
    cpu.r[1] = 0x40000402;
    cpu.run(1);
    assert.equal(cpu.mode, Mode.abt);
    assert.equal(cpu.cp15.dfsr, 0x221, 'alignment');
    assert.equal(cpu.cp15.dfar, 0x40000402);
    desc(bus, L3 + 6 * 8, 0x09000000 | AF | 3); // a device page: nothing to fetch there
    cpu.pc = CODE + 4;
    cpu.r[1] = 0x40206000;
    cpu.run(2);
    assert.equal(cpu.cp15.ifsr, 0x210, 'synchronous external abort');
    assert.equal(cpu.cp15.ifar, 0x40206000);
  });

  test('switching between the formats at run time, translated and interpreted', () => {
    // ldr r0, [r1]; mcr p15, 0, r2, c2, c0, 2 (TTBCR); ldr r3, [r1]; mcr TTBCR, r4; ldr r5, [r1]; b .
    const code = [0xe5910000, 0xee022f50, 0xe5913000, 0xee024f50, 0xe5915000, 0xeafffffe];
    for (const jit of [true, false]) {
      const { cpu, bus } = longMapped(code, { jit });
      // short-descriptor tables at TTBR0's low word: 0x40000000 -> itself, 0x80000000 -> RAM + 1 MiB
      const SHORT = RAM + 0x8000; // 16 KiB aligned
      bus.write32(SHORT + 0x400 * 4, RAM | (3 << 10) | 2);
      bus.write32(SHORT + 0x800 * 4, (RAM + 0x100000) | (3 << 10) | 2);
      bus.write32(RAM + 0x100000, 111);
      bus.write32(RAM + 0x000000, 222);
      cpu.cp15.write(3, 0, 0, 0, 0x55555555, false);
      cpu.cp15.write(2, 0, 0, 2, 0, false); // start in the short format, TTBR0 = SHORT
      cpu.cp15.write(2, 0, 0, 0, SHORT, false);
      cpu.r.set([0, 0x80000000, Ttbcr.EAE, 0, 0]);
      // the long format walks from the same TTBR0: its first-level entries are SHORT's first 32 bytes
      // (short-format entries for 0-8 MiB, which nothing here uses)
      desc(bus, SHORT + 1 * 8, L2 | TABLE_OR_PAGE);
      desc(bus, SHORT + 2 * 8, RAM | AF | BLOCK);
      cpu.run(300);
      assert.deepEqual([cpu.r[0], cpu.r[3], cpu.r[5]], [111, 222, 111], jit ? 'translated' : 'interpreted');
    }
  });
});
