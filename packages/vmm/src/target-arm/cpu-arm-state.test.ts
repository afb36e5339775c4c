import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Mode } from '@armvm/arm';
import { BadModeError, bankNumber, CPSR, CPUARMState, CpsrWriteType } from './cpu-arm-state.ts';

const modes = Object.values(Mode);

describe('CPUARMState', () => {
  test('cpsr_write then cpsr_read gives the value back for every mode', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(...modes), (bits, mode) => {
        const value = ((bits & ~(CPSR.M | CPSR.J | 0x00f00000)) | mode) >>> 0;
        const env = new CPUARMState();
        env.cpsrWrite(value, 0xffffffff);
        assert.equal(env.cpsrRead(), value);
      }),
    );
  });

  test('a mode change through cpsr_write moves r13/r14/SPSR and the FIQ r8-r12 between banks', () => {
    const env = new CPUARMState();
    env.regs[8] = 8;
    env.regs[13] = 0x1000;
    env.cpsrWrite(Mode.fiq, CPSR.M);
    assert.equal(env.bankedR13[bankNumber(Mode.svc)], 0x1000);
    assert.equal(env.usrRegs[0], 8);
    env.regs[8] = 0x88;
    env.cpsrWrite(Mode.svc, CPSR.M);
    assert.equal(env.regs[8], 8);
    assert.equal(env.regs[13], 0x1000);
    assert.equal(env.fiqRegs[0], 0x88);
  });

  test('a raw cpsr_write changes the mode without touching any bank', () => {
    const env = new CPUARMState();
    env.regs[13] = 0xdead;
    env.bankedR13[bankNumber(Mode.svc)] = 0x1234;
    env.cpsrWrite(Mode.irq, 0xffffffff, CpsrWriteType.raw);
    assert.equal(env.uncachedCpsr & CPSR.M, Mode.irq);
    assert.equal(env.bankedR13[bankNumber(Mode.svc)], 0x1234);
  });

  test('FPSCR splits into control bits, Len, Stride and the cumulative flags and joins again', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const value = (bits & 0xfff7009f) >>> 0; // the bits an FPSCR holds
        const env = new CPUARMState();
        env.vfpSetFpscr(value);
        assert.equal(env.vfpGetFpscr(), value);
      }),
    );
  });

  test('bank_number refuses a mode no bank belongs to', () => {
    assert.equal(bankNumber(Mode.sys), bankNumber(Mode.usr));
    assert.throws(() => bankNumber(0x1a), BadModeError);
  });
});
