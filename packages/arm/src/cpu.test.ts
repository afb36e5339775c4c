import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bus } from './bus.ts';
import { Cpu } from './cpu.ts';
import { jitTranslator } from './jit/jit.ts';
import type { CpuExit } from './exit.ts';
import { Mode } from './system/modes.ts';

const RAM = 0x40000000;
const MMIO = 0x09000000;

/** A CPU in SVC mode with `code` (A32 words) at the start of RAM and VBAR at RAM + 0x1000. */
function cpuWith(code: number[], cpsr = 0x1d3): Cpu {
  const bus = new Bus(RAM, new Uint8Array(1 << 16));
  for (const [i, w] of code.entries()) bus.write32(RAM + i * 4, w);
  const cpu = new Cpu(bus, { translator: jitTranslator() });
  cpu.cpsr = cpsr;
  cpu.cp15.vbar = RAM + 0x1000;
  cpu.pc = RAM;
  return cpu;
}

function expectKind<K extends CpuExit['kind']>(exit: CpuExit, kind: K): Extract<CpuExit, { kind: K }> {
  assert.equal(exit.kind, kind);
  return exit as Extract<CpuExit, { kind: K }>;
}

describe('Cpu run loop and exits', () => {
  test('an MMIO load exits with its address and completes from the owner data on the next run', () => {
    const cpu = cpuWith([0xe5912000, 0xe1d130d0, 0xeafffffe]); // ldr r2, [r1]; ldrsb r3, [r1]; b .
    cpu.r[1] = MMIO + 8;
    const exit = expectKind(cpu.run(10), 'mmio');
    assert.deepEqual([exit.address, exit.size, exit.isWrite], [MMIO + 8, 4, false]);
    exit.data.set([0x78, 0x56, 0x34, 0x12]);
    const next = expectKind(cpu.run(10), 'mmio');
    assert.equal(cpu.r[2], 0x12345678);
    assert.equal(next.size, 1);
    next.data[0] = 0x80;
    assert.equal(cpu.run(3).kind, 'budget');
    assert.equal(cpu.r[3], -128, 'LDRSB sign-extends the completed byte');
  });

  test('an MMIO store exits with the stored bytes', () => {
    const cpu = cpuWith([0xe5810000]); // str r0, [r1]
    cpu.r[0] = 0xcafef00d | 0;
    cpu.r[1] = MMIO;
    const exit = expectKind(cpu.run(5), 'mmio');
    assert.equal(exit.isWrite, true);
    assert.deepEqual([...exit.data.subarray(0, 4)], [0x0d, 0xf0, 0xfe, 0xca]);
    assert.equal(cpu.pc, RAM + 4);
  });

  test('HVC and SMC leave with their immediates and r0-r3, the PC past them', () => {
    const cpu = cpuWith([0xe1412374, 0xe1600075]); // hvc #0x1234; smc #5
    cpu.r.set([0x84000008, 1, 2, 3]);
    const hvc = expectKind(cpu.run(5), 'hvc');
    assert.equal(hvc.imm, 0x1234);
    assert.deepEqual(hvc.args, [0x84000008, 1, 2, 3]);
    assert.equal(cpu.pc, RAM + 4);
    assert.equal(expectKind(cpu.run(5), 'smc').imm, 5);
  });

  test('WFI exits unless an interrupt line is up (masked or not)', () => {
    const cpu = cpuWith([0xe320f003, 0xe320f003, 0xeafffffe]);
    assert.equal(cpu.run(5).kind, 'wfi');
    cpu.setIrq(true); // masked by CPSR.I: WFI still wakes
    assert.equal(cpu.run(5).kind, 'budget');
    assert.equal(cpu.pc, RAM + 8);
  });

  test('budget and stop exits', () => {
    const cpu = cpuWith([0xeafffffe]);
    assert.equal(cpu.run(100).kind, 'budget');
    assert.equal(cpu.retired, 100);
    cpu.requestStop();
    assert.equal(cpu.run(100).kind, 'stop');
    assert.equal(cpu.retired, 100);
  });
});

describe('Cpu reset', () => {
  test('returns to the KVM reset state: SVC, A/I/F masked, registers, CP15 and VFP cleared', () => {
    const cpu = cpuWith([0xeafffffe], 0x60000010);
    cpu.r[3] = 7;
    cpu.setBanked(Mode.irq, 13, 0x1234);
    cpu.setSpsr(Mode.svc, 0x1f);
    cpu.cp15.write(13, 0, 0, 3, 5, false);
    cpu.cp15.write(1, 0, 0, 0, cpu.cp15.sctlr | 1, false);
    cpu.vfp.words[3] = 9;
    cpu.vfp.fpscr = 0x03c00000;
    cpu.reset(RAM + 0x40);
    assert.equal(cpu.cpsr, 0x1d3);
    assert.equal(cpu.r[3], 0);
    assert.equal(cpu.getBanked(Mode.irq, 13), 0);
    assert.equal(cpu.getSpsr(Mode.svc), 0);
    assert.equal(cpu.cp15.tpidruro, 0);
    assert.equal(cpu.cp15.sctlr, 0x00c50078);
    assert.equal(cpu.vfp.words[3], 0);
    assert.equal(cpu.vfp.fpscr, 0);
    assert.equal(cpu.pc, RAM + 0x40);
  });
});

describe('Cpu exceptions', () => {
  test('an unmasked IRQ enters IRQ mode at VBAR+0x18 with LR = next instruction + 4', () => {
    const cpu = cpuWith([0xe320f000, 0xe320f000, 0xe320f000], 0x60000153); // I clear
    cpu.run(2);
    cpu.setIrq(true);
    cpu.run(1);
    assert.equal(cpu.mode, Mode.irq);
    assert.equal(cpu.pc, RAM + 0x1018 + 4, 'the vector instruction itself ran');
    assert.equal(cpu.r[14], RAM + 8 + 4);
    assert.equal(cpu.currentSpsr, 0x60000153);
    assert.equal(cpu.cpsr & 0x1c0, 0x1c0, 'A and I set, F kept');
  });

  test('an owner wiring the virtual timer output to the IRQ line: WFI exits, then the IRQ is taken', () => {
    // mcr p15,0,r0,c14,c3,0 (CNTV_TVAL = r0); mcr p15,0,r1,c14,c3,1 (CNTV_CTL = r1); cpsie i; wfi; b .
    const cpu = cpuWith([0xee0e0f13, 0xee0e1f33, 0xf1080080, 0xe320f003, 0xeafffffe]);
    let now = 0n;
    cpu.cp15.timer.clock = () => now;
    cpu.r[0] = 1000;
    cpu.r[1] = 1; // enabled, unmasked
    const timer = cpu.cp15.timer;
    assert.equal(cpu.run(10).kind, 'wfi');
    assert.equal(timer.irqLevel(timer.virtual), false);
    now = 1000n; // the owner's clock moved on
    cpu.setIrq(timer.irqLevel(timer.virtual));
    cpu.run(1);
    assert.equal(cpu.mode, Mode.irq);
    assert.equal(cpu.r[14], RAM + 16 + 4, 'returns to the instruction after WFI');
  });

  test('FIQ wins over IRQ and masks FIQ too', () => {
    const cpu = cpuWith([0xe320f000], 0x113);
    cpu.setIrq(true);
    cpu.setFiq(true);
    cpu.run(1);
    assert.equal(cpu.mode, Mode.fiq);
    assert.equal(cpu.cpsr & 0x1c0, 0x1c0);
    assert.equal(cpu.r[14], RAM + 4);
  });

  test('SVC, then MOVS PC, LR returns with the CPSR restored', () => {
    const code = [0xef000000, 0xeafffffe];
    const cpu = cpuWith(code, 0x80000010); // user mode, N set
    cpu.bus.write32(RAM + 0x1008, 0xe1b0f00e); // movs pc, lr
    cpu.run(1);
    assert.equal(cpu.mode, Mode.svc);
    assert.equal(cpu.r[14], RAM + 4);
    assert.equal(cpu.currentSpsr, 0x80000010);
    cpu.run(1);
    assert.equal(cpu.cpsr, 0x80000010);
    assert.equal(cpu.pc, RAM + 4);
  });

  test('undefined instructions: LR is 4 past in ARM, 2 past in Thumb; SCTLR.V selects high vectors', () => {
    const cpu = cpuWith([0xe7f000f0]);
    cpu.run(1);
    assert.equal(cpu.mode, Mode.und);
    assert.equal(cpu.r[14], RAM + 4);
    assert.equal(cpu.pc, RAM + 0x1004);

    const t = cpuWith([0x0000de00], 0x1f3); // Thumb UDF #0
    t.cp15.sctlr |= 1 << 13;
    t.run(1);
    assert.equal(t.r[14], RAM + 2);
    assert.equal(t.pc, 0xffff0004);
    assert.equal(t.t, 0, 'handlers run in ARM state while SCTLR.TE is clear');
  });

  test('a data abort records DFSR/DFAR and sets LR 8 past the faulting instruction', () => {
    const cpu = cpuWith([0xe1c020d2]); // ldrd r2, r3, [r0, #2]
    cpu.r[0] = RAM + 0x100;
    cpu.run(1);
    assert.equal(cpu.mode, Mode.abt);
    assert.equal(cpu.r[14], RAM + 8);
    assert.equal(cpu.cp15.dfsr, 1, 'alignment fault');
    assert.equal(cpu.cp15.dfar, RAM + 0x102);
  });
});
