import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  coreRegId,
  Errno,
  KVM_RUN,
  KvmExit,
  KvmError,
  KvmRegId,
  type KvmRun,
  KvmSystemEvent,
  type VcpuExit,
  vcpuExitFromRun,
  vfpDRegId,
} from '@armvm/kvm';
import { AddressSpace, MemoryRegion } from '../memory/index.ts';
import { FakeVcpu, RecordingVm, unusedSystem } from '../test-support/fake-kvm.ts';
import { ARMCPU } from '../target-arm/arm-cpu.ts';
import { KvmAccel } from './kvm-accel.ts';
import { GuestError, kvmCpuExec } from './kvm-cpu-exec.ts';
import { KvmState } from './kvm-state.ts';

/** A step of a scripted KVM_RUN: fills kvm_run (or returns an errno) and may check the last one. */
type Step = (run: KvmRun) => number;

/** A vCPU whose KVM_RUN plays a script; registers behave as FakeVcpu's. */
class ScriptedVcpu extends FakeVcpu {
  readonly script: Step[];
  constructor(script: Step[]) {
    const regs = new Map<bigint, bigint>();
    for (let i = 0; i < 38; i++) regs.set(coreRegId(i), 0n);
    regs.set(KvmRegId.CPSR, 0x1d3n);
    for (let i = 0; i < 32; i++) regs.set(vfpDRegId(i), 0n);
    for (const id of [KvmRegId.FPSCR, KvmRegId.FPSID, KvmRegId.MVFR0, KvmRegId.MVFR1, KvmRegId.FPEXC])
      regs.set(id, 0n);
    for (const id of [KvmRegId.FPINST, KvmRegId.FPINST2]) regs.set(id, 0n);
    super(0, regs);
    this.script = script;
  }

  override run(): VcpuExit {
    this.calls.push({ request: KVM_RUN, arg: undefined });
    const step = this.script.shift();
    if (!step) throw new Error('KVM_RUN called more often than scripted');
    const ret = step(this.kvmRun);
    if (ret === -Errno.EINTR) return { reason: 'intr' };
    if (ret < 0) throw new KvmError('KVM_RUN', -ret);
    return vcpuExitFromRun(this.kvmRun);
  }
}

function rig(script: Step[]) {
  const s = new KvmState(unusedSystem, new RecordingVm(), undefined, () => {});
  const accel = Object.create(KvmAccel.prototype) as KvmAccel;
  Object.defineProperty(accel, 's', { value: s });
  const cpu = new ARMCPU(0);
  cpu.kvmFd = new ScriptedVcpu(script);
  cpu.vcpuDirty = false;
  const log: string[] = [];
  const root = MemoryRegion.container('system', 2 ** 32);
  root.addSubregion(
    0x09000000,
    MemoryRegion.mmio('dev', 0x1000, {
      read: (offset, size) => {
        log.push(`read ${offset} ${size}`);
        return 0x11223344 & (size === 4 ? 0xffffffff : (1 << (size * 8)) - 1);
      },
      write: (offset, size, value) => void log.push(`write ${offset} ${size} 0x${value.toString(16)}`),
    }),
  );
  return { accel, cpu, space: new AddressSpace(root), log };
}

function mmio(address: number, len: number, isWrite: boolean, data: number[] = []): Step {
  return (run) => {
    run.exit_reason = KvmExit.MMIO;
    run.mmio.phys_addr = BigInt(address);
    run.mmio.len = len;
    run.mmio.is_write = isWrite ? 1 : 0;
    run.mmio.data.fill(0).set(data);
    return 0;
  };
}

function systemEvent(type: number): Step {
  return (run) => {
    run.exit_reason = KvmExit.SYSTEM_EVENT;
    run.system_event.type = type;
    return 0;
  };
}

describe('kvm_cpu_exec', () => {
  test('MMIO writes reach the device; read data is in kvm_run.mmio.data before KVM_RUN re-enters', () => {
    let seen: number[] = [];
    const { accel, cpu, space, log } = rig([
      mmio(0x09000000, 1, true, [0x41]),
      mmio(0x09000018, 4, false),
      (run) => {
        seen = Array.from(run.mmio.data.subarray(0, 4));
        return -Errno.EINTR;
      },
    ]);
    assert.deepEqual(kvmCpuExec(accel, cpu, space), { kind: 'yield' });
    assert.deepEqual(log, ['write 0 1 0x41', 'read 24 4']);
    assert.deepEqual(seen, [0x44, 0x33, 0x22, 0x11]);
  });

  test('PSCI system events end the run: off, reset, crash', () => {
    for (const [type, kind] of [
      [KvmSystemEvent.SHUTDOWN, 'shutdown'],
      [KvmSystemEvent.RESET, 'reset'],
      [KvmSystemEvent.CRASH, 'crash'],
    ] as const) {
      const { accel, cpu, space } = rig([systemEvent(type)]);
      assert.deepEqual(kvmCpuExec(accel, cpu, space), { kind });
    }
  });

  test('KVM_EXIT_INTR and -EINTR both yield', () => {
    const { accel, cpu, space } = rig([
      (run) => {
        run.exit_reason = KvmExit.INTR;
        return 0;
      },
    ]);
    assert.deepEqual(kvmCpuExec(accel, cpu, space), { kind: 'yield' });
  });

  test('registers changed by the VMM are written before KVM_RUN, and only then', () => {
    const { accel, cpu, space } = rig([
      (run) => ((run.exit_reason = KvmExit.INTR), 0),
      (run) => ((run.exit_reason = KvmExit.INTR), 0),
    ]);
    const vcpu = cpu.kvmFd as ScriptedVcpu;
    cpu.env.regs[15] = 0x40000000;
    cpu.vcpuDirty = true;
    kvmCpuExec(accel, cpu, space);
    assert.equal(vcpu.regs.get(KvmRegId.PC), 0x40000000n);
    assert.equal(cpu.vcpuDirty, false);
    const writes = vcpu.calls.length;
    kvmCpuExec(accel, cpu, space);
    assert.equal(vcpu.calls.length, writes + 1, 'a clean CPU goes straight to KVM_RUN');
  });

  test('an internal error is a GuestError carrying the registers', () => {
    const { accel, cpu, space } = rig([
      (run) => {
        run.exit_reason = KvmExit.INTERNAL_ERROR;
        run.internal.suberror = 1;
        run.internal.reason = 'undefined instruction in Hyp';
        return 0;
      },
    ]);
    (cpu.kvmFd as ScriptedVcpu).regs.set(KvmRegId.PC, 0x40001234n);
    assert.throws(
      () => kvmCpuExec(accel, cpu, space),
      (e: Error) =>
        e instanceof GuestError &&
        /suberror 1: undefined instruction in Hyp/.test(e.message) &&
        /R15=40001234/.test(e.message),
    );
  });

  test('a failing KVM_RUN is a GuestError naming the errno', () => {
    const { accel, cpu, space } = rig([() => -Errno.ENOEXEC]);
    assert.throws(() => kvmCpuExec(accel, cpu, space), /KVM_RUN failed: ENOEXEC/);
  });
});
