/**
 * kvm_cpu_exec: runs one vCPU until something needs the rest of the VMM. Registers go down to KVM
 * when the VMM changed them, KVM_RUN runs the guest, and each exit is handled here: MMIO goes to
 * the device owning the address as the exit's bytes (a load's bytes are filled in place and the
 * next run() completes it), system events end the run, and an interrupted run yields to Node.
 */
import { Errno, KvmError, KvmSystemEvent, type VcpuExit } from '@armvm/kvm';
import { CodedError } from '@armvm/fscache';
import type { AddressSpace } from '../memory/index.ts';
import type { ARMCPU } from '../target-arm/arm-cpu.ts';
import { cpuDumpState } from '../target-arm/cpu-dump.ts';
import { EXCP_DEBUG, kvmArchHandleExit, kvmArchPostRun, kvmArchPreRun } from '../target-arm/kvm.ts';
import type { KvmAccel } from './kvm-accel.ts';

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
export class GuestError extends CodedError<'ARMVM_GUEST_ERROR'> {
  readonly cpuIndex: number;
  constructor(cpuIndex: number, message: string) {
    super('ARMVM_GUEST_ERROR', message);
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
  const vcpu = cpu.kvmFd!;
  const run = vcpu.kvmRun; // what the seed's hooks read
  const trace = accel.s.trace;
  // A guest polling a device makes an MMIO exit per access: give the event loop its turn anyway.
  const yieldAt = performance.now() + EXEC_SLICE_MS;
  for (;;) {
    if (performance.now() > yieldAt) return YIELD;
    accel.putRegistersIfDirty(cpu);
    kvmArchPreRun(cpu, run);
    let exit: VcpuExit | KvmError;
    try {
      exit = vcpu.run();
    } catch (e) {
      if (!(e instanceof KvmError)) throw e;
      exit = e;
    }
    kvmArchPostRun(cpu, run);
    if (exit instanceof KvmError) {
      if (exit.errno === Errno.EAGAIN) return YIELD;
      throw crash(accel, cpu, `KVM_RUN failed: ${exit.code}`);
    }
    switch (exit.reason) {
      case 'mmio': {
        // the device reads a store's bytes, or fills a load's, which the next run() completes
        space.dispatchBytes(exit.address, exit.data.length, exit.data, exit.isWrite);
        if (trace.on('mmio')) {
          const bytes = Array.from(exit.data, (b) => b.toString(16).padStart(2, '0')).join('');
          trace.log(
            'mmio',
            `cpu ${cpu.cpuIndex} ${exit.isWrite ? 'write' : 'read'} 0x${exit.address.toString(16)} [${exit.data.length}] ${bytes}`,
          );
        }
        break;
      }
      case 'intr':
        return YIELD;
      case 'systemEvent':
        trace.log('exit', `cpu ${cpu.cpuIndex}: system event ${exit.type}`);
        switch (exit.type) {
          case KvmSystemEvent.SHUTDOWN:
            return { kind: 'shutdown' };
          case KvmSystemEvent.RESET:
            return { kind: 'reset' };
          case KvmSystemEvent.CRASH:
            return { kind: 'crash' };
          default:
            throw crash(accel, cpu, `unknown system event ${exit.type}`);
        }
      case 'debug':
        trace.log('exit', `cpu ${cpu.cpuIndex}: debug exit, syndrome 0x${(exit.hsr >>> 0).toString(16)}`);
        // the seed's hook reads the exit from kvm_run, as QEMU's does
        if (kvmArchHandleExit(accel.s, cpu, run) === EXCP_DEBUG) return { kind: 'debug' };
        break;
      case 'internalError':
        throw crash(
          accel,
          cpu,
          `KVM internal error (suberror ${exit.suberror}${exit.message ? `: ${exit.message}` : ''})`,
        );
    }
  }
}
