/**
 * The ARM hooks of the KVM accelerator (QEMU's target-arm/kvm.c): vCPU init with the cpreg tuple
 * list, moving registers between CPUARMState and KVM, reset, and the run and debug hooks. Names are
 * QEMU's in camelCase, so `kvmArchInitVcpu` is kvm_arch_init_vcpu. Hooks return 0 or a negative
 * errno like the C code; a broken invariant (the C code's abort) throws a `KvmArmError`.
 */
import {
  Errno,
  ESR_ELX_EC_SHIFT,
  KVM_ARM_VCPU_INIT,
  KVM_GUESTDBG_ENABLE,
  KVM_GUESTDBG_USE_HW,
  KVM_GUESTDBG_USE_SW_BP,
  KvmDebugExceptionClass,
  KvmExit,
  type KvmGuestDebug,
  KVM_GET_MP_STATE,
  KVM_GET_ONE_REG,
  KVM_GET_REG_LIST,
  KvmMpState,
  type KvmMpStateArg,
  KVM_REG_ARM_COPROC_MASK,
  KVM_REG_ARM_CORE,
  KVM_REG_ARM_VFP,
  KVM_REG_SIZE_MASK,
  KVM_REG_SIZE_U32,
  KVM_REG_SIZE_U64,
  KVM_SET_ONE_REG,
  KvmArmVcpuFeature,
  KvmRegId,
  type KvmRegList,
  type KvmRun,
  type KvmVcpuInit,
  vfpDRegId,
} from '@armvm/kvm';
import type { KvmState, KvmSwBreakpoint } from '../accel/kvm-state.ts';
import { type ARMCPU, QEMU_KVM_ARM_TARGET_NONE } from './arm-cpu.ts';
import { compareU64 } from './cpreg-order.ts';
import { bankNumber, CpsrWriteType, CPSR } from './cpu-arm-state.ts';
import { KVM_CORE_REGS } from './kvm-core-regs.ts';
import { Mode } from '@armvm/arm';
import { CodedError } from '@armvm/fscache';

/** An inconsistency the C code answers with abort(). */
export class KvmArmError extends CodedError<'ARMVM_KVM_ARM'> {
  constructor(message: string) {
    super('ARMVM_KVM_ARM', message);
  }
}

/** A capability the accelerator must find (KVMCapabilityInfo). */
export interface KvmCapabilityInfo {
  readonly name: string;
  readonly value: number;
}

/** kvm_arch_required_capabilities: ARM asks for nothing beyond the generic list. */
export const kvmArchRequiredCapabilities: readonly KvmCapabilityInfo[] = [];

/** kvm_arch_init: on ARM interrupts are always delivered asynchronously, VGIC in the kernel or not. */
export function kvmArchInit(s: KvmState): number {
  s.asyncInterruptsAllowed = true;
  return 0;
}

/** kvm_arch_vcpu_id: the KVM vCPU id is the CPU's index. */
export function kvmArchVcpuId(cpu: ARMCPU): number {
  return cpu.cpuIndex;
}

/**
 * reg_syncs_via_tuple_list: true for registers kept in the cpreg tuple list, false for the core
 * and VFP registers kvm_arch_get/put_registers move by hand.
 */
export function regSyncsViaTupleList(regidx: bigint): boolean {
  switch (regidx & KVM_REG_ARM_COPROC_MASK) {
    case KVM_REG_ARM_CORE:
    case KVM_REG_ARM_VFP:
      return false;
    default:
      return true;
  }
}

// ONE_REG moves bytes through "user memory": one scratch buffer per size serves every call.
const buf32 = new Uint8Array(4);
const view32 = new DataView(buf32.buffer);
const buf64 = new Uint8Array(8);
const view64 = new DataView(buf64.buffer);

/** GET_ONE_REG of a 32-bit register; the value is in `view32` when the result is 0. */
function getReg32(cpu: ARMCPU, id: bigint): number {
  return cpu.vcpuIoctl(KVM_GET_ONE_REG, { id, addr: buf32 });
}

function setReg32(cpu: ARMCPU, id: bigint, value: number): number {
  view32.setUint32(0, value >>> 0, true);
  return cpu.vcpuIoctl(KVM_SET_ONE_REG, { id, addr: buf32 });
}

/** GET_ONE_REG of a 64-bit register; the value is in `view64` when the result is 0. */
function getReg64(cpu: ARMCPU, id: bigint): number {
  return cpu.vcpuIoctl(KVM_GET_ONE_REG, { id, addr: buf64 });
}

function setReg64(cpu: ARMCPU, id: bigint, value: bigint): number {
  view64.setBigUint64(0, value, true);
  return cpu.vcpuIoctl(KVM_SET_ONE_REG, { id, addr: buf64 });
}

/** The KVM_ARM_VCPU_INIT argument: the CPU's target, POWER_OFF if it starts off, PSCI 0.2 if asked. */
export function kvmArmVcpuInitArg(cpu: ARMCPU): KvmVcpuInit {
  const features = new Uint32Array(7);
  if (cpu.startPoweredOff) features[0]! |= 1 << KvmArmVcpuFeature.POWER_OFF;
  if (cpu.psci02) features[0]! |= 1 << KvmArmVcpuFeature.PSCI_0_2;
  return { target: cpu.kvmTarget, features };
}

/**
 * kvm_arch_init_vcpu: VCPU_INIT with the CPU's target (and POWER_OFF for a CPU that starts off),
 * the d31 probe, the cpreg list from two KVM_GET_REG_LIST calls sorted strictly ascending, the
 * initial read of those registers and a copy of them to restore on reset.
 */
export function kvmArchInitVcpu(s: KvmState, cpu: ARMCPU): number {
  if (cpu.kvmTarget === QEMU_KVM_ARM_TARGET_NONE) {
    s.errorReport(`KVM is not supported for this guest CPU type (${cpu.model.name})`);
    return -Errno.EINVAL;
  }
  let ret = cpu.vcpuIoctl(KVM_ARM_VCPU_INIT, kvmArmVcpuInitArg(cpu));
  if (ret) return ret;

  // QEMU's cortex-a15 always has 32 D registers: make sure the kernel agrees by reading d31.
  ret = getReg64(cpu, vfpDRegId(31));
  if (ret === -Errno.ENOENT) {
    s.errorReport('KVM does not provide 32 VFP registers (d31 is missing); cortex-a15 needs VFP-D32');
    return -Errno.EINVAL;
  }

  // Replace the list of system registers with the kernel's idea of which exist.
  const probe: KvmRegList = { n: 0n, reg: new BigUint64Array(0) };
  ret = cpu.vcpuIoctl(KVM_GET_REG_LIST, probe);
  if (ret !== -Errno.E2BIG) return ret;
  const rl: KvmRegList = { n: probe.n, reg: new BigUint64Array(Number(probe.n)) };
  ret = cpu.vcpuIoctl(KVM_GET_REG_LIST, rl);
  if (ret) return ret;

  // cpreg_tuples must be strictly ascending; compareU64 orders the full 64 bits (see cpreg-order.ts).
  const sorted = Array.from(rl.reg.subarray(0, Number(rl.n))).sort(compareU64);
  const kept: bigint[] = [];
  for (const regidx of sorted) {
    if (!regSyncsViaTupleList(regidx)) continue;
    const size = regidx & KVM_REG_SIZE_MASK;
    if (size !== KVM_REG_SIZE_U32 && size !== KVM_REG_SIZE_U64) {
      s.errorReport(`Can't handle size of register in kernel list (id 0x${regidx.toString(16)})`);
      return -Errno.EINVAL;
    }
    kept.push(regidx);
  }
  const arraylen = kept.length;
  cpu.cpregIndexes = BigUint64Array.from(kept);
  cpu.cpregValues = new BigUint64Array(arraylen);
  cpu.cpregArrayLen = arraylen;

  if (!writeKvmstateToList(cpu)) {
    // Only an inconsistent kernel lists a register it then refuses to read.
    s.errorReport('Initial read of kernel register state failed');
    return -Errno.EINVAL;
  }
  // Keep the initial values: kvm_arch_reset_vcpu feeds them back to the kernel.
  cpu.cpregResetValues = cpu.cpregValues.slice();
  return 0;
}

/** write_kvmstate_to_list: reads every listed register from KVM into cpregValues; false if any failed. */
export function writeKvmstateToList(cpu: ARMCPU): boolean {
  let ok = true;
  for (let i = 0; i < cpu.cpregArrayLen; i++) {
    const regidx = cpu.cpregIndexes[i]!;
    let ret: number;
    switch (regidx & KVM_REG_SIZE_MASK) {
      case KVM_REG_SIZE_U32:
        ret = getReg32(cpu, regidx);
        if (!ret) cpu.cpregValues[i] = BigInt(view32.getUint32(0, true));
        break;
      case KVM_REG_SIZE_U64:
        ret = getReg64(cpu, regidx);
        if (!ret) cpu.cpregValues[i] = view64.getBigUint64(0, true);
        break;
      default:
        throw new KvmArmError(`cpreg list holds id 0x${regidx.toString(16)} of an unsupported size`);
    }
    if (ret) ok = false;
  }
  return ok;
}

/**
 * write_list_to_kvmstate: writes every listed register to KVM; false if any failed. A failure may be
 * an unknown register or a constant one (an ID register) written with a value it does not hold.
 */
export function writeListToKvmstate(cpu: ARMCPU): boolean {
  let ok = true;
  for (let i = 0; i < cpu.cpregArrayLen; i++) {
    const regidx = cpu.cpregIndexes[i]!;
    let ret: number;
    switch (regidx & KVM_REG_SIZE_MASK) {
      case KVM_REG_SIZE_U32:
        ret = setReg32(cpu, regidx, Number(cpu.cpregValues[i]! & 0xffffffffn));
        break;
      case KVM_REG_SIZE_U64:
        ret = setReg64(cpu, regidx, cpu.cpregValues[i]!);
        break;
      default:
        throw new KvmArmError(`cpreg list holds id 0x${regidx.toString(16)} of an unsupported size`);
    }
    if (ret) ok = false;
  }
  return ok;
}

/** Id of the CPSR (kvm_regs usr_regs.ARM_cpsr). */
const CPSR_ID = KvmRegId.CPSR;
/** Id of the FPSCR. */
const FPSCR_ID = KvmRegId.FPSCR;

/**
 * kvm_arch_put_registers: saves the current r8-r14/SPSR into their banks, then writes the core
 * table, the CPSR, d0-d31, the FPSCR and the tuple list to KVM. `level` is QEMU's
 * KVM_PUT_*_STATE; every level writes everything here.
 */
export function kvmArchPutRegisters(cpu: ARMCPU, _level = 0): number {
  const env = cpu.env;
  // Make sure the banked copies hold what the current mode sees.
  const mode = env.uncachedCpsr & CPSR.M;
  const bn = bankNumber(mode);
  if (mode === Mode.fiq) env.fiqRegs.set(env.regs.subarray(8, 13));
  else env.usrRegs.set(env.regs.subarray(8, 13));
  env.bankedR13[bn] = env.regs[13]!;
  env.bankedR14[bn] = env.regs[14]!;
  env.bankedSpsr[bn] = env.spsr;

  for (const reg of KVM_CORE_REGS) {
    const ret = setReg32(cpu, reg.id, reg.get(env));
    if (ret) return ret;
  }
  // Special cases that are not a single CPUARMState field.
  let ret = setReg32(cpu, CPSR_ID, env.cpsrRead());
  if (ret) return ret;
  for (let i = 0; i < 32; i++) {
    ret = setReg64(cpu, vfpDRegId(i), env.vfp.regs[i]!);
    if (ret) return ret;
  }
  ret = setReg32(cpu, FPSCR_ID, env.vfpGetFpscr());
  if (ret) return ret;

  // Only the tuple list goes back, never values derived from CPUARMState: a constant register the
  // two disagree on would otherwise be "changed" (refused, or worse, changed for the guest).
  // The C code returned a positive EINVAL here; this port keeps the negative-errno convention.
  if (!writeListToKvmstate(cpu)) return -Errno.EINVAL;
  return 0;
}

/**
 * kvm_arch_get_registers: reads the core table, the CPSR (switching nothing: the banks were just
 * read), then loads the current mode's r8-r14/SPSR from the banks, d0-d31, the FPSCR and the tuple
 * list.
 */
export function kvmArchGetRegisters(cpu: ARMCPU): number {
  const env = cpu.env;
  for (const reg of KVM_CORE_REGS) {
    const ret = getReg32(cpu, reg.id);
    if (ret) return ret;
    reg.set(env, view32.getUint32(0, true));
  }
  let ret = getReg32(cpu, CPSR_ID);
  if (ret) return ret;
  // Raw: a bank switch here would store the stale current registers over the banks just read.
  env.cpsrWrite(view32.getUint32(0, true), 0xffffffff, CpsrWriteType.raw);

  // Make sure the current mode's registers are what the banks say.
  const mode = env.uncachedCpsr & CPSR.M;
  const bn = bankNumber(mode);
  env.regs.set(mode === Mode.fiq ? env.fiqRegs : env.usrRegs, 8);
  env.regs[13] = env.bankedR13[bn]!;
  env.regs[14] = env.bankedR14[bn]!;
  env.spsr = env.bankedSpsr[bn]!;

  for (let i = 0; i < 32; i++) {
    ret = getReg64(cpu, vfpDRegId(i));
    if (ret) return ret;
    env.vfp.regs[i] = view64.getBigUint64(0, true);
  }
  ret = getReg32(cpu, FPSCR_ID);
  if (ret) return ret;
  env.vfpSetFpscr(view32.getUint32(0, true));

  if (!writeKvmstateToList(cpu)) return -Errno.EINVAL;
  return 0;
}

/**
 * kvm_arm_sync_mpstate_to_qemu: whether PSCI has the vCPU powered off (KVM_MP_STATE_STOPPED) or
 * on, read with KVM_GET_MP_STATE into `cpu.powerState`. Returns 0 or a negative errno.
 */
export function kvmArmSyncMpstateToQemu(cpu: ARMCPU): number {
  const arg: KvmMpStateArg = { mp_state: KvmMpState.RUNNABLE };
  const ret = cpu.vcpuIoctl(KVM_GET_MP_STATE, arg);
  if (ret < 0) return ret;
  cpu.powerState = arg.mp_state === KvmMpState.STOPPED ? 'off' : 'on';
  return 0;
}

/** kvm_arch_reset_vcpu: gives the kernel back the register values it had right after VCPU_INIT. */
export function kvmArchResetVcpu(cpu: ARMCPU): void {
  cpu.cpregValues.set(cpu.cpregResetValues.subarray(0, cpu.cpregArrayLen));
  if (!writeListToKvmstate(cpu)) {
    throw new KvmArmError(`cpu ${cpu.cpuIndex}: KVM refused the reset values of its system registers`);
  }
}

/** kvm_arch_pre_run: nothing to do on ARM before KVM_RUN. */
export function kvmArchPreRun(_cpu: ARMCPU, _run: KvmRun): void {}

/** kvm_arch_post_run: nothing to do on ARM after KVM_RUN. */
export function kvmArchPostRun(_cpu: ARMCPU, _run: KvmRun): void {}

/** kvm_arch_handle_exit: debug exits go to the debugger; 0 hands any other exit to the generic error. */
export function kvmArchHandleExit(s: KvmState, cpu: ARMCPU, run: KvmRun): number {
  if (run.exit_reason === KvmExit.DEBUG) return kvmArmHandleDebug(s, cpu, run);
  return 0;
}

// ---- guest debug: over KVM_SET_GUEST_DEBUG and KVM_EXIT_DEBUG, as later QEMU does for ARM ----

/** gdb's breakpoint types (GDB_BREAKPOINT_*, GDB_WATCHPOINT_*), as the gdbstub passes them. */
export const GdbBreakpointType = { SW: 0, HW: 1, WATCH_WRITE: 2, WATCH_READ: 3, WATCH_ACCESS: 4 } as const;
/** QEMU's EXCP_DEBUG: kvm_arch_handle_exit says "stop the VM for the debugger". */
export const EXCP_DEBUG = 0x10002;

const BKPT_ARM = Uint8Array.of(0x70, 0x00, 0x20, 0xe1); // BKPT #0, little-endian
const BKPT_THUMB = Uint8Array.of(0x00, 0xbe);

/** Guest memory at virtual addresses, as the hooks need it (cpu_memory_rw_debug). */
export type DebugMemoryAccess = (
  va: number,
  length: number,
  data?: Uint8Array,
) => Uint8Array | true | undefined;

/** kvm_arch_update_guest_debug: BKPT to userspace while software breakpoints exist; the debug registers for hardware ones. */
export function kvmArchUpdateGuestDebug(s: KvmState, _cpu: ARMCPU, dbg: KvmGuestDebug): void {
  if (s.swBreakpoints.size > 0) dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
  if (s.hwBreakpoints.length > 0 || s.hwWatchpoints.length > 0) {
    dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW;
    const bcr: number[] = [];
    const bvr: number[] = [];
    for (const addr of s.hwBreakpoints) {
      // DBGBCR: enabled, any privilege (PMC 0b11), BAS the halfword(s) at the address
      const bas = addr & 2 ? 0b1100 : 0b1111;
      bcr.push((bas << 5) | (0b11 << 1) | 1);
      bvr.push(addr & ~3);
    }
    const wcr: number[] = [];
    const wvr: number[] = [];
    for (const w of s.hwWatchpoints) {
      const lsc =
        w.type === GdbBreakpointType.WATCH_WRITE ? 2 : w.type === GdbBreakpointType.WATCH_READ ? 1 : 3;
      const offset = w.address & 7;
      if (offset + w.length <= 8) {
        // a byte-address-select mask within one doubleword
        wcr.push((((1 << w.length) - 1) << (offset + 5)) | (lsc << 3) | (0b11 << 1) | 1);
        wvr.push(w.address & ~7);
      } else {
        // a power-of-two range aligned to its size: the MASK field
        const mask = Math.ceil(Math.log2(w.length));
        wcr.push((mask << 24) | (0xff << 5) | (lsc << 3) | (0b11 << 1) | 1);
        wvr.push(w.address & ~(2 ** mask - 1));
      }
    }
    dbg.arch = { dbg_bcr: bcr, dbg_bvr: bvr, dbg_wcr: wcr, dbg_wvr: wvr };
  }
}

/** kvm_arch_insert_sw_breakpoint: saves the instruction at the address and writes a BKPT over it. */
export function kvmArchInsertSwBreakpoint(
  _s: KvmState,
  _cpu: ARMCPU,
  bp: KvmSwBreakpoint,
  mem: DebugMemoryAccess,
): number {
  const saved = mem(bp.pc, bp.size);
  if (!(saved instanceof Uint8Array)) return -Errno.EINVAL;
  bp.savedInsn = saved;
  return mem(bp.pc, bp.size, bp.size === 2 ? BKPT_THUMB : BKPT_ARM) === true ? 0 : -Errno.EINVAL;
}

/** kvm_arch_remove_sw_breakpoint: puts the saved instruction back, if our BKPT is still there. */
export function kvmArchRemoveSwBreakpoint(
  _s: KvmState,
  _cpu: ARMCPU,
  bp: KvmSwBreakpoint,
  mem: DebugMemoryAccess,
): number {
  const now = mem(bp.pc, bp.size);
  const ours = bp.size === 2 ? BKPT_THUMB : BKPT_ARM;
  if (!(now instanceof Uint8Array) || !now.every((b, i) => b === ours[i])) return -Errno.EINVAL;
  return mem(bp.pc, bp.size, bp.savedInsn) === true ? 0 : -Errno.EINVAL;
}

/** kvm_arch_insert_hw_breakpoint: takes a debug register pair, -ENOBUFS when the core has no more. */
export function kvmArchInsertHwBreakpoint(s: KvmState, addr: number, len: number, type: number): number {
  if (type === GdbBreakpointType.HW) {
    if (s.hwBreakpoints.length >= s.maxHwBreakpoints) return -Errno.ENOBUFS;
    s.hwBreakpoints.push(addr >>> 0);
    return 0;
  }
  if (type < GdbBreakpointType.WATCH_WRITE || type > GdbBreakpointType.WATCH_ACCESS) return -Errno.ENOSYS;
  if (s.hwWatchpoints.length >= s.maxHwWatchpoints) return -Errno.ENOBUFS;
  // a range the debug registers can describe: within a doubleword, or a power of two aligned to itself
  const pow2 = len > 0 && (len & (len - 1)) === 0;
  if (len <= 0 || ((addr & 7) + len > 8 && !(pow2 && (addr & (len - 1)) === 0))) return -Errno.EINVAL;
  s.hwWatchpoints.push({ address: addr >>> 0, length: len, type });
  return 0;
}

/** kvm_arch_remove_hw_breakpoint. */
export function kvmArchRemoveHwBreakpoint(s: KvmState, addr: number, len: number, type: number): number {
  if (type === GdbBreakpointType.HW) {
    const i = s.hwBreakpoints.indexOf(addr >>> 0);
    if (i < 0) return -Errno.ENOENT;
    s.hwBreakpoints.splice(i, 1);
    return 0;
  }
  const i = s.hwWatchpoints.findIndex((w) => w.address === addr >>> 0 && w.length === len && w.type === type);
  if (i < 0) return -Errno.ENOENT;
  s.hwWatchpoints.splice(i, 1);
  return 0;
}

/** kvm_arch_remove_all_hw_breakpoints. */
export function kvmArchRemoveAllHwBreakpoints(s: KvmState): void {
  s.hwBreakpoints.length = 0;
  s.hwWatchpoints.length = 0;
}

/**
 * kvm_arm_handle_debug: a KVM_EXIT_DEBUG is the debugger's when it is a step the debugger asked for,
 * a BKPT at one of its software breakpoints, or one of its hardware breakpoints or watchpoints;
 * then the VM stops (EXCP_DEBUG). A guest's own BKPT is also reported, as gdb would want to see it.
 */
export function kvmArmHandleDebug(s: KvmState, _cpu: ARMCPU, run: KvmRun): number {
  const arch = run.debug.arch;
  const ec = arch.hsr >>> ESR_ELX_EC_SHIFT;
  s.watchpointHit = undefined;
  if (ec === KvmDebugExceptionClass.WATCHPT_LOW) {
    const far = Number(arch.far);
    const hit = s.hwWatchpoints.find((w) => far < w.address + w.length && w.address < far + 1);
    if (hit) s.watchpointHit = { address: far, hit };
  }
  return EXCP_DEBUG;
}
