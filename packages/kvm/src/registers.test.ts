import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CortexA15Id, Mode, VfpId } from '@armvm/arm';
import { openKvm } from './open.ts';
import { REGISTERS } from './registers.ts';
import { makeVm, setReg32 } from './test-support/guest.ts';
import {
  ccsidrId,
  coreRegId,
  cp15Reg32Id,
  Errno,
  KVM_ARM_VCPU_INIT,
  KVM_CREATE_VCPU,
  KVM_CREATE_VM,
  KVM_GET_MP_STATE,
  KVM_GET_ONE_REG,
  KVM_GET_REG_LIST,
  KVM_RUN,
  KVM_SET_MP_STATE,
  KVM_SET_ONE_REG,
  KVM_REG_ARM64,
  KVM_REG_SIZE_U32,
  KVM_REG_SIZE_U64,
  KvmArmTarget,
  KvmMpState,
  KvmRegId,
  KvmRegsIndex,
  kvmRegSize,
  vfpDRegId,
} from './uapi.ts';
import type { KvmVcpu } from './vcpu.ts';
import type { KvmVm } from './vm.ts';

const AMAIR0 = cp15Reg32Id(10, 3, 0, 0);
const AMAIR1 = cp15Reg32Id(10, 3, 0, 1);

function freshVcpu(): KvmVcpu {
  // a stopped clock, so the virtual count reads back what was written
  const vm = openKvm({ clock: () => 42n }).ioctl(KVM_CREATE_VM, 0) as KvmVm;
  return vm.ioctl(KVM_CREATE_VCPU, 0) as KvmVcpu;
}

function initVcpu(features = 0): KvmVcpu {
  const v = freshVcpu();
  assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: KvmArmTarget.CORTEX_A15, features: [features] }), 0);
  return v;
}

function get(v: KvmVcpu, id: bigint): { ret: number; value: bigint } {
  const addr = new Uint8Array(kvmRegSize(id));
  const ret = v.ioctl(KVM_GET_ONE_REG, { id, addr }) as number;
  const dv = new DataView(addr.buffer);
  const value =
    addr.length === 8 ? dv.getBigUint64(0, true) : addr.length === 4 ? BigInt(dv.getUint32(0, true)) : 0n;
  return { ret, value };
}

function set(v: KvmVcpu, id: bigint, value: bigint): number {
  const addr = new Uint8Array(kvmRegSize(id));
  const dv = new DataView(addr.buffer);
  if (addr.length === 8) dv.setBigUint64(0, BigInt.asUintN(64, value), true);
  else dv.setUint32(0, Number(BigInt.asUintN(32, value)), true);
  return v.ioctl(KVM_SET_ONE_REG, { id, addr }) as number;
}

function regList(v: KvmVcpu): bigint[] {
  const probe = { n: 0n, reg: new BigUint64Array(0) };
  assert.equal(v.ioctl(KVM_GET_REG_LIST, probe), -Errno.E2BIG);
  const list = { n: probe.n, reg: new BigUint64Array(Number(probe.n)) };
  assert.equal(v.ioctl(KVM_GET_REG_LIST, list), 0);
  return [...list.reg];
}

describe('KVM_ARM_VCPU_INIT', () => {
  test('accepts the host target with POWER_OFF and PSCI_0_2', () => {
    const v = freshVcpu();
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [3, 0, 0, 0, 0, 0, 0] }), 0);
    assert.equal(v.powerOff, true);
    assert.equal(v.psci02, true);
    // re-init with the same target and features is allowed
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [3] }), 0);
  });

  test('returns the kernel errors', () => {
    const v = freshVcpu();
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: KvmArmTarget.CORTEX_A7, features: [] }), -Errno.EINVAL);
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: 7, features: [] }), -Errno.EINVAL);
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [1 << 2] }), -Errno.ENOENT);
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [0, 1] }), -Errno.ENOENT);
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT), -Errno.EFAULT);
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [0] }), 0);
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [2] }), -Errno.EINVAL, 'features changed');
  });

  test('a Cortex-A7 host takes the A7 target', () => {
    const vm = openKvm({ hostTarget: KvmArmTarget.CORTEX_A7 }).ioctl(KVM_CREATE_VM, 0) as KvmVm;
    const v = vm.ioctl(KVM_CREATE_VCPU, 0) as KvmVcpu;
    assert.equal(
      v.ioctl(KVM_ARM_VCPU_INIT, { target: KvmArmTarget.CORTEX_A15, features: [] }),
      -Errno.EINVAL,
    );
    assert.equal(v.ioctl(KVM_ARM_VCPU_INIT, { target: KvmArmTarget.CORTEX_A7, features: [] }), 0);
  });

  test('register access and KVM_RUN need an initialised vCPU', () => {
    const v = freshVcpu();
    assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: KvmRegId.PC, addr: new Uint8Array(4) }), -Errno.ENOEXEC);
    assert.equal(v.ioctl(KVM_SET_ONE_REG, { id: KvmRegId.PC, addr: new Uint8Array(4) }), -Errno.ENOEXEC);
    assert.equal(v.ioctl(KVM_GET_REG_LIST, { n: 0n, reg: new BigUint64Array(0) }), -Errno.ENOEXEC);
    assert.equal(v.ioctl(KVM_RUN), -Errno.ENOEXEC);
  });

  test('resets to the kernel values', () => {
    const { vcpus } = makeVm({ vcpus: 2, gic: false });
    const [v0, v1] = vcpus as [KvmVcpu, KvmVcpu];
    assert.equal(get(v0, KvmRegId.CPSR).value, 0x1d3n);
    assert.equal(get(v0, KvmRegId.PC).value, 0n);
    assert.equal(get(v0, KvmRegId.SCTLR).value, 0x00c50078n);
    assert.equal(get(v0, KvmRegId.MPIDR).value, 0x80000000n);
    assert.equal(get(v1, KvmRegId.MPIDR).value, 0x80000001n);
    assert.equal(get(v0, KvmRegId.CPACR).value, 0n);
    assert.equal(get(v0, KvmRegId.TTBCR).value, 0n);
    assert.equal(get(v0, KvmRegId.VBAR).value, 0n);
    assert.equal(get(v0, KvmRegId.DACR).value, 0xdecafbadn, 'unknown reset');
    assert.equal(get(v0, KvmRegId.TTBR0).value, 0xd0c0ffeedecafbadn, 'unknown 64-bit reset');
    assert.equal(get(v0, cp15Reg32Id(1, 0, 0, 1)).value, 0x40n, 'ACTLR.SMP with two vCPUs');
    assert.equal(get(v0, KvmRegId.TIMER_CTL).value, 0n);
    assert.equal(v1.powerOff, true);
    const mp = { mp_state: -1 };
    assert.equal(v1.ioctl(KVM_GET_MP_STATE, mp), 0);
    assert.equal(mp.mp_state, KvmMpState.STOPPED);
    assert.equal(v1.ioctl(KVM_SET_MP_STATE, { mp_state: KvmMpState.RUNNABLE }), 0);
    assert.equal(v1.powerOff, false);
    assert.equal(v1.ioctl(KVM_SET_MP_STATE, { mp_state: KvmMpState.HALTED }), -Errno.EINVAL);
  });
});

describe('KVM_GET_REG_LIST', () => {
  test('writes back the count with -E2BIG, then lists every register once', () => {
    const v = initVcpu();
    const probe = { n: 5n, reg: new BigUint64Array(5) };
    assert.equal(v.ioctl(KVM_GET_REG_LIST, probe), -Errno.E2BIG);
    assert.equal(probe.n, BigInt(REGISTERS.length));
    const ids = regList(v);
    assert.equal(new Set(ids).size, ids.length);
    // 38 core + 3 timer + 21 invariant cp15 + 28 cp15 + 32 D + 7 VFP control + 3 CCSIDR
    assert.equal(ids.length, 38 + 3 + 21 + 28 + 32 + 7 + 3);
    assert.deepEqual(
      ids.slice(0, 38),
      Array.from({ length: 38 }, (_, i) => coreRegId(i)),
    );
    assert.equal(ids[38], KvmRegId.TIMER_CTL);
    assert.equal(ids[41], KvmRegId.MIDR);
    assert.deepEqual(ids.slice(-3), [ccsidrId(0), ccsidrId(1), ccsidrId(2)]);
    // the kernel's list is not sorted: QEMU sorts it
    assert.notDeepEqual(
      ids,
      [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    for (const id of ids) assert.ok(kvmRegSize(id) === 4 || kvmRegSize(id) === 8);
  });

  test('a too-small reg array is a fault', () => {
    const v = initVcpu();
    assert.equal(v.ioctl(KVM_GET_REG_LIST, { n: 1000n, reg: new BigUint64Array(3) }), -Errno.EFAULT);
  });
});

describe('KVM_GET_ONE_REG / KVM_SET_ONE_REG', () => {
  test('every listed register round-trips; writable ones take new values', () => {
    const v = initVcpu();
    let changed = 0;
    for (const id of regList(v)) {
      const before = get(v, id);
      assert.equal(before.ret, 0, `get ${id.toString(16)}`);
      assert.equal(set(v, id, before.value), 0, `set back ${id.toString(16)}`);
      assert.equal(get(v, id).value, before.value, `unchanged ${id.toString(16)}`);
      const entry = REGISTERS.find((r) => r.id === id)!;
      if (entry.invariant) {
        assert.equal(set(v, id, before.value ^ 1n), -Errno.EINVAL, `invariant ${entry.name}`);
        assert.equal(get(v, id).value, before.value);
        continue;
      }
      if (id === KvmRegId.CPSR || id === KvmRegId.TIMER_CNT || id === KvmRegId.TIMER_CTL) continue;
      if (id === KvmRegId.FPSCR) continue; // the VFP keeps only FPSCR's implemented bits; checked below
      if (id === AMAIR0 || id === AMAIR1) continue; // RAZ/WI on the Cortex-A15; checked below
      const probe = kvmRegSize(id) === 8 ? 0x0123456789abcdefn : 0x89abcdefn;
      assert.equal(set(v, id, probe), 0, `set ${entry.name}`);
      assert.equal(get(v, id).value, probe, `readback ${entry.name}`);
      changed++;
    }
    assert.ok(changed > 90);
  });

  test('the 64-bit TTBRs and PAR as a host lists them: TTBRx also as its low word, MAIR as PRRR/NMRR', () => {
    const v = initVcpu();
    const ids = regList(v);
    const ttbr0Low = cp15Reg32Id(2, 0, 0, 0);
    const ttbr1Low = cp15Reg32Id(2, 0, 0, 1);
    for (const id of [KvmRegId.TTBR0, KvmRegId.TTBR1, KvmRegId.PAR, ttbr0Low, ttbr1Low, AMAIR0, AMAIR1])
      assert.ok(ids.includes(id), id.toString(16));
    assert.equal(kvmRegSize(KvmRegId.PAR), 8);
    // the kernel's walk order: 64-bit TTBR0, the 32-bit TTBR0, TTBR1 and TTBCR, then the 64-bit TTBR1
    const at = ids.indexOf(KvmRegId.TTBR0);
    assert.deepEqual(ids.slice(at, at + 5), [
      KvmRegId.TTBR0,
      ttbr0Low,
      ttbr1Low,
      KvmRegId.TTBCR,
      KvmRegId.TTBR1,
    ]);
    assert.equal(set(v, KvmRegId.TTBR0, 0x00ab0001_40004000n), 0);
    assert.equal(get(v, ttbr0Low).value, 0x40004000n);
    assert.equal(v.cpu.cp15.ttbr0Hi, 0x00ab0001);
    assert.equal(set(v, ttbr0Low, 0x40008000n), 0);
    assert.equal(get(v, KvmRegId.TTBR0).value, 0x00ab0001_40008000n, 'the low word alone keeps the high one');
    assert.equal(set(v, KvmRegId.PAR, 0x12_3456789an), 0);
    assert.equal(v.cpu.cp15.read(7, 0, 4, 0, false), 0x3456789a);
    assert.equal(set(v, AMAIR0, 0x1234n), 0);
    assert.equal(get(v, AMAIR0).value, 0n, 'AMAIR0 is RAZ/WI');
    assert.equal(set(v, cp15Reg32Id(10, 2, 0, 0), 0x44ff04n), 0); // MAIR0, the PRRR encoding
    assert.equal(v.cpu.cp15.read(10, 0, 2, 0, false), 0x44ff04);
  });

  test('the guest ASID of the long format follows a TTBR written through ONE_REG', () => {
    const v = initVcpu();
    assert.equal(set(v, KvmRegId.TTBCR, BigInt(0x80000000)), 0); // EAE, A1 = 0: the ASID is TTBR0's
    assert.equal(set(v, KvmRegId.TTBR0, 0x002a0000_40004000n), 0);
    assert.equal(v.cpu.cp15.asid, 0x2a);
    assert.equal(set(v, KvmRegId.TTBCR, BigInt(0x80400000)), 0); // A1: TTBR1's
    assert.equal(set(v, KvmRegId.TTBR1, 0x00070000_40008000n), 0);
    assert.equal(v.cpu.cp15.asid, 7);
  });

  test('banked core registers land in their modes', () => {
    const v = initVcpu();
    assert.equal(setReg32(v, coreRegId(KvmRegsIndex.IRQ_SP), 0x1234), 0);
    assert.equal(setReg32(v, coreRegId(KvmRegsIndex.FIQ_R8), 0x88), 0);
    assert.equal(setReg32(v, coreRegId(8), 0x8), 0);
    assert.equal(setReg32(v, coreRegId(13), 0x1300), 0);
    assert.equal(v.cpu.getBanked(Mode.irq, 13), 0x1234);
    assert.equal(v.cpu.getBanked(Mode.fiq, 8), 0x88);
    assert.equal(v.cpu.getBanked(Mode.svc, 8), 0x8);
    assert.equal(v.cpu.getBanked(Mode.usr, 13), 0x1300);
    assert.equal(setReg32(v, KvmRegId.CPSR, 0x1d1), 0); // into FIQ mode
    assert.equal(v.cpu.r[8], 0x88);
    assert.equal(get(v, coreRegId(8)).value, 0x8n, 'usr r8 still reads the usr copy');
  });

  test('CPSR with a mode the kernel refuses is -EINVAL', () => {
    const v = initVcpu();
    for (const mode of [0x1f, 0x1a, 0x16, 0x00])
      assert.equal(setReg32(v, KvmRegId.CPSR, 0x1c0 | mode), -Errno.EINVAL);
    for (const mode of [0x10, 0x11, 0x12, 0x13, 0x17, 0x1b])
      assert.equal(setReg32(v, KvmRegId.CPSR, 0x1c0 | mode), 0);
  });

  test('unknown ids and wrong sizes are -ENOENT; other architectures -EINVAL', () => {
    const v = initVcpu();
    const core38 = coreRegId(38);
    assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: core38, addr: new Uint8Array(4) }), -Errno.ENOENT);
    const pc64 = (KvmRegId.PC & ~KVM_REG_SIZE_U32) | KVM_REG_SIZE_U64;
    assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: pc64, addr: new Uint8Array(8) }), -Errno.ENOENT);
    const d0as32 = (vfpDRegId(0) & ~KVM_REG_SIZE_U64) | KVM_REG_SIZE_U32;
    assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: d0as32, addr: new Uint8Array(4) }), -Errno.ENOENT);
    assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: ccsidrId(3), addr: new Uint8Array(4) }), -Errno.ENOENT);
    assert.equal(
      v.ioctl(KVM_GET_ONE_REG, { id: cp15Reg32Id(15, 0, 0, 0), addr: new Uint8Array(4) }),
      -Errno.ENOENT,
    );
    const arm64 = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | (0x10n << 16n);
    assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: arm64, addr: new Uint8Array(8) }), -Errno.EINVAL);
    assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: KvmRegId.PC, addr: new Uint8Array(2) }), -Errno.EFAULT);
  });

  test('invariant registers hold the host values', () => {
    const v = initVcpu();
    assert.equal(get(v, KvmRegId.MIDR).value, BigInt(CortexA15Id.midr));
    assert.equal(get(v, KvmRegId.CLIDR).value, BigInt(CortexA15Id.clidr));
    assert.equal(get(v, KvmRegId.MVFR0).value, BigInt(VfpId.mvfr0));
    assert.equal(get(v, KvmRegId.FPSID).value, BigInt(VfpId.fpsid));
    assert.equal(get(v, ccsidrId(2)).value, BigInt(CortexA15Id.ccsidr[2]!));
    assert.equal(set(v, ccsidrId(2), 0n), -Errno.EINVAL);
    assert.equal(set(v, KvmRegId.MIDR, 0x410fc070n), -Errno.EINVAL);
    // QEMU's d31 probe succeeds: this is a VFP-D32 vCPU
    assert.equal(get(v, vfpDRegId(31)).ret, 0);
  });

  test('D registers and FPSCR reach the VFP; TIMER_CNT moves the virtual count', () => {
    let now = 1000n;
    const vm = openKvm({ clock: () => now }).ioctl(KVM_CREATE_VM, 0) as KvmVm;
    const v = vm.ioctl(KVM_CREATE_VCPU, 0) as KvmVcpu;
    v.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [] });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 31 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (n, bits) => {
          assert.equal(set(v, vfpDRegId(n), bits), 0);
          assert.equal(v.cpu.vfp.d(n), bits);
        },
      ),
    );
    assert.equal(set(v, KvmRegId.FPSCR, 0x03c00000n), 0);
    assert.equal(v.cpu.vfp.fpscr, 0x03c00000);
    assert.equal(get(v, KvmRegId.TIMER_CNT).value, 0n, 'the virtual count starts at VM creation');
    now += 500n;
    assert.equal(get(v, KvmRegId.TIMER_CNT).value, 500n);
    assert.equal(set(v, KvmRegId.TIMER_CNT, 10_000n), 0);
    now += 1n;
    assert.equal(get(v, KvmRegId.TIMER_CNT).value, 10_001n);
  });
});
