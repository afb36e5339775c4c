import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bus } from '../bus.ts';
import { Cpu } from '../cpu.ts';
import { jitTranslator } from '../jit/jit.ts';
import { Access } from './mmu.ts';
import { Mode } from './modes.ts';

const RAM = 0x40000000;
const L1 = RAM + 0x4000;
const L2 = RAM + 0x8000;
const CODE = RAM + 0x100;

/** A CPU with RAM identity-mapped by sections (full access, domain 0) and the MMU on. */
function mapped(code: number[]): { cpu: Cpu; bus: Bus } {
  const bus = new Bus(RAM, new Uint8Array(4 << 20));
  for (let i = 0; i < 4; i++) bus.write32(L1 + (0x400 + i) * 4, (RAM + (i << 20)) | (3 << 10) | 2);
  for (const [i, w] of code.entries()) bus.write32(CODE + i * 4, w);
  const cpu = new Cpu(bus, { translator: jitTranslator() });
  cpu.cp15.write(3, 0, 0, 0, 0x55555555, false); // every domain: client
  cpu.cp15.write(2, 0, 0, 0, L1, false);
  cpu.cp15.write(1, 0, 0, 0, cpu.cp15.sctlr | 1, false);
  cpu.cp15.vbar = RAM + 0x1000;
  cpu.pc = CODE;
  return { cpu, bus };
}

describe('Mmu', () => {
  test('small pages map anywhere, and an unaligned load may straddle two of them', () => {
    const { cpu, bus } = mapped([0xe5910000]); // ldr r0, [r1]
    bus.write32(L1 + 0x900 * 4, L2 | 1);
    bus.write32(L2, (RAM + 0x200000) | (3 << 4) | 2); // 0x90000000 -> RAM + 2 MiB
    bus.write32(L2 + 4, (RAM + 0x100000) | (3 << 4) | 2); // 0x90001000 -> RAM + 1 MiB (not contiguous)
    bus.write32(RAM + 0x200ffc, 0x44332211);
    bus.write32(RAM + 0x100000, 0x88776655);
    cpu.r[1] = 0x90000ffe;
    cpu.run(1);
    assert.equal(cpu.r[0]! >>> 0, 0x66554433);
  });

  test('PL1-only memory faults for PL0 and for LDRT, not for PL1', () => {
    const code = [0xe5910000, 0xe4b12000]; // ldr r0, [r1]; ldrt r2, [r1]
    const { cpu, bus } = mapped(code);
    bus.write32(L1 + 0x800 * 4, RAM | (1 << 10) | 2); // 0x80000000: AP=001, PL1 read/write only
    bus.write32(RAM, 0x12345678);
    cpu.r[1] = 0x80000000;
    cpu.run(1);
    assert.equal(cpu.r[0], 0x12345678, 'PL1 reads it');
    cpu.run(1);
    assert.equal(cpu.mode, Mode.abt, 'LDRT checks PL0 permissions');
    assert.equal(cpu.cp15.dfsr, 0x00d, 'section permission fault, domain 0');
    assert.equal(cpu.cp15.dfar >>> 0, 0x80000000);
  });

  test('a cached translation may outlive a table change; TLB maintenance drops it', () => {
    const { cpu, bus } = mapped([0xe5910000, 0xe5910000, 0xee080f17, 0xe5910000]); // ldr; ldr; TLBIALL; ldr
    bus.write32(L1 + 0x800 * 4, (RAM + 0x100000) | (3 << 10) | 2);
    bus.write32(RAM + 0x101000, 1);
    bus.write32(RAM + 0x201000, 2);
    cpu.r[1] = 0x80001000; // a TLB slot of its own (the code's page uses another)
    cpu.run(1);
    assert.equal(cpu.r[0], 1);
    bus.write32(L1 + 0x800 * 4, (RAM + 0x200000) | (3 << 10) | 2); // remap without maintenance
    cpu.run(1);
    assert.equal(cpu.r[0], 1, 'the TLB still holds the old translation');
    cpu.run(2);
    assert.equal(cpu.r[0], 2, 'after TLBIALL the new one is walked');
  });

  test('a missing first-level entry is a section translation fault on fetch too', () => {
    const { cpu } = mapped([0xe12fff11]); // bx r1
    cpu.r[1] = 0xb0000000;
    cpu.run(2);
    assert.equal(cpu.mode, Mode.abt);
    assert.equal(cpu.cp15.ifsr, 0x005);
    assert.equal(cpu.cp15.ifar >>> 0, 0xb0000000);
    assert.equal(cpu.r[14], 0xb0000004 | 0);
  });
});

describe('ASID-tagged TLB', () => {
  const VA = 0x80001000;
  const NG = 1 << 17; // section descriptor: not global
  /** Maps the 1 MiB section at 0x80000000 to `pa`, global or not. */
  const section = (bus: Bus, pa: number, global: boolean) =>
    bus.write32(L1 + 0x800 * 4, pa | (3 << 10) | 2 | (global ? 0 : NG));
  const setAsid = (cpu: Cpu, asid: number) => cpu.cp15.write(13, 0, 0, 1, asid, false); // CONTEXTIDR
  const read = (cpu: Cpu) => cpu.mmu.translate(VA, Access.read, false);

  test('non-global entries belong to their ASID, and a context switch keeps them', () => {
    const { cpu, bus } = mapped([]);
    setAsid(cpu, 1);
    section(bus, RAM + 0x100000, false);
    assert.equal(read(cpu), RAM + 0x101000);
    section(bus, RAM + 0x200000, false); // another process's tables, no maintenance
    setAsid(cpu, 2);
    assert.equal(read(cpu), RAM + 0x201000, 'ASID 2 walks its own tables');
    setAsid(cpu, 1);
    const walks = cpu.mmu.walks;
    assert.equal(read(cpu), RAM + 0x101000, "ASID 1's entry survived the switches");
    assert.equal(cpu.mmu.walks, walks, 'without a walk');
  });

  test('global entries are shared by every ASID', () => {
    const { cpu, bus } = mapped([]);
    setAsid(cpu, 1);
    section(bus, RAM + 0x100000, true);
    assert.equal(read(cpu), RAM + 0x101000);
    section(bus, RAM + 0x200000, true);
    setAsid(cpu, 7);
    const walks = cpu.mmu.walks;
    assert.equal(read(cpu), RAM + 0x101000, 'the cached global entry answers for ASID 7');
    assert.equal(cpu.mmu.walks, walks);
  });

  test('TLBIASID drops one ASID, TLBIMVA one page of one ASID and the globals, TLBIALL everything', () => {
    const { cpu, bus } = mapped([]);
    const tlbi = (op2: number, value: number) => cpu.cp15.write(8, 0, 7, op2, value, false);
    for (const [asid, global] of [
      [3, false],
      [4, false],
    ] as const) {
      setAsid(cpu, asid);
      section(bus, RAM + 0x100000, global);
      read(cpu);
    }
    section(bus, RAM + 0x200000, false);
    tlbi(2, 3); // TLBIASID 3
    setAsid(cpu, 4);
    assert.equal(read(cpu), RAM + 0x101000, 'ASID 4 untouched by TLBIASID 3');
    setAsid(cpu, 3);
    assert.equal(read(cpu), RAM + 0x201000, 'ASID 3 walks again');
    section(bus, RAM + 0x300000, false);
    tlbi(1, (VA + 0x5000) | 4); // TLBIMVA of another page of the same section, ASID 4
    setAsid(cpu, 4);
    assert.equal(read(cpu), RAM + 0x301000, 'the section entry went with any address inside it');
    setAsid(cpu, 3);
    assert.equal(read(cpu), RAM + 0x201000, 'ASID 3 kept its entry');
    section(bus, RAM + 0x100000, false);
    tlbi(0, 0); // TLBIALL
    assert.equal(read(cpu), RAM + 0x101000);
  });

  test('a full flush is a new generation: every entry walks again', () => {
    const { cpu, bus } = mapped([]);
    section(bus, RAM + 0x100000, true);
    read(cpu);
    const walks = cpu.mmu.walks;
    read(cpu);
    assert.equal(cpu.mmu.walks, walks, 'a hit');
    cpu.mmu.flush();
    read(cpu);
    assert.equal(cpu.mmu.walks, walks + 1);
  });

  test('translated code sees a new mapping after a context switch', () => {
    // ldr r0, [r1]; str r4, [r5] (new L1 entry); mcr p15, 0, r2, c13, c0, 1 (CONTEXTIDR); ldr r3, [r1]; b .
    const code = [0xe5910000, 0xe5854000, 0xee0d2f30, 0xe5913000, 0xeafffffe];
    for (const jit of [true, 'tiered', false] as const) {
      const { bus } = mapped([]);
      const cpu = new Cpu(
        bus,
        jit === 'tiered' ? { translator: jitTranslator() } : jit ? { translator: jitTranslator(1) } : {},
      );
      code.forEach((w, i) => bus.write32(CODE + i * 4, w));
      cpu.cp15.write(3, 0, 0, 0, 0x55555555, false);
      cpu.cp15.write(2, 0, 0, 0, L1, false);
      cpu.cp15.write(1, 0, 0, 0, cpu.cp15.sctlr | 1, false);
      setAsid(cpu, 1);
      section(bus, RAM + 0x100000, false);
      bus.write32(RAM + 0x101000, 11);
      bus.write32(RAM + 0x201000, 22);
      cpu.r.set([0, VA, 2, 0, (RAM + 0x200000) | (3 << 10) | 2 | NG, L1 + 0x800 * 4]);
      cpu.pc = CODE;
      cpu.run(200);
      assert.deepEqual([cpu.r[0], cpu.r[3]], [11, 22], String(jit));
    }
  });
});

describe('page invalidation and domains', () => {
  const NG = 1 << 11; // small page descriptor: not global
  /** Maps 0x80000000 + n pages to RAM + 2 MiB + n pages through a second-level table (domain 1). */
  function pages(bus: Bus, n: number, global: boolean): void {
    bus.write32(L1 + 0x800 * 4, L2 | (1 << 5) | 1);
    for (let i = 0; i < n; i++)
      bus.write32(L2 + i * 4, (RAM + 0x200000 + i * 0x1000) | (3 << 4) | 2 | (global ? 0 : NG));
  }
  const at = (i: number) => 0x80000000 + i * 0x1000;
  const setAsid = (cpu: Cpu, asid: number) => cpu.cp15.write(13, 0, 0, 1, asid, false);
  const tlbi = (cpu: Cpu, op2: number, value: number) => cpu.cp15.write(8, 0, 7, op2, value, false);

  test('TLBIMVA and TLBIMVAA drop one 4 KiB page; its neighbours stay cached', () => {
    for (const [op2, asidArg, global] of [
      [1, 5, false], // TLBIMVA, the right ASID
      [3, 0, false], // TLBIMVAA, any ASID
      [1, 9, true], // TLBIMVA with another ASID still drops a global page
    ] as const) {
      const { cpu, bus } = mapped([]);
      setAsid(cpu, 5);
      pages(bus, 3, global);
      for (let i = 0; i < 3; i++) cpu.mmu.translate(at(i), Access.read, false);
      const walks = cpu.mmu.walks;
      tlbi(cpu, op2, at(1) | asidArg);
      cpu.mmu.translate(at(0), Access.read, false);
      cpu.mmu.translate(at(2), Access.read, false);
      assert.equal(cpu.mmu.walks, walks, `pages 0 and 2 kept (op2 ${op2})`);
      cpu.mmu.translate(at(1), Access.read, false);
      assert.equal(cpu.mmu.walks, walks + 1, `page 1 walked again (op2 ${op2})`);
    }
  });

  test('TLBIMVAA drops a page cached under several ASIDs, and a global page alone', () => {
    for (const global of [false, true]) {
      const { cpu, bus } = mapped([]);
      pages(bus, 1, global);
      for (const asid of [5, 77]) {
        setAsid(cpu, asid);
        cpu.mmu.translate(at(0), Access.read, false);
      }
      tlbi(cpu, 3, at(0));
      for (const asid of [5, 77]) {
        setAsid(cpu, asid);
        const walks = cpu.mmu.walks;
        cpu.mmu.translate(at(0), Access.read, false);
        // a global page is one entry: walked again once, then shared by every ASID
        const again = !global || asid === 5 ? 1 : 0;
        assert.equal(cpu.mmu.walks, walks + again, `ASID ${asid} (global ${global})`);
      }
    }
  });

  test('TLBIMVA of another ASID keeps a non-global page', () => {
    const { cpu, bus } = mapped([]);
    setAsid(cpu, 5);
    pages(bus, 1, false);
    cpu.mmu.translate(at(0), Access.read, false);
    const walks = cpu.mmu.walks;
    tlbi(cpu, 1, at(0) | 6);
    cpu.mmu.translate(at(0), Access.read, false);
    assert.equal(cpu.mmu.walks, walks);
  });

  test('DACR applies to cached entries: no access, client and manager without maintenance', () => {
    const { cpu, bus } = mapped([]);
    pages(bus, 1, true);
    bus.write32(L2, (RAM + 0x200000) | (2 << 4) | 2); // AP=10: PL1 read/write, PL0 read-only
    const dacr = (domain1: number) => cpu.cp15.write(3, 0, 0, 0, 0x55555551 | (domain1 << 2), false);
    const fault = (fn: () => void) => {
      try {
        fn();
        return 'ok';
      } catch (e) {
        return `fsr ${((e as { fsr: number }).fsr & 0x40f).toString(16)} domain ${((e as { fsr: number }).fsr >>> 4) & 15}`;
      }
    };
    dacr(1);
    assert.equal(
      fault(() => cpu.mmu.translate(at(0), Access.write, true)),
      'fsr f domain 1',
      'client: PL0 may not write',
    );
    const walks = cpu.mmu.walks;
    dacr(3);
    assert.equal(
      fault(() => cpu.mmu.translate(at(0), Access.write, true)),
      'ok',
      'manager: no permission checks',
    );
    dacr(0);
    assert.equal(
      fault(() => cpu.mmu.translate(at(0), Access.read, false)),
      'fsr b domain 1',
      'no access: page domain fault',
    );
    dacr(1);
    assert.equal(
      fault(() => cpu.mmu.translate(at(0), Access.read, true)),
      'ok',
    );
    assert.equal(cpu.mmu.walks, walks, 'all from the one cached entry');
  });
});
