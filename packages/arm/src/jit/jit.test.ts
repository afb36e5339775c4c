import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Bus } from '../bus.ts';
import { Cpu, type CpuOptions } from '../cpu.ts';
import type { CpuExit } from '../exit.ts';
import {
  fuzzEntries,
  randomInstruction,
  randomMemoryInstruction,
  randomThumbMemoryInstruction,
  thumbFuzzEntries,
  thumbStream,
} from '../testing/fuzz-blob.ts';
import { FuzzRng } from '../testing/fuzz-rng.ts';
import { TestMachine, type TestMachineOptions } from '../testing/test-machine.ts';
import { plainText } from './code.ts';
import { Jit, jitTranslator } from './jit.ts';

const RAM = 0x40000000;
const MMIO = 0x09000000;
const VBAR = RAM + 0x1000;
const SCRATCH = RAM + 0x8000;
const HVC_A32 = 0xe1400070 | 0; // hvc #0
const HVC_T32 = 0xf7e08000 | 0; // hvc #0 (hw1 first)

/** A machine description: code (A32 words, or Thumb halfwords), start state, scratch bytes. */
interface Program {
  readonly code: readonly number[];
  readonly thumb?: boolean;
  readonly regs?: readonly number[];
  readonly cpsr?: number;
  readonly scratch?: Uint8Array;
}

/**
 * How a test CPU runs code: every block compiled on its first run (true), blocks interpreted until
 * hot as by default ('tiered'), or the one-instruction interpreter (false).
 */
type Way = boolean | 'tiered';

function cpuOptions(way: Way): CpuOptions {
  return way === 'tiered' ? { translator: jitTranslator() } : way ? { translator: jitTranslator(1) } : {};
}

function machineOptions(way: Way): TestMachineOptions {
  return way === 'tiered' ? {} : way ? { compileAfter: 1 } : { jit: false };
}

/** A CPU with `p` loaded at RAM; every vector holds an HVC so exceptions surface as exits. */
function load(p: Program, way: Way): Cpu {
  const bus = new Bus(RAM, new Uint8Array(1 << 16));
  const cpu = new Cpu(bus, cpuOptions(way));
  for (let v = 0; v < 8; v++) bus.write32(VBAR + v * 4, 0xe1400070 | v); // hvc #v
  if (p.thumb) p.code.forEach((hw, i) => bus.write16(RAM + i * 2, hw));
  else p.code.forEach((w, i) => bus.write32(RAM + i * 4, w));
  if (p.scratch) bus.load(SCRATCH, p.scratch);
  cpu.cpsr = p.cpsr ?? 0x1d3;
  cpu.cp15.vbar = VBAR;
  p.regs?.forEach((v, i) => (cpu.r[i] = v));
  cpu.t = p.thumb ? 1 : 0;
  cpu.pc = RAM;
  return cpu;
}

/** Runs until an HVC (answering MMIO loads with a fixed word) and records every exit on the way. */
function drive(cpu: Cpu, budget = 1000): string[] {
  const log: string[] = [];
  for (let i = 0; i < 50; i++) {
    const exit: CpuExit = cpu.run(budget);
    log.push(`${exit.kind}@${cpu.pc.toString(16)}#${cpu.retired}`);
    if (exit.kind === 'mmio' && !exit.isWrite) exit.data.set([0x44, 0x33, 0x22, 0x11]);
    if (exit.kind === 'hvc' || exit.kind === 'wfi') break;
  }
  return log;
}

/** Everything a guest can observe, for comparing the two ways of running. */
function snapshot(cpu: Cpu) {
  return {
    r: [...cpu.r],
    cpsr: cpu.cpsr,
    retired: cpu.retired,
    lrIrq: cpu.getBanked(0x12, 14),
    lrUnd: cpu.getBanked(0x1b, 14),
    lrAbt: cpu.getBanked(0x17, 14),
    dfar: cpu.cp15.dfar,
    dfsr: cpu.cp15.dfsr,
    scratch: Buffer.from(cpu.bus.ram.subarray(0x8000, 0xa000)).toString('hex'),
  };
}

/**
 * Runs `p` compiled, tiered (blocks interpreted until hot) and interpreted; asserts they agree and
 * that compilation really happened.
 */
function both(p: Program, act: (cpu: Cpu) => string[] = (cpu) => drive(cpu)): Cpu {
  const jit = load(p, true);
  const tiered = load(p, 'tiered');
  const interp = load(p, false);
  const jitLog = act(jit);
  const tieredLog = act(tiered);
  const interpLog = act(interp);
  assert.deepEqual(jitLog, interpLog, 'same exits at the same PCs and counts');
  assert.deepEqual(tieredLog, interpLog, 'the block interpreter too');
  assert.deepEqual(snapshot(jit), snapshot(interp));
  assert.deepEqual(snapshot(tiered), snapshot(interp));
  assert.ok((jit.jit as Jit).cache.compilations > 0, 'the JIT compiled the code');
  return jit;
}

describe('block translator against the interpreter', () => {
  test('flags from ADDS and SUBS drive conditional instructions', () => {
    const cpu = both({
      code: [
        0xe3e00102, // mvn r0, #0x80000000
        0xe2901001, // adds r1, r0, #1 (signed overflow)
        0x63a02001, // movvs r2, #1
        0x73a02002, // movvc r2, #2
        0xe0513001, // subs r3, r1, r1
        0x02844005, // addeq r4, r4, #5
        0x20455004, // subcs r5, r5, r4
        HVC_A32,
      ],
    });
    assert.equal(cpu.r[2], 1);
    assert.equal(cpu.r[4], 5);
    assert.equal(cpu.r[5], -5);
    assert.equal(cpu.cpsr >>> 28, 0b0110, 'Z and C from the last SUBS');
  });

  test('an IT block runs its then and else instructions, and 16-bit ops inside it leave the flags', () => {
    const cpu = both({
      thumb: true,
      code: [
        0x2000, // movs r0, #0
        0x2800, // cmp r0, #0
        0xbf0c, // ite eq
        0x2101, // moveq r1, #1 (no flags inside IT)
        0x2102, // movne r1, #2
        0x1cca, // adds r2, r1, #3
        HVC_T32 >>> 16,
        HVC_T32 & 0xffff,
      ],
    });
    assert.equal(cpu.r[1], 1);
    assert.equal(cpu.r[2], 4);
  });

  test('an MMIO load inside an IT block leaves mid-block and the block resumes after it', () => {
    const log: string[] = [];
    both(
      {
        thumb: true,
        regs: [0, 0, 0, 0, MMIO],
        code: [
          0x2800, // cmp r0, #0
          0xbf01, // itttt eq
          0x6823, // ldreq r3, [r4]
          0x3301, // addeq r3, #1
          0x3301, // addeq r3, #1
          0x2505, // moveq r5, #5
          0x1c5e, // adds r6, r3, #1
          HVC_T32 >>> 16,
          HVC_T32 & 0xffff,
        ],
      },
      (cpu) => {
        const l = drive(cpu);
        log.push(...l);
        return l;
      },
    );
    assert.equal(log[0], `mmio@${(RAM + 6).toString(16)}#3`, 'PC after the load, three retired');
  });

  test('an MMIO store mid-block leaves with the PC after it and exact counts', () => {
    const cpu = both({
      regs: [7, MMIO],
      code: [
        0xe2800001, // add r0, r0, #1
        0xe5810000, // str r0, [r1]
        0xe2800001, // add r0, r0, #1
        HVC_A32,
      ],
    });
    assert.equal(cpu.r[0], 9);
  });

  test('an access that misses the soft TLB at the last address of all leaves to the interpreter too', () => {
    // the miss is reported with its address: an address of all ones must not read as "no miss"
    const cpu = both({
      code: [
        0xe3a02007, // mov r2, #7
        0xe5910000, // ldr r0, [r1] (r1 = 0xffffffff: no RAM there, so an MMIO exit)
        HVC_A32,
      ],
      regs: [0, -1],
    });
    assert.equal(cpu.r[0], 0x11223344, 'the MMIO answer');
    assert.equal(cpu.r[2], 7);
  });

  test('an undefined instruction mid-block is taken with its own address and exact retired count', () => {
    const cpu = both({
      code: [
        0xe2800001, // add r0, r0, #1
        0xe2800001, // add r0, r0, #1
        0xe7f000f0, // udf
        0xe2800001, // add r0, r0, #1
        HVC_A32,
      ],
    });
    assert.equal(cpu.r[0], 2);
    assert.equal(cpu.getBanked(0x1b, 14), RAM + 12, 'LR_und is the UDF address + 4');
    assert.equal(cpu.retired, 4, 'two adds, the UDF, and the HVC at the vector');
  });

  test('an alignment fault of an inline load mid-block sets DFAR and the retired count exactly', () => {
    const cpu = both({
      regs: [2, 0, SCRATCH + 2],
      code: [
        0xee010f10, // mcr p15, 0, r0, c1, c0, 0 (SCTLR.A)
        0xe2833001, // add r3, r3, #1
        0xe5921000, // ldr r1, [r2]: misaligned
        0xe2833001, // add r3, r3, #1
        HVC_A32,
      ],
    });
    assert.equal(cpu.cp15.dfar, SCRATCH + 2);
    assert.equal(cpu.getBanked(0x17, 14), RAM + 16, 'LR_abt is the load address + 8');
    assert.equal(cpu.r[3], 1);
  });

  test('a fault in a block run straight from the block linked to it counts each block once', () => {
    const cpu = both({
      regs: [0, 0, 0, SCRATCH, 0, 0, 0, 2],
      code: [
        0xee017f10, //    mcr p15, 0, r7, c1, c0, 0 (SCTLR.A)
        0xe2800001, // A: add r0, r0, #1
        0xe35000c8, //    cmp r0, #200
        0xe0834100, //    add r4, r3, r0, lsl #2
        0x02844001, //    addeq r4, r4, #1 (misaligned on the last round)
        0xea000000, //    b B
        0xe7f000f0, //    udf
        0xe5942000, // B: ldr r2, [r4]
        0xe0811002, //    add r1, r1, r2
        0xeafffff6, //    b A
      ],
    });
    assert.equal(cpu.r[0], 200);
    assert.equal(cpu.cp15.dfar, SCRATCH + 801);
  });

  test('a store into the running block changes the instructions that follow it', () => {
    const cpu = both({
      code: [
        0xe3001002, // movw r1, #0x0002
        0xe34e13a0, // movt r1, #0xe3a0: r1 = mov r0, #2
        0xe58f1004, // str r1, [pc, #4]: overwrites the instruction at +0x14
        0xe1a00000, // nop
        0xe1a00000, // nop
        0xe3a00001, // mov r0, #1 (replaced before it runs)
        HVC_A32,
      ],
    });
    assert.equal(cpu.r[0], 2);
    assert.ok((cpu.jit as Jit).cache.invalidations > 0);
  });

  test('code the owner rewrites between runs is translated again', () => {
    const code = [0xe3a00001, HVC_A32]; // mov r0, #1
    for (const way of [true, 'tiered', false] as const) {
      const cpu = load({ code }, way);
      cpu.run(1000);
      assert.equal(cpu.r[0], 1);
      cpu.bus.write32(RAM, 0xe3a00007); // mov r0, #7
      cpu.pc = RAM;
      cpu.run(1000);
      assert.equal(cpu.r[0], 7, String(way));
    }
  });

  test('an IRQ unmasked by CPSIE is taken right after it, at the block boundary', () => {
    const cpu = both(
      {
        code: [
          0xe2800001, // add r0, r0, #1
          0xf1080080, // cpsie i
          0xe2800001, // add r0, r0, #1
          0xeafffffd, // b .-4
        ],
      },
      (c) => {
        c.setIrq(true);
        return drive(c);
      },
    );
    assert.equal(cpu.r[0], 1);
    assert.equal(cpu.getBanked(0x12, 14), RAM + 12, 'LR_irq = next instruction + 4');
  });

  test('an IRQ raised between runs is taken before the next block', () => {
    both(
      {
        cpsr: 0x113, // SVC, IRQs unmasked
        code: [
          0xe2800001, // add r0, r0, #1
          0xe2811002, // add r1, r1, #2
          0xeafffffc, // b .-8
        ],
      },
      (c) => {
        const first = c.run(301);
        c.setIrq(true);
        return [first.kind, `${c.retired}`, ...drive(c)];
      },
    );
  });

  test('a hot two-block loop becomes one function, with exits and faults inside it exact', () => {
    const cpu = both(
      {
        regs: [0, 0, 0, 0, MMIO, 30000],
        code: [
          0xe2800001, // loop: add r0, r0, #1
          0xe3100003, //       tst r0, #3
          0x1a000000, //       bne skip
          0xe2811001, //       add r1, r1, #1
          0xe1500005, // skip: cmp r0, r5
          0x1afffff9, //       bne loop
          0xe5943000, //       ldr r3, [r4] (MMIO: leaves the block)
          0xe2855d7d, //       add r5, r5, #8000
          0xe2966001, //       adds r6, r6, #1
          0xe3560002, //       cmp r6, #2
          0x1afffff4, //       bne loop
          0xe7f000f0, //       udf
        ],
      },
      (c) => drive(c, 1_000_000),
    );
    // the loop's blocks are laid out in address order, each falling into the next; a budget that
    // runs out inside the loop function stops at a block boundary with the exact count
    for (const budget of [997, 1000]) {
      both(
        {
          regs: [0, 0, 0, 0, MMIO, 30000],
          code: [0xe2800001, 0xe3100003, 0x1a000000, 0xe2811001, 0xe1500005, 0x1afffff9, HVC_A32],
        },
        (c) => {
          const log: string[] = [];
          for (let i = 0; i < 200 && !log.some((l) => l.startsWith('hvc')); i++) {
            const exit = c.run(budget);
            log.push(`${exit.kind}@${c.pc.toString(16)}#${c.retired}/${c.r[0]}:${c.r[1]}`);
          }
          return log;
        },
      );
    }
    assert.equal(cpu.r[0], 38000);
    assert.equal(cpu.r[1], 9500);
    assert.equal(cpu.getBanked(0x1b, 14), RAM + 48, 'LR_und after the UDF');
    assert.ok((cpu.jit as Jit).hotLoops > 0, 'the loop was compiled as one function');
  });

  test('budgets are retired exactly, in loops and across blocks', () => {
    both(
      {
        code: [
          0xe2800001, // add r0, r0, #1
          0xe3500064, // cmp r0, #100
          0x1afffffc, // bne .-8
          0xe2811001, // add r1, r1, #1
          0xe3a00000, // mov r0, #0
          0xeafffff9, // b start
        ],
      },
      (c) => [137, 1, 60, 999, 5000].map((n) => `${c.run(n).kind} ${c.retired}`),
    );
  });
});

/** Random register state with memory base registers pointing into the scratch area. */
function randomRegs(rng: FuzzRng, thumb: boolean): number[] {
  return Array.from({ length: 13 }, (_, r) => {
    if (r === 10 || (thumb && r === 6)) return rng.below(16) * 4;
    if (r === 11 || (thumb && r === 7)) return SCRATCH + 0x1000;
    return rng.next() | 0;
  });
}

describe('property: random straight-line blocks run the same translated and interpreted', () => {
  const a32 = fuzzEntries();
  const thumb = thumbFuzzEntries();
  const scratch = (rng: FuzzRng) => Uint8Array.from({ length: 0x2000 }, () => rng.below(256));

  test('A32 register and memory instructions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1 }), fc.integer({ min: 1, max: 40 }), (seed, length) => {
        const rng = new FuzzRng(seed);
        const code = Array.from({ length }, () =>
          rng.below(3) === 0 ? randomMemoryInstruction(rng) : randomInstruction(rng, a32),
        );
        both({
          code: [...code, HVC_A32],
          regs: randomRegs(rng, false),
          cpsr: (rng.next() & 0xf8000000) | 0x1d3,
          scratch: scratch(rng),
        });
      }),
      { numRuns: 150 },
    );
  });

  test('Thumb register and memory instructions, with IT blocks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1 }), fc.integer({ min: 1, max: 40 }), (seed, length) => {
        const rng = new FuzzRng(seed);
        const code: number[] = [];
        for (let i = 0; i < length; i++) {
          if (rng.below(3) === 0) {
            const w = randomThumbMemoryInstruction(rng);
            if (w >>> 16 !== 0) code.push(w >>> 16, w & 0xffff);
            else code.push(w);
          } else code.push(...thumbStream(rng, thumb, 2 + rng.below(3)));
        }
        // an IT block still open at the end would make the HVC conditional; close it with NOPs
        code.push(0xbf00, 0xbf00, 0xbf00, 0xbf00, HVC_T32 >>> 16, HVC_T32 & 0xffff);
        both({
          thumb: true,
          code,
          regs: randomRegs(rng, true),
          cpsr: (rng.next() & 0xf8000000) | 0x1f3,
          scratch: scratch(rng),
        });
      }),
      { numRuns: 150 },
    );
  });
});

describe('conformance programs run the same translated and interpreted', () => {
  const build = new URL('../../../../conformance/build/', import.meta.url);
  const programs = readdirSync(build)
    .filter((f) => f.startsWith('p-') && f.endsWith('.elf'))
    .map((f) => f.slice(0, -4));
  for (const name of programs) {
    test(name, () => {
      const elf = readFileSync(new URL(`${name}.elf`, build));
      const runs = ([true, 'tiered', false] as const).map((way) => {
        const m = new TestMachine(16 << 20, machineOptions(way));
        m.loadElf(elf);
        const stop = m.run(20_000_000);
        return {
          stop: stop.kind,
          output: Buffer.from(m.output).toString('latin1'),
          r: [...m.cpu.r],
          cpsr: m.cpu.cpsr,
          retired: m.cpu.retired,
        };
      });
      assert.deepEqual(runs[0], runs[2]);
      assert.deepEqual(runs[1], runs[2]);
    });
  }
});

/** An A32 LDM/STM: P (before), U (up), S (user bank), W (writeback), L (load). */
function multi(flags: string, rn: number, list: number): number {
  const bit = (c: string, b: number) => (flags.includes(c) ? 1 << b : 0);
  return (
    0xe8000000 |
    bit('P', 24) |
    bit('U', 23) |
    bit('S', 22) |
    bit('W', 21) |
    bit('L', 20) |
    (rn << 16) |
    list |
    0
  );
}

/** The translated source of the block the JIT holds at RAM offset `off` (throws if there is none). */
function sourceAt(cpu: Cpu, off: number, thumb: number): string {
  const block = (cpu.jit as Jit).cache.get(off, thumb, RAM + off);
  assert.ok(block?.source, `a block with its source at +${off.toString(16)}`);
  return plainText(block.source.code);
}

describe('inline multi-word transfers against the interpreter', () => {
  test('LDM/STM in all four address modes, bases in the list, twice so the second pass runs inline', () => {
    const cpu = both({
      regs: [11, SCRATCH + 0x100, SCRATCH + 0x200, SCRATCH + 0x300, 44, 55, 0, 0, 0, 0, 2, 0, 0],
      code: [
        multi('PW', 1, 0x0031), //     stmdb r1!, {r0, r4, r5}
        multi('UL', 1, 0x01c0), //     ldmia r1, {r6, r7, r8}
        multi('PUW', 2, 0x41c0), //    stmib r2!, {r6, r7, r8, lr}
        multi('L', 2, 0x1a00), //      ldmda r2, {r9, r11, r12}
        multi('W', 3, 0x000f), //      stmda r3!, {r0-r3}: r3 stored as it was
        multi('PWL', 3, 0x0018), //    ldmdb r3!, {r3, r4}: a loaded base is not written back
        0xe25aa001, //                 subs r10, r10, #1
        0x1afffff7, //                 bne start
        HVC_A32,
      ],
    });
    assert.equal(cpu.r[1], SCRATCH + 0x100 - 24, 'two writebacks of 12 bytes');
    assert.equal(cpu.r[6], 11);
    assert.equal(cpu.r[8], 55);
    assert.match(sourceAt(cpu, 0, 0), /view\.setInt32\(o \+ 8, r\[5\], true\)/, 'the STMDB ran inline');
  });

  test('a fault in LDM or STM mid-block leaves registers and memory as they were, with exact counts', () => {
    for (const store of [true, false]) {
      const cpu = both({
        regs: [0, RAM + 0x10000 - 8, 1, 2, 3, 4],
        code: [
          0xe5916000, //                                    ldr r6, [r1]: caches the page
          0xe2800001, //                                    add r0, r0, #1
          multi(store ? 'UW' : 'UWL', 1, 0x003c), //        ldmia/stmia r1!, {r2-r5}: runs off the end of RAM
          0xe2800001, //                                    add r0, r0, #1
          HVC_A32,
        ],
      });
      assert.equal(cpu.r[0], 1);
      assert.equal(cpu.r[1], RAM + 0x10000 - 8, 'no writeback');
      assert.equal(cpu.r[2], 1, 'no register loaded');
      assert.equal(cpu.getBanked(0x17, 14), RAM + 16, 'LR_abt is the LDM/STM address + 8');
      assert.equal(cpu.retired, 4, 'the load, the add, the aborted LDM/STM and the HVC at the vector');
    }
  });

  test('a misaligned LDM takes its alignment fault from the executor', () => {
    const cpu = both({
      regs: [0, SCRATCH + 2],
      code: [0xe2800001, multi('UL', 1, 0x000c), HVC_A32],
    });
    assert.equal(cpu.cp15.dfar, SCRATCH + 2);
  });

  test('LDM and STM of MMIO abort, and LDRD of MMIO leaves with an exit, as interpreted', () => {
    both({ regs: [0, 0, 0, 0, MMIO], code: [0xe2800001, multi('UL', 4, 0x0006), HVC_A32] });
    both({ regs: [0, 0, 0, 0, MMIO], code: [0xe2800001, multi('PW', 4, 0x0006), HVC_A32] });
    const cpu = both({
      regs: [0, 0, 0, 0, MMIO],
      code: [0xe2800001, 0xe1c420d0, 0xe2800001, HVC_A32], // add; ldrd r2, r3, [r4]; add
    });
    assert.equal(cpu.r[0], 2);
  });

  test('an STM over the instructions after it drops the block and runs the new code', () => {
    const cpu = both({
      regs: [0xe3a00002, 0xe3a01003, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, RAM + 12],
      code: [
        0xe58c2100, //            str r2, [r12, #0x100]: caches the page for writes
        0xe24cc000, //            sub r12, r12, #0
        multi('U', 12, 0x0003), // stmia r12, {r0, r1}: overwrites the two words below
        0xe3a00001, //            mov r0, #1 (becomes mov r0, #2)
        0xe3a01001, //            mov r1, #1 (becomes mov r1, #3)
        HVC_A32,
      ],
    });
    assert.deepEqual([cpu.r[0], cpu.r[1]], [2, 3]);
  });

  test('user-bank LDM/STM keep their executor; plain LDM/STM in user mode run inline', () => {
    const banked = (cpu: Cpu) => [
      ...drive(cpu),
      String(cpu.getBanked(0x10, 13)),
      String(cpu.getBanked(0x10, 14)),
    ];
    both(
      {
        regs: [0, SCRATCH + 0x100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1234, 0x5678],
        code: [
          multi('US', 1, 0x6000), //  stmia r1, {sp, lr}^
          0xe2811004, //              add r1, r1, #4
          multi('USL', 1, 0x6000), // ldmia r1, {sp, lr}^
          HVC_A32,
        ],
      },
      banked,
    );
    const cpu = both({
      cpsr: 0x10,
      regs: [5, SCRATCH + 0x100, 6, 0, 0, 0, 0, 0, 0, 0, 2],
      code: [multi('UW', 1, 0x0005), multi('PWL', 1, 0x0018), 0xe25aa001, 0x1afffffb, 0xef000000],
    });
    assert.deepEqual([cpu.r[3], cpu.r[4]], [5, 6]);
  });

  test('A32 LDRD/STRD with writeback and POP {pc} (LDR PC, [SP], #4) return through the stack', () => {
    const cpu = both({
      regs: [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, SCRATCH + 0x400],
      code: [
        0xeb000002, // bl f
        0xe2800010, // add r0, r0, #16
        HVC_A32,
        0xe7f000f0, // udf
        0xe52de004, // f: push {lr} (str lr, [sp, #-4]!)
        0xe16d42f0, //    strd r4, r5, [sp, #-32]!
        0xe1cd60f8, //    strd r6, r7, [sp, #8]
        0xe1cd00d8, //    ldrd r0, r1, [sp, #8]
        0xe0cd20d8, //    ldrd r2, r3, [sp], #8
        0xe28dd018, //    add sp, sp, #24
        0xe49df004, //    pop {pc}
      ],
    });
    assert.deepEqual([cpu.r[0], cpu.r[1], cpu.r[2], cpu.r[3]], [23, 8, 5, 6]);
    assert.equal(cpu.r[13], SCRATCH + 0x400);
  });

  test('Thumb PUSH, POP {pc}, LDMIA/STMIA, PUSH.W/POP.W and LDRD/STRD', () => {
    const cpu = both({
      thumb: true,
      regs: [9, SCRATCH + 0x100, 7, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, SCRATCH + 0x800],
      code: [
        0xf000,
        0xf808, // bl f
        0xc105, //         stmia r1!, {r0, r2}
        0x3908, //         subs r1, #8
        0xc90c, //         ldmia r1!, {r2, r3}
        0xc906, //         ldmia r1, {r1, r2}: the base is loaded, not written back
        HVC_T32 >>> 16,
        HVC_T32 & 0xffff,
        0xde00, //         udf
        0xde00, //         udf
        0xb510, //      f: push {r4, lr}
        0xe92d,
        0x4ff0, // push.w {r4-r11, lr}
        0xe96d,
        0x4502, // strd r4, r5, [sp, #-8]!
        0xe9dd,
        0x2300, // ldrd r2, r3, [sp]
        0xb002, //         add sp, #8
        0xe8bd,
        0x4ff0, // pop.w {r4-r11, lr}
        0x3003, //         adds r0, #3
        0xbd10, //         pop {r4, pc}
      ],
    });
    assert.deepEqual([cpu.r[0], cpu.r[2], cpu.r[3]], [12, 0, 4]);
    assert.equal(cpu.r[13], SCRATCH + 0x800);
  });

  test('a Thumb POP {pc} of an even address changes to A32', () => {
    const arm = RAM + 0x20;
    const cpu = both({
      thumb: true,
      regs: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, SCRATCH + 0x100],
      scratch: Uint8Array.from({ length: 0x200 }, (_, i) =>
        i >= 0x100 && i < 0x104 ? (arm >>> ((i & 3) * 8)) & 0xff : 0,
      ),
      code: [
        0x3001,
        0xbd00,
        ...Array.from({ length: 14 }, () => 0xde00),
        0x0001,
        0xe280,
        HVC_A32 & 0xffff,
        HVC_A32 >>> 16,
      ],
    });
    assert.equal(cpu.r[0], 2, 'adds r0, #1 in Thumb, then add r0, r0, #1 in A32');
    assert.equal(cpu.t, 0);
  });
});

describe('property: random LDM/STM blocks run the same translated and interpreted', () => {
  test('A32, every address mode, with writeback and faults', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1 }), fc.integer({ min: 1, max: 12 }), (seed, length) => {
        const rng = new FuzzRng(seed);
        const code: number[] = [];
        for (let i = 0; i < length; i++) {
          const rn = rng.below(4) === 0 ? 13 : 11 + rng.below(2);
          // the base itself only sometimes in the list: a loaded base makes the next access fault
          let list = rng.next() & 0x5fff & ~(rng.below(4) === 0 ? 0 : 1 << rn);
          if (list === 0) list = 1;
          const flags =
            ['', 'P', 'U', 'PU'][rng.below(4)]! + (rng.below(2) ? 'W' : '') + (rng.below(2) ? 'L' : '');
          code.push(multi(flags, rn, list & ~(1 << 10)));
          if (rng.below(3) === 0) code.push(0xe2900001 | (rng.below(10) << 12) | (rng.below(10) << 16)); // adds
        }
        both({
          code: [...code, 0xe25aa001, 0x1a000000 | ((-(code.length + 3) & 0xffffff) >>> 0) | 0, HVC_A32],
          regs: randomRegs(rng, false)
            .map((v, r) => (r === 10 ? 3 : r === 12 ? SCRATCH + 0x1800 : v))
            .concat([SCRATCH + 0x600]),
          cpsr: (rng.next() & 0xf8000000) | 0x1d3,
          scratch: Uint8Array.from({ length: 0x2000 }, () => rng.below(256)),
        });
      }),
      { numRuns: 150 },
    );
  });
});

describe('one physical page at several virtual addresses', () => {
  const ALIAS = 0xc0000000 | 0;
  const TABLE = RAM + 0x4000;

  /** Turns the MMU on with RAM mapped both at its own address and at ALIAS (1 MiB sections). */
  function mapTwice(cpu: Cpu): void {
    const section = (RAM | 0xc02) >>> 0; // full access, domain 0
    cpu.bus.write32(TABLE + ((RAM >>> 20) << 2), section);
    cpu.bus.write32(TABLE + ((ALIAS >>> 20) << 2), section);
    cpu.cp15.write(3, 0, 0, 0, 1, false); // DACR: domain 0 client
    cpu.cp15.write(2, 0, 0, 0, TABLE, false);
    cpu.cp15.write(1, 0, 0, 0, cpu.cp15.sctlr | 1, false);
  }

  for (const jit of [true, 'tiered', false] as const) {
    test(`each mapping sees its own PC, and branches stay in the mapping they start from (${jit === 'tiered' ? 'tiered' : jit ? 'compiled' : 'interpreted'})`, () => {
      const cpu = load(
        {
          code: [
            0xe28f1000, // add r1, pc, #0
            0xea000000, // b +8 (over the next word)
            0xe3a03063, // mov r3, #99 (skipped)
            0xe28f2000, // add r2, pc, #0
            0xe1a0400f, // mov r4, pc
            HVC_A32,
          ],
        },
        jit,
      );
      mapTwice(cpu);
      for (const base of [RAM, ALIAS, RAM, ALIAS]) {
        cpu.pc = base;
        cpu.r.fill(0, 0, 5);
        // twice per address, so the second run takes linked and cached blocks
        for (let round = 0; round < 2; round++) {
          cpu.pc = base;
          assert.equal(cpu.run(100).kind, 'hvc');
          assert.equal(cpu.r[1]! >>> 0, (base + 8) >>> 0, 'add r1, pc');
          assert.equal(cpu.r[2]! >>> 0, (base + 12 + 8) >>> 0, 'add r2, pc after the branch');
          assert.equal(cpu.r[4]! >>> 0, (base + 16 + 8) >>> 0, 'mov r4, pc');
          assert.equal(cpu.r[3], 0, 'the branch skipped mov r3');
        }
      }
    });
  }
});

describe('address caches follow translation changes', () => {
  const BIG = 1 << 20;
  const L1T = RAM + 0x4000;
  const L2T = RAM + 0x8000;
  const PAGES = RAM + 0x10000; // physical pages for the 0x80000000 window
  const WIN = 0x80000000 | 0;
  const ways: Way[] = [true, 'tiered', false];

  /**
   * A CPU with RAM mapped at its own address (one section, domain 0) and a window of small pages
   * at 0x80000000 in domain 1, page i on physical page `map[i]` (an index into PAGES).
   */
  function machine(way: Way, map: number[], code: number[], thumb = false): Cpu {
    const bus = new Bus(RAM, new Uint8Array(BIG));
    const cpu = new Cpu(bus, cpuOptions(way));
    for (let v = 0; v < 8; v++) bus.write32(VBAR + v * 4, 0xe1400070 | v); // hvc #v
    bus.write32(L1T + ((RAM >>> 20) << 2), RAM | (3 << 10) | 2);
    bus.write32(L1T + ((WIN >>> 20) << 2), L2T | (1 << 5) | 1);
    map.forEach((p, i) => remap(cpu, i, p));
    if (thumb) code.forEach((hw, i) => bus.write16(RAM + 0x100 + i * 2, hw));
    else code.forEach((w, i) => bus.write32(RAM + 0x100 + i * 4, w));
    cpu.cp15.write(3, 0, 0, 0, 0x55555555, false); // every domain client
    cpu.cp15.write(2, 0, 0, 0, L1T, false);
    cpu.cp15.write(1, 0, 0, 0, cpu.cp15.sctlr | 1, false);
    cpu.cp15.vbar = VBAR;
    cpu.t = thumb ? 1 : 0;
    cpu.pc = RAM + 0x100;
    return cpu;
  }
  function remap(cpu: Cpu, page: number, physical: number): void {
    cpu.bus.write32(L2T + page * 4, (PAGES + physical * 0x1000) | (3 << 4) | 2);
  }
  const tlbimva = (cpu: Cpu, va: number) => cpu.cp15.write(8, 0, 7, 1, va, false);

  test('a DACR write that closes a domain faults the next access, translated or not', () => {
    // loop: ldr r0, [r1]; str r0, [r1, #4]; subs r4, r4, #1; bne loop; then DACR <- r2; ldr r3, [r1]
    const code = [0xe5910000, 0xe5810004, 0xe2544001, 0x1afffffb, 0xee032f10, 0xe5913000, HVC_A32];
    const runs = ways.map((way) => {
      const cpu = machine(way, [0], code);
      cpu.bus.write32(PAGES, 77);
      cpu.r[1] = WIN;
      cpu.r[2] = 0x55555551; // domain 1: no access
      cpu.r[4] = 10;
      const exits = drive(cpu);
      return { exits, r0: cpu.r[0], dfsr: cpu.cp15.dfsr, dfar: cpu.cp15.dfar >>> 0, mode: cpu.mode };
    });
    assert.equal(runs[0]!.r0, 77);
    assert.equal(runs[0]!.dfsr, 0x01b, 'page domain fault in domain 1');
    assert.deepEqual(runs[0], runs[2]);
    assert.deepEqual(runs[1], runs[2]);
  });

  test('user-mode addresses survive a kernel DACR round trip, and not a real change', () => {
    // user code: ldr r0, [r1]; b . (an HVC is undefined at PL0)
    for (const way of ways) {
      const cpu = machine(way, [0], [0xe5910000, 0xeafffffe]);
      cpu.bus.write32(PAGES, 5);
      const user = (): number => {
        cpu.cpsr = 0x10; // usr
        cpu.pc = RAM + 0x100;
        cpu.r[1] = WIN;
        cpu.r[0] = 0;
        cpu.run(100);
        return cpu.mode === 0x10 ? cpu.r[0]! : -1;
      };
      const kernelSets = (dacr: number) => {
        cpu.cpsr = 0x13; // svc
        cpu.cp15.write(3, 0, 0, 0, dacr, false);
      };
      assert.equal(user(), 5);
      kernelSets(0x55555551); // closes user access for a while, as a PAN kernel does
      kernelSets(0x55555555);
      assert.equal(user(), 5, `${way}: the round trip changed nothing`);
      kernelSets(0x55555551);
      assert.notEqual(user(), 5, `${way}: domain 1 closed for user mode too`);
      assert.equal(cpu.cp15.dfsr, 0x01b);
    }
  });

  test('code remapped under a virtual address and invalidated by TLBIMVA runs the new code', () => {
    // at 0x80000000: mov r0, #n; hvc
    for (const way of ways) {
      const cpu = machine(way, [0], [0xe1a0f003]); // mov pc, r3
      cpu.bus.write32(PAGES, 0xe3a00001); // page 0: mov r0, #1
      cpu.bus.write32(PAGES + 4, HVC_A32);
      cpu.bus.write32(PAGES + 0x1000, 0xe3a00002); // page 1: mov r0, #2
      cpu.bus.write32(PAGES + 0x1004, HVC_A32);
      const call = () => {
        cpu.pc = RAM + 0x100;
        cpu.r[3] = WIN;
        // enough runs for the tiered CPU to compile the code
        for (let i = 0; i < (way === 'tiered' ? 3100 : 3); i++) {
          cpu.pc = RAM + 0x100;
          cpu.run(100);
        }
        return cpu.r[0];
      };
      assert.equal(call(), 1);
      remap(cpu, 0, 1);
      tlbimva(cpu, WIN | 5);
      assert.equal(call(), 2, `${way}: the new page's code`);
    }
  });

  test('a Thumb-2 instruction across a page boundary runs with both halves, even after a remap', () => {
    // 0x80000ffe: movw r0, #0x1234 (its second halfword on the next page); then hvc
    const movw = (imm: number) => [
      0xf240 | ((imm >>> 12) & 0xf) | (((imm >>> 11) & 1) << 10),
      (((imm >>> 8) & 7) << 12) | (imm & 0xff),
    ];
    for (const way of ways) {
      const cpu = machine(way, [0, 1], [0x4718], true); // bx r3
      const [hw1, hw2] = movw(0x1234);
      cpu.bus.write16(PAGES + 0xffe, hw1!);
      cpu.bus.write16(PAGES + 0x1000, hw2!);
      cpu.bus.write32(PAGES + 0x1002, (HVC_T32 >>> 16) | ((HVC_T32 & 0xffff) << 16));
      const [, other] = movw(0x0777);
      cpu.bus.write16(PAGES + 0x2000, other!);
      cpu.bus.write32(PAGES + 0x2002, (HVC_T32 >>> 16) | ((HVC_T32 & 0xffff) << 16));
      const call = () => {
        for (let i = 0; i < 40; i++) {
          cpu.t = 1;
          cpu.pc = RAM + 0x100;
          cpu.r[3] = (WIN + 0xffe) | 1;
          assert.equal(cpu.run(100).kind, 'hvc');
        }
        return cpu.r[0];
      };
      assert.equal(call(), 0x1234);
      remap(cpu, 1, 2); // only the second half moves
      tlbimva(cpu, WIN + 0x1000);
      assert.equal(call(), 0x1777, `${way}: imm4 from the first half, imm3:imm8 from the new page`);
    }
  });
});

describe('blocks the block interpreter runs', () => {
  test('follow each other on a page without the dispatcher, and stop for what it must see', () => {
    // two blocks on one page taking turns 5000 times, then an SVC (a mode change) and more blocks
    const cpu = both(
      {
        regs: [0, 0, 0, 0, 0, 5000],
        code: [
          0xe2800001, // a: add r0, r0, #1
          0xea000000, //    b b
          0xe7f000f0, //    udf (skipped)
          0xe2811002, // b: add r1, r1, #2
          0xe2555001, //    subs r5, r5, #1
          0x1afffff9, //    bne a
          0xef000000, //    svc #0 (the vector's HVC ends the run)
        ],
      },
      (c) => drive(c, 997),
    );
    assert.equal(cpu.r[0], 5000);
    assert.equal(cpu.r[1], 10000);
    assert.equal(cpu.mode, 0x13, 'in SVC mode at the vector');
  });
});
