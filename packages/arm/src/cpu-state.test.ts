import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CpuState, CpuStateError, Psr } from './cpu-state.ts';
import { Mode } from './system/modes.ts';

const modes = Object.values(Mode);

describe('CpuState', () => {
  test('resets to SVC with A, I and F masked, as KVM does (CPSR 0x1D3)', () => {
    assert.equal(new CpuState().cpsr, 0x1d3);
  });

  test('CPSR round-trips every field through the split representation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(...modes), (bits, mode) => {
        const value = ((bits & ~(Psr.J | Psr.M | 0x00f00000)) | mode) >>> 0;
        const s = new CpuState();
        s.cpsr = value;
        assert.equal(s.cpsr, value);
      }),
    );
  });

  test('each mode keeps its own r13/r14, FIQ its own r8-r12, and usr/sys share', () => {
    const s = new CpuState();
    for (const [i, mode] of modes.entries()) {
      s.setMode(mode);
      for (let n = 8; n < 15; n++) s.r[n] = (i + 1) * 100 + n;
    }
    for (const [i, mode] of modes.entries()) {
      s.setMode(mode);
      const owner = mode === Mode.usr ? modes.indexOf(Mode.sys) : i;
      assert.equal(s.r[13], (owner + 1) * 100 + 13, `r13 of ${mode}`);
      assert.equal(s.r[14], (owner + 1) * 100 + 14, `r14 of ${mode}`);
      const hiOwner = mode === Mode.fiq ? modes.indexOf(Mode.fiq) : modes.indexOf(Mode.sys);
      assert.equal(s.r[8], (hiOwner + 1) * 100 + 8, `r8 of ${mode}`);
    }
  });

  test('getBanked/setBanked reach a register whether or not its mode is live', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...modes),
        fc.constantFrom(...modes),
        fc.integer({ min: 0, max: 14 }),
        fc.integer(),
        (live, target, n, value) => {
          const s = new CpuState();
          s.setMode(live);
          s.setBanked(target, n, value);
          assert.equal(s.getBanked(target, n), value);
          s.setMode(target);
          assert.equal(s.r[n], value);
        },
      ),
    );
  });

  test('SPSR is per mode and usr/sys have none', () => {
    const s = new CpuState();
    s.setSpsr(Mode.irq, 0x600001d2);
    s.setSpsr(Mode.svc, 0x13);
    s.setMode(Mode.irq);
    assert.equal(s.currentSpsr, 0x600001d2);
    assert.throws(() => s.getSpsr(Mode.usr), CpuStateError);
  });

  test('an invalid mode is refused with a stable code', () => {
    const s = new CpuState();
    assert.throws(
      () => {
        s.cpsr = 0x1a; // Hyp belongs to the owner, not the guest
      },
      (e: unknown) => e instanceof CpuStateError && e.code === 'ARM_BAD_STATE',
    );
  });
});
