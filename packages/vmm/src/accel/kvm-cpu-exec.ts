/**
 * kvm_cpu_exec: runs one vCPU until something needs the rest of the VMM. Registers go down to KVM
 * when the VMM changed them, KVM_RUN runs the guest, and each exit is handled here: MMIO goes to
 * the device owning the address (a load's data lands in kvm_run.mmio.data, which KVM reads on the
 * next KVM_RUN), system events end the run, and an interrupted run yields to the Node event loop.
 */
import { Errno, KVM_RUN, KvmExit, KvmSystemEvent } from '@armvm/kvm';
import type { AddressSpace } from '../memory/index.ts';
import type { ARMCPU } from '../target-arm/arm-cpu.ts';
import { cpuDumpState } from '../target-arm/cpu-dump.ts';
import { EXCP_DEBUG, kvmArchHandleExit, kvmArchPostRun, kvmArchPreRun } from '../target-arm/kvm.ts';
import type { KvmAccel } from './kvm-accel.ts';
import { errnoName } from './kvm-state.ts';

/** Why kvm_cpu_exec returned. */
export type VcpuEvent =
  /** KVM_RUN was interrupted (time slice over, or a WFI waited long enough): let others run. */
  | { readonly kind: 'yield' }
  /** PSCI SYSTEM_OFF. */
  | { readonly kind: 'shutdown' }
  /** PSCI SYSTEM_RESET. */
  | { readonly kind: 'reset' }
  /** The guest reported a crash (SYSTEM_EVENT_CRASH). */
  | { readonly kind: 'crash' }
  /** A debug exit for the debugger (EXCP_DEBUG): the VM stops. */
  | { readonly kind: 'debug' };

const YIELD: VcpuEvent = { kind: 'yield' };
/** Longest time kvm_cpu_exec keeps the thread before yielding, in milliseconds. */
const EXEC_SLICE_MS = 10;

/** The guest did something KVM could not handle; the message holds the registers. */
export class GuestError extends Error {
  readonly code = 'ARMVM_GUEST_ERROR';
  readonly cpuIndex: number;
  constructor(cpuIndex: number, message: string) {
    super(message);
    this.name = 'GuestError';
    this.cpuIndex = cpuIndex;
  }
}

function crash(accel: KvmAccel, cpu: ARMCPU, what: string): GuestError {
  let registers = '';
  try {
    accel.synchronizeState(cpu);
    registers = `\n${cpuDumpState(cpu.env)}`;
  } catch {
    registers = '\n(registers unavailable)';
  }
  return new GuestError(cpu.cpuIndex, `cpu ${cpu.cpuIndex}: ${what}${registers}`);
}

/** Runs `cpu` until an event; MMIO exits are completed against `space` on the way. */
export function kvmCpuExec(accel: KvmAccel, cpu: ARMCPU, space: AddressSpace): VcpuEvent {
  const run = cpu.kvmFd!.kvmRun;
  const trace = accel.s.trace;
  // A guest polling a device makes an MMIO exit per access: give the event loop its turn anyway.
  const yieldAt = performance.now() + EXEC_SLICE_MS;
  for (;;) {
    if (performance.now() > yieldAt) return YIELD;
    accel.putRegistersIfDirty(cpu);
    kvmArchPreRun(cpu, run);
    const ret = cpu.vcpuIoctl(KVM_RUN);
    kvmArchPostRun(cpu, run);
    if (ret < 0) {
      if (ret === -Errno.EINTR || ret === -Errno.EAGAIN) return YIELD;
      throw crash(accel, cpu, `KVM_RUN failed: ${errnoName(ret)}`);
    }
    switch (run.exit_reason) {
      case KvmExit.MMIO: {
        const m = run.mmio;
        const address = Number(m.phys_addr);
        const data = m.data.subarray(0, m.len);
        space.dispatchBytes(address, m.len, m.data, m.is_write !== 0);
        if (trace.on('mmio')) {
          const bytes = Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
          trace.log(
            'mmio',
            `cpu ${cpu.cpuIndex} ${m.is_write ? 'write' : 'read'} 0x${address.toString(16)} [${m.len}] ${bytes}`,
          );
        }
        break;
      }
      case KvmExit.INTR:
        return YIELD;
      case KvmExit.SYSTEM_EVENT:
        trace.log('exit', `cpu ${cpu.cpuIndex}: system event ${run.system_event.type}`);
        switch (run.system_event.type) {
          case KvmSystemEvent.SHUTDOWN:
            return { kind: 'shutdown' };
          case KvmSystemEvent.RESET:
            return { kind: 'reset' };
          case KvmSystemEvent.CRASH:
            return { kind: 'crash' };
          default:
            throw crash(accel, cpu, `unknown system event ${run.system_event.type}`);
        }
      case KvmExit.DEBUG:
        trace.log(
          'exit',
          `cpu ${cpu.cpuIndex}: debug exit, syndrome 0x${(run.debug.arch.hsr >>> 0).toString(16)}`,
        );
        if (kvmArchHandleExit(accel.s, cpu, run) === EXCP_DEBUG) return { kind: 'debug' };
        break;
      case KvmExit.INTERNAL_ERROR:
        throw crash(
          accel,
          cpu,
          `KVM internal error (suberror ${run.internal.suberror}${run.internal.reason ? `: ${run.internal.reason}` : ''})`,
        );
      case KvmExit.FAIL_ENTRY:
        throw crash(
          accel,
          cpu,
          `KVM could not enter the guest (reason 0x${run.fail_entry.hardware_entry_failure_reason.toString(16)})`,
        );
      default:
        if (kvmArchHandleExit(accel.s, cpu, run) === 0) {
          throw crash(accel, cpu, `unhandled KVM exit reason ${run.exit_reason}`);
        }
    }
  }
}
