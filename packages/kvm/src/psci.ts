/**
 * PSCI as KVM emulates it on HVC: KVM's own 0.1 function ids for a vCPU initialised without the
 * PSCI_0_2 feature, PSCI 1.0 (0.2 calls plus FEATURES) with it, and beside them the SMCCC
 * architecture calls. A function id nobody knows (a 0.1 id under 0.2 too) returns NOT_SUPPORTED in
 * r0, as current KVM hosts answer: guests probe ids, and an undefined instruction would kill them.
 */
import type { Cpu } from '@armvm/arm';
import { SmcccFn, smcccCall } from './smccc.ts';
import { KvmPsciFn, KvmSystemEvent, PSCI_VERSION_1_0, PsciAffinity, PsciFn, PsciRet } from './uapi.ts';

/** The MPIDR affinity bits (Aff2..Aff0) on a 32-bit CPU. */
export const MPIDR_HWID_BITMASK = 0xffffff;
/** 64-bit (SMC64) variants of the calls that take addresses. */
const FN64 = 0x40000000;

/** What PSCI needs of a vCPU. */
export interface PsciCpu {
  readonly cpu: Cpu;
  /** True while the vCPU is off (CPU_OFF, POWER_OFF, system event). */
  powerOff: boolean;
  /** Initialised with KVM_ARM_VCPU_PSCI_0_2. */
  readonly psci02: boolean;
  /** Resets the vCPU as CPU_ON does and starts it at `pc` (Thumb when bit 0), r0 = `context`. */
  powerOn(pc: number, context: number, bigEndian: boolean): void;
}

/** How a call ended. */
export type PsciOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'suspend' }
  | { readonly kind: 'off' }
  | { readonly kind: 'system'; readonly type: number };

const DONE: PsciOutcome = { kind: 'done' };

/** Handles the HVC of `caller` (function id in r0, arguments in r1-r3); the result goes to r0. */
export function psciCall(caller: PsciCpu, all: readonly PsciCpu[]): PsciOutcome {
  const r = caller.cpu.r;
  const fn = r[0]! >>> 0;
  const ret = (v: number): PsciOutcome => {
    r[0] = v;
    return DONE;
  };
  if (!caller.psci02) {
    switch (fn) {
      case KvmPsciFn.CPU_OFF:
        caller.powerOff = true;
        r[0] = PsciRet.SUCCESS;
        return { kind: 'off' };
      case KvmPsciFn.CPU_ON:
        return ret(cpuOn(caller, all));
      case KvmPsciFn.CPU_SUSPEND:
      case KvmPsciFn.MIGRATE:
        return ret(PsciRet.NOT_SUPPORTED);
      default:
        return ret(smcccCall(fn, r[1]! >>> 0) ?? PsciRet.NOT_SUPPORTED);
    }
  }
  switch (fn) {
    case PsciFn.VERSION:
      return ret(PSCI_VERSION_1_0);
    case PsciFn.FEATURES:
      return ret(FEATURES.has(r[1]! >>> 0) ? PsciRet.SUCCESS : PsciRet.NOT_SUPPORTED);
    case PsciFn.CPU_SUSPEND:
    case PsciFn.CPU_SUSPEND + FN64:
      r[0] = PsciRet.SUCCESS; // KVM treats a suspend like WFI
      return { kind: 'suspend' };
    case PsciFn.CPU_OFF:
      caller.powerOff = true;
      r[0] = PsciRet.SUCCESS;
      return { kind: 'off' };
    case PsciFn.CPU_ON:
    case PsciFn.CPU_ON + FN64:
      return ret(cpuOn(caller, all));
    case PsciFn.AFFINITY_INFO:
    case PsciFn.AFFINITY_INFO + FN64:
      return ret(affinityInfo(r[1]! >>> 0, r[2]! >>> 0, all));
    case PsciFn.MIGRATE:
    case PsciFn.MIGRATE + FN64:
    case PsciFn.MIGRATE_INFO_UP_CPU:
    case PsciFn.MIGRATE_INFO_UP_CPU + FN64:
      return ret(PsciRet.NOT_SUPPORTED);
    case PsciFn.MIGRATE_INFO_TYPE:
      return ret(2); // no trusted OS: migration not required
    case PsciFn.SYSTEM_OFF:
    case PsciFn.SYSTEM_RESET:
      // every vCPU stops; the VMM sees the event and shuts down or resets when it suits it
      for (const c of all) c.powerOff = true;
      r[0] = PsciRet.INTERNAL_FAILURE;
      return {
        kind: 'system',
        type: fn === PsciFn.SYSTEM_OFF ? KvmSystemEvent.SHUTDOWN : KvmSystemEvent.RESET,
      };
    default:
      return ret(smcccCall(fn, r[1]! >>> 0) ?? PsciRet.NOT_SUPPORTED);
  }
}

const FEATURES = new Set<number>([
  PsciFn.VERSION,
  PsciFn.CPU_SUSPEND,
  PsciFn.CPU_SUSPEND + FN64,
  PsciFn.CPU_OFF,
  PsciFn.CPU_ON,
  PsciFn.CPU_ON + FN64,
  PsciFn.AFFINITY_INFO,
  PsciFn.AFFINITY_INFO + FN64,
  PsciFn.MIGRATE_INFO_TYPE,
  PsciFn.SYSTEM_OFF,
  PsciFn.SYSTEM_RESET,
  PsciFn.FEATURES,
  SmcccFn.VERSION,
]);

function cpuOn(caller: PsciCpu, all: readonly PsciCpu[]): number {
  const r = caller.cpu.r;
  const target = (r[1]! >>> 0) & MPIDR_HWID_BITMASK;
  const vcpu = all.find((c) => (c.cpu.cp15.mpidr & MPIDR_HWID_BITMASK) === target);
  if (!vcpu) return PsciRet.INVALID_PARAMS;
  if (!vcpu.powerOff) return caller.psci02 ? PsciRet.ALREADY_ON : PsciRet.INVALID_PARAMS;
  const bigEndian = (caller.cpu.masks & 0x200) !== 0;
  vcpu.powerOn(r[2]! >>> 0, r[3]! | 0, bigEndian);
  return PsciRet.SUCCESS;
}

function affinityInfo(targetAffinity: number, lowestLevel: number, all: readonly PsciCpu[]): number {
  if (lowestLevel > 2) return PsciRet.INVALID_PARAMS; // level 3 has no bits on a 32-bit MPIDR
  const mask = (MPIDR_HWID_BITMASK & ~((1 << (8 * lowestLevel)) - 1)) >>> 0;
  const want = (targetAffinity & mask) >>> 0;
  let matching = 0;
  for (const c of all) {
    if ((c.cpu.cp15.mpidr & mask) >>> 0 !== want) continue;
    matching++;
    if (!c.powerOff) return PsciAffinity.ON;
  }
  return matching === 0 ? PsciRet.INVALID_PARAMS : PsciAffinity.OFF;
}
