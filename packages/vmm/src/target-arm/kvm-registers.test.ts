/**
 * kvm_arch_put_registers and kvm_arch_get_registers against the real software KVM: whatever the
 * VMM writes, in whichever mode the CPU is, comes back field for field — the current registers,
 * every mode's r13/r14/SPSR, both copies of r8-r12, the CPSR, d0-d31 and the FPSCR; and the cpreg
 * list carries the 64-bit TTBRs and PAR of the long-descriptor format.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Mode } from '@armvm/arm';
import { KvmAccel } from '../accel/kvm-accel.ts';
import { ARMCPU } from './arm-cpu.ts';
import { type CPUARMState, CpsrWriteType } from './cpu-arm-state.ts';
import { cp15Reg32Id, KvmRegId, KvmVcpu } from '@armvm/kvm';
import { kvmArchGetRegisters, kvmArchPutRegisters, writeKvmstateToList, writeListToKvmstate } from './kvm.ts';

/** The modes KVM accepts in the CPSR (its core-register check refuses SYS). */
const MODES = [Mode.usr, Mode.fiq, Mode.irq, Mode.svc, Mode.abt, Mode.und] as const;

function snapshot(env: CPUARMState) {
  return {
    regs: Array.from(env.regs),
    bankedR13: Array.from(env.bankedR13),
    bankedR14: Array.from(env.bankedR14),
    bankedSpsr: Array.from(env.bankedSpsr).slice(1), // bank 0 (usr/sys) has no SPSR
    usrRegs: Array.from(env.usrRegs),
    fiqRegs: Array.from(env.fiqRegs),
    spsr: env.spsr,
    cpsr: env.cpsrRead(),
    d: Array.from(env.vfp.regs),
    fpscr: env.vfpGetFpscr(),
  };
}

const word = fc.integer({ min: 0, max: 0xffffffff });

describe('put/get registers round-trip through the software KVM', () => {
  const accel = KvmAccel.init();
  const cpu = new ARMCPU(0);
  accel.initVcpu(cpu);
  const reader = new ARMCPU(0);
  reader.kvmFd = cpu.kvmFd;
  reader.cpregIndexes = cpu.cpregIndexes;
  reader.cpregValues = new BigUint64Array(cpu.cpregArrayLen);
  reader.cpregArrayLen = cpu.cpregArrayLen;

  for (const mode of MODES) {
    test(`in ${Object.entries(Mode).find(([, v]) => v === mode)![0]} mode`, () => {
      fc.assert(
        fc.property(
          fc.array(word, { minLength: 16 + 6 * 3 + 10 + 1, maxLength: 16 + 6 * 3 + 10 + 1 }),
          fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 32, maxLength: 32 }),
          word,
          word,
          (words, d, flags, fpscr) => {
            assert.equal(kvmArchGetRegisters(cpu), 0);
            const env = cpu.env;
            let w = 0;
            for (let i = 0; i < 16; i++) env.regs[i] = words[w++]!;
            env.regs[15] = env.regs[15]! & ~3; // an ARM-state PC
            for (let b = 0; b < 6; b++) {
              env.bankedR13[b] = words[w++]!;
              env.bankedR14[b] = words[w++]!;
              env.bankedSpsr[b] = (words[w++]! & 0xf80f01c0) | MODES[b % MODES.length]!;
            }
            for (let i = 0; i < 5; i++) env.usrRegs[i] = words[w++]!;
            for (let i = 0; i < 5; i++) env.fiqRegs[i] = words[w++]!;
            env.cpsrWrite(((flags & 0xf80f01c0) | mode) >>> 0, 0xffffffff, CpsrWriteType.raw);
            env.spsr = mode === Mode.usr ? 0 : ((words[w]! & 0xf80f01c0) | Mode.svc) >>> 0;
            env.vfp.regs.set(d);
            env.vfpSetFpscr((fpscr & 0xf7c0009f) >>> 0);
            assert.equal(kvmArchPutRegisters(cpu), 0);
            // After put: the current mode's registers have been copied into their banks.
            const want = snapshot(env);
            reader.env.regs.fill(0xdeadbeef);
            assert.equal(kvmArchGetRegisters(reader), 0);
            const got = snapshot(reader.env);
            // In usr mode the SPSR is bank 0's, which KVM does not hold.
            if (mode === Mode.usr) {
              got.spsr = 0;
            }
            // Outside FIQ mode r8-r12 are the usr copies (and in FIQ mode the fiq ones): both must match.
            assert.deepEqual(got, want);
          },
        ),
        { numRuns: 25 },
      );
    });
  }
});

describe('the cpreg tuple list carries the long-descriptor state', () => {
  test('TTBR0, TTBR1 and PAR as 64 bits (ASID included), MAIR and TTBCR.EAE, into KVM and back', () => {
    const accel = KvmAccel.init();
    const cpu = new ARMCPU(0);
    accel.initVcpu(cpu);
    const at = (id: bigint) => {
      const i = Array.from(cpu.cpregIndexes.subarray(0, cpu.cpregArrayLen)).indexOf(id);
      assert.ok(i >= 0, `0x${id.toString(16)} is in the list`);
      return i;
    };
    assert.ok(cpu.kvmFd instanceof KvmVcpu, 'the software KVM');
    const guest = cpu.kvmFd.cpu;
    guest.cp15.write(2, 0, 0, 2, 0x80000000, false); // TTBCR.EAE
    guest.cp15.write64(2, 0, 0x40004000, 0x00120000, false); // TTBR0, ASID 0x12
    guest.cp15.write64(2, 1, 0x40008000, 0x00000001, false); // TTBR1, base bits 39:32 = 1
    guest.cp15.write64(7, 0, 0x12345681, 0x7f000000, false); // PAR
    guest.cp15.write(10, 0, 2, 0, 0x004404ff, false); // MAIR0
    assert.equal(writeKvmstateToList(cpu), true);
    assert.equal(cpu.cpregValues[at(KvmRegId.TTBR0)], 0x00120000_40004000n);
    assert.equal(cpu.cpregValues[at(KvmRegId.TTBR1)], 0x00000001_40008000n);
    assert.equal(cpu.cpregValues[at(KvmRegId.PAR)], 0x7f000000_12345681n);
    assert.equal(cpu.cpregValues[at(cp15Reg32Id(10, 2, 0, 0))], 0x004404ffn);
    assert.equal(cpu.cpregValues[at(KvmRegId.TTBCR)], 0x80000000n);
    // a migration target: the values written back land whole, and the guest's ASID follows
    cpu.cpregValues[at(KvmRegId.TTBR0)] = 0x00340000_40010000n;
    cpu.cpregValues[at(cp15Reg32Id(2, 0, 0, 0))] = 0x40010000n; // the low word's own id agrees
    assert.equal(writeListToKvmstate(cpu), true);
    assert.deepEqual(guest.cp15.read64(2, 0, false), [0x40010000, 0x00340000]);
    assert.equal(guest.cp15.asid, 0x34);
  });
});
