/**
 * A vCPU: KVM_ARM_VCPU_INIT, ONE_REG and REG_LIST over the register registry, and KVM_RUN, which runs
 * the CPU and handles inside the "kernel" what KVM handles there (VGIC and memslot accesses, PSCI,
 * WFI, unknown HVC/SMC) so that only what the VMM must see leaves as an exit in `run`.
 */
import { Bus, Cpu, CpuDebug, type DebugExit, ExceptionKind, jitTranslator, type MmioExit } from '@armvm/arm';
import {
  applyGuestDebug,
  debugExitToRun,
  GUEST_DEBUG_OFF,
  type GuestDebugState,
  guestDebugIdle,
  setGuestDebug,
} from './guest-debug.ts';
import type { KvmHandle, KvmVcpuHandle, VcpuStatistics } from './handles.ts';
import { KvmError, kvmCheck, negatedErrno } from './kvm-error.ts';
import type { PsciCpu } from './psci.ts';
import { psciCall } from './psci.ts';
import { getOneReg, KvmExtraRegs, REGISTERS, type RegisterContext, setOneReg } from './registers.ts';
import {
  Errno,
  KVM_ARM_VCPU_INIT,
  KVM_GET_MP_STATE,
  KVM_GET_ONE_REG,
  KVM_GET_REG_LIST,
  KVM_MEM_READONLY,
  KVM_RUN,
  KVM_SET_GUEST_DEBUG,
  KVM_SET_MP_STATE,
  KVM_SET_ONE_REG,
  KvmArmVcpuFeature,
  KvmExit,
  type KvmGuestDebug,
  KvmInternalError,
  KvmMpState,
  type KvmMpStateArg,
  type KvmOneReg,
  type KvmRegList,
  type KvmRun,
  type KvmVcpuInit,
  newKvmRun,
  KvmRegId,
} from './uapi.ts';
import { INTR_EXIT, type VcpuExit, vcpuExitFromRun } from './vcpu-exit.ts';
import type { VcpuVmContext } from './vm-context.ts';

/** Virtual and physical non-secure timer PPIs (the DT's PPI 11 and 14). */
export const VTIMER_PPI = 27;
export const PTIMER_PPI = 30;
/**
 * Instructions between checks of the timers and the time slice: about 0.1 ms of guest time, well
 * under a timer tick. Each chunk's end costs a timer check and its last blocks run interpreted
 * (a compiled block needs a whole block of budget), so smaller chunks slow a Linux boot.
 */
export const CHUNK = 16384;
/** The kernel's "unknown" reset values. */
const UNKNOWN32 = 0xdecafbad | 0;
const UNKNOWN64_HI = 0xd0c0ffee | 0;

/** What one pass of the run loop decided: keep running, or return this to the VMM. */
type Step = number | null;

/** A vCPU handle. */
export class KvmVcpu implements KvmVcpuHandle, PsciCpu, RegisterContext {
  readonly kind = 'vcpu' as const;
  /** The id given to KVM_CREATE_VCPU (it makes the MPIDR). */
  readonly id: number;
  /** Position among the VM's vCPUs (the VGIC's CPU number and KVM_IRQ_LINE's vcpu index). */
  readonly index: number;
  readonly kvmRun: KvmRun = newKvmRun();
  readonly extra = new KvmExtraRegs();
  cpu: Cpu;
  /** KVM_ARM_VCPU_INIT target, -1 before init. */
  target = -1;
  private featureWord = 0;
  psci02 = false;
  powerOff = false;
  /** In WFI (or PSCI suspend) with nothing pending yet. */
  waiting = false;
  /** Lines driven by KVM_IRQ_LINE when there is no in-kernel irqchip. */
  irqLine = false;
  fiqLine = false;
  private readonly vm: VcpuVmContext;
  private memoryGeneration = -1;
  /** The data buffer of an MMIO load the VMM is completing. */
  private pendingLoad: Uint8Array | null = null;
  private pendingLen = 0;
  /** Last timer output levels sent to the VGIC. */
  private vtimerLevel = false;
  private ptimerLevel = false;
  /** Set by `kick()`: the next check returns -EINTR, as a signal does. */
  private kicked = false;
  /** What KVM_SET_GUEST_DEBUG asked for. */
  private guestDebug: GuestDebugState = GUEST_DEBUG_OFF;
  /** A single step ended in an MMIO exit: the next KVM_RUN completes it and reports the step. */
  private stepAfterMmio = false;
  /** The exit `run()` returns when the loop built it (MMIO); otherwise it is read from `kvmRun`. */
  private exit: VcpuExit | null = null;
  /** The MMIO exit, refilled at each one: no allocation per exit (valid until the next `run()`). */
  private readonly mmioExit: { reason: 'mmio'; address: number; data: Uint8Array; isWrite: boolean } = {
    reason: 'mmio',
    address: 0,
    data: new Uint8Array(0),
    isWrite: false,
  };
  /** The address of the last MMIO exit, and it as the bigint `kvm_run.mmio.phys_addr` holds. */
  private mmioAddr = -1;
  private mmioAddrBig = 0n;
  /** Views of `kvmRun.mmio.data` by access size (index 1, 2, 4, 8), made for `mmioViewsOf`. */
  private mmioViews: Uint8Array[] = [];
  private mmioViewsOf: Uint8Array | null = null;

  constructor(vm: VcpuVmContext, id: number, index: number) {
    this.vm = vm;
    this.id = id;
    this.index = index;
    this.cpu = this.newCpu();
  }

  mmapRun(): KvmRun {
    return this.kvmRun;
  }

  /** What this vCPU's CPU has done (a CPU rebuilt for new memory slots starts its own counts). */
  statistics(): VcpuStatistics {
    const t = this.cpu.jit?.statistics();
    return {
      instructions: this.cpu.retired,
      blocksDecoded: t?.blocksDecoded ?? 0,
      blocksCompiled: t?.blocksCompiled ?? 0,
      compileMs: t?.compileMs ?? 0,
    };
  }

  /** Makes a running or the next KVM_RUN return -EINTR with KVM_EXIT_INTR (what a signal does). */
  kick(): void {
    this.kicked = true;
    this.cpu.requestStop();
  }

  // ---- the typed calls ---------------------------------------------------------------------------

  /** KVM_RUN: completes a pending MMIO load from `kvmRun.mmio.data`, then runs until an exit. */
  run(): VcpuExit {
    this.exit = null;
    const r = this.enter();
    if (r === -Errno.EINTR) return INTR_EXIT;
    if (r < 0) throw new KvmError('KVM_RUN', -r);
    return this.exit ?? vcpuExitFromRun(this.kvmRun);
  }

  /** KVM_ARM_VCPU_INIT: the host's target only; resets the vCPU. */
  armVcpuInit(init: KvmVcpuInit): void {
    kvmCheck('KVM_ARM_VCPU_INIT', this.init(init));
  }

  /** KVM_GET_ONE_REG into `bytes` (the register's size, little-endian). */
  getOneReg(id: bigint, bytes: Uint8Array): void {
    this.oneRegReady('KVM_GET_ONE_REG', id);
    kvmCheck('KVM_GET_ONE_REG', getOneReg(this, id, bytes));
  }

  /** KVM_SET_ONE_REG from `bytes` (the register's size, little-endian). */
  setOneReg(id: bigint, bytes: Uint8Array): void {
    this.oneRegReady('KVM_SET_ONE_REG', id);
    kvmCheck('KVM_SET_ONE_REG', setOneReg(this, id, bytes));
  }

  /** KVM_GET_REG_LIST: every register id, in the kernel's (unsorted) order. */
  getRegList(): BigUint64Array {
    if (this.target < 0) throw new KvmError('KVM_GET_REG_LIST', Errno.ENOEXEC);
    return BigUint64Array.from(REGISTERS, (r) => r.id);
  }

  /** KVM_GET_MP_STATE: STOPPED when powered off, else RUNNABLE. */
  getMpState(): number {
    return this.powerOff ? KvmMpState.STOPPED : KvmMpState.RUNNABLE;
  }

  /** KVM_SET_MP_STATE: RUNNABLE or STOPPED (-EINVAL for others). */
  setMpState(state: number): void {
    if (state === KvmMpState.RUNNABLE) this.powerOff = false;
    else if (state === KvmMpState.STOPPED) this.powerOff = true;
    else throw new KvmError('KVM_SET_MP_STATE', Errno.EINVAL);
  }

  /** KVM_SET_GUEST_DEBUG: control bits and debug registers onto the CPU. */
  setGuestDebug(debug: KvmGuestDebug): void {
    const state = setGuestDebug(debug);
    if (typeof state === 'number') throw new KvmError('KVM_SET_GUEST_DEBUG', -state);
    this.guestDebug = state;
    this.stepAfterMmio = false;
    this.attachDebug(this.cpu);
  }

  /** ONE_REG needs an initialised vCPU and a 64-bit id; the CPU must see the current memory. */
  private oneRegReady(call: string, id: bigint): void {
    if (this.target < 0) throw new KvmError(call, Errno.ENOEXEC);
    if (typeof id !== 'bigint') throw new KvmError(call, Errno.EFAULT);
    this.syncMemory();
  }

  // ---- the raw layer ----------------------------------------------------------------------------

  /** The seed's ioctl: each request calls its typed method; a KvmError becomes -errno. */
  ioctl(request: number, arg?: unknown): number | KvmHandle {
    if (request === KVM_RUN) return this.rawRun(); // first: the hot one
    try {
      switch (request) {
        case KVM_ARM_VCPU_INIT:
          this.armVcpuInit(arg as KvmVcpuInit);
          return 0;
        case KVM_GET_ONE_REG:
        case KVM_SET_ONE_REG: {
          const r = arg as KvmOneReg;
          if (this.target < 0) return -Errno.ENOEXEC;
          if (typeof r !== 'object' || r === null) return -Errno.EFAULT;
          if (request === KVM_GET_ONE_REG) this.getOneReg(r.id, r.addr);
          else this.setOneReg(r.id, r.addr);
          return 0;
        }
        case KVM_GET_REG_LIST:
          return this.rawRegList(arg as KvmRegList);
        case KVM_GET_MP_STATE:
        case KVM_SET_MP_STATE: {
          const a = arg as KvmMpStateArg;
          if (typeof a !== 'object' || a === null) return -Errno.EFAULT;
          if (request === KVM_GET_MP_STATE) a.mp_state = this.getMpState();
          else this.setMpState(a.mp_state);
          return 0;
        }
        case KVM_SET_GUEST_DEBUG:
          this.setGuestDebug(arg as KvmGuestDebug);
          return 0;
        default:
          return -Errno.ENOTTY;
      }
    } catch (e) {
      return negatedErrno(e);
    }
  }

  /** KVM_RUN: 0 with the exit in `kvmRun`, or -errno (-EINTR for an `intr` exit). */
  private rawRun(): number {
    try {
      return this.run() === INTR_EXIT ? -Errno.EINTR : 0;
    } catch (e) {
      return negatedErrno(e);
    }
  }

  /** KVM_GET_REG_LIST's struct: `n` says the room, and is set to the count (-E2BIG when short). */
  private rawRegList(arg: KvmRegList): number {
    const ids = this.getRegList();
    if (typeof arg !== 'object' || arg === null || typeof arg.n !== 'bigint') return -Errno.EFAULT;
    const want = arg.n;
    arg.n = BigInt(ids.length);
    if (want < arg.n) return -Errno.E2BIG;
    if (!(arg.reg instanceof BigUint64Array) || arg.reg.length < ids.length) return -Errno.EFAULT;
    arg.reg.set(ids);
    return 0;
  }

  // ---- init and reset --------------------------------------------------------------------------

  private init(arg: KvmVcpuInit): number {
    if (typeof arg !== 'object' || arg === null || typeof arg.target !== 'number') return -Errno.EFAULT;
    if (arg.target !== this.vm.hostTarget) return -Errno.EINVAL; // only the host's own core
    const features = arg.features ?? [];
    for (let i = 0; i < 7; i++) {
      const word = (features[i] ?? 0) >>> 0;
      const known = i === 0 ? (1 << KvmArmVcpuFeature.POWER_OFF) | (1 << KvmArmVcpuFeature.PSCI_0_2) : 0;
      if (word & ~known) return -Errno.ENOENT;
    }
    const f0 = (features[0] ?? 0) >>> 0;
    if (this.target >= 0 && (this.target !== arg.target || this.featureWord !== f0)) return -Errno.EINVAL;
    this.target = arg.target;
    this.featureWord = f0;
    this.psci02 = (f0 & (1 << KvmArmVcpuFeature.PSCI_0_2)) !== 0;
    this.syncMemory();
    this.reset();
    this.powerOff = (f0 & (1 << KvmArmVcpuFeature.POWER_OFF)) !== 0;
    return 0;
  }

  /** kvm_reset_vcpu: core registers zero in SVC with A, I, F masked; cp15 to the kernel's reset table. */
  reset(): void {
    const cpu = this.cpu;
    cpu.reset(0);
    const c = cpu.cp15;
    c.mpidr = 0x80000000 | ((this.id >> 2) << 8) | (this.id & 3) | 0;
    c.actlr = this.vm.vcpus.length > 1 ? 1 << 6 : 0; // the SMP bit when there are several vCPUs
    c.csselr = UNKNOWN32;
    c.ttbr0 = c.ttbr1 = c.par = UNKNOWN32;
    c.ttbr0Hi = c.ttbr1Hi = c.parHi = UNKNOWN64_HI;
    c.dacr = c.dfsr = c.ifsr = c.adfsr = c.aifsr = c.dfar = c.ifar = UNKNOWN32;
    c.prrr = c.nmrr = UNKNOWN32;
    c.tpidrurw = c.tpidruro = c.tpidrprw = UNKNOWN32;
    c.onTranslationChange();
    c.timer.virtualOffset = this.vm.cntvoff;
    this.extra.origR0 = 0;
    this.waiting = false;
    this.pendingLoad = null;
    this.vm.tracepoints?.reset?.(this.index);
  }

  /**
   * Gives `cpu` the debug state it needs: none (the fast path) unless guest debug is on or a
   * tracepoint consumer wants exceptions or blocks.
   */
  private attachDebug(cpu: Cpu): void {
    const tp = this.vm.tracepoints;
    if (guestDebugIdle(this.guestDebug) && !tp?.exception && !tp?.blocks) {
      cpu.attachDebug(null);
      return;
    }
    const debug = cpu.debug ?? new CpuDebug();
    applyGuestDebug(debug, this.guestDebug);
    const index = this.index;
    if (tp?.exception) {
      const sink = tp.exception;
      debug.onException = (r) => sink(index, r);
    }
    if (tp?.blocks) {
      const sink = tp.blocks;
      debug.onBlock = (r) => sink(index, r);
    }
    cpu.attachDebug(debug);
  }

  /** CPU_ON: reset, then start at `pc` with r0 = `context`. */
  powerOn(pc: number, context: number, bigEndian: boolean): void {
    this.reset();
    const cpu = this.cpu;
    if (pc & 1) cpu.t = 1;
    if (bigEndian) cpu.masks |= 0x200;
    cpu.pc = pc & ~1;
    cpu.r[0] = context;
    this.powerOff = false;
  }

  // ---- registers -------------------------------------------------------------------------------

  setVirtualCount(count: bigint): void {
    this.vm.setVirtualCount(count);
  }

  // ---- CPU and memory --------------------------------------------------------------------------

  private newCpu(): Cpu {
    const slot = this.vm.memorySlots.primary();
    const bus = slot ? new Bus(slot.base, slot.bytes) : new Bus(0, new Uint8Array(0));
    const cpu = new Cpu(bus, { translator: jitTranslator() });
    // Inner Shareable TLB maintenance reaches every vCPU of the VM, as on an SMP host
    cpu.onShareableTlbMaintenance = (op, value) => {
      for (const other of this.vm.vcpus) if (other !== this) other.cpu.tlbMaintenance(op, value);
    };
    const t = cpu.cp15.timer;
    t.clock = this.vm.clock;
    t.frequency = this.vm.frequency;
    t.virtualOffset = this.vm.cntvoff;
    this.memoryGeneration = this.vm.memorySlots.generation;
    this.attachDebug(cpu);
    return cpu;
  }

  /** Rebuilds the CPU on the VM's current RAM window when the memory slots changed, keeping its state. */
  private syncMemory(): void {
    if (this.memoryGeneration === this.vm.memorySlots.generation) return;
    if (this.pendingLoad) return; // an MMIO load is in flight; keep the CPU that owns it
    const old = this.cpu;
    const cpu = this.newCpu();
    const from: RegisterContext = { cpu: old, extra: this.extra, setVirtualCount: () => {} };
    const to: RegisterContext = { cpu, extra: this.extra, setVirtualCount: () => {} };
    cpu.cpsr = old.cpsr; // first, so banked registers land in their banks
    for (const r of REGISTERS) {
      if (r.invariant || r.id === KvmRegId.CPSR) continue;
      r.set(to, r.get(from));
    }
    const a = old.cp15;
    const b = cpu.cp15;
    b.par = a.par;
    b.timer.cntkctl = a.timer.cntkctl;
    b.timer.frequency = a.timer.frequency;
    b.timer.virtualOffset = a.timer.virtualOffset;
    b.timer.physical.ctl = a.timer.physical.ctl;
    b.timer.physical.cval = a.timer.physical.cval;
    b.timer.virtual.ctl = a.timer.virtual.ctl;
    this.cpu = cpu;
    this.applyLines();
  }

  private irqLineNow(): boolean {
    return this.vm.vgic ? this.vm.vgic.irqLevel(this.index) : this.irqLine;
  }

  /** Puts the interrupt lines on the (possibly new) CPU. */
  applyLines(): void {
    this.cpu.setIrq(this.irqLineNow());
    this.cpu.setFiq(this.vm.vgic ? false : this.fiqLine);
  }

  // ---- KVM_RUN ---------------------------------------------------------------------------------

  /** Runnable as the kernel means it: initialised, on, and not waiting for an interrupt. */
  runnable(): boolean {
    if (this.target < 0 || this.powerOff) return false;
    if (!this.waiting) return true;
    this.syncTimers();
    return this.cpu.interruptAsserted;
  }

  private enter(): number {
    if (this.target < 0) return -Errno.ENOEXEC;
    const err = this.vm.beforeRun();
    if (err) return err;
    const run = this.kvmRun;
    if (this.pendingLoad) {
      this.pendingLoad.set(run.mmio.data.subarray(0, this.pendingLen));
      this.pendingLoad = null;
    }
    this.syncMemory();
    if (run.immediate_exit) return -Errno.EINTR;
    if (this.stepAfterMmio) {
      // the stepped instruction's load completes now; then the step is over
      this.stepAfterMmio = false;
      this.cpu.run(0);
      debugExitToRun(run, 'step');
      this.kvmRun.debug.arch.pc = this.cpu.pc;
      return 0;
    }
    try {
      return this.loop();
    } catch (e) {
      run.exit_reason = KvmExit.INTERNAL_ERROR;
      run.internal.suberror = KvmInternalError.EMULATION;
      run.internal.data = [this.cpu.pc];
      run.internal.reason = e instanceof Error ? e.message : String(e);
      return 0;
    } finally {
      // a vCPU that leaves KVM_RUN loses its exclusive reservation (allowed by the architecture),
      // so a STREX after another vCPU ran can never succeed on stale data
      this.cpu.exclusiveAddr = -1;
    }
  }

  private interrupted(): number {
    this.kvmRun.exit_reason = KvmExit.INTR;
    return -Errno.EINTR;
  }

  private loop(): number {
    const cpu = this.cpu;
    const vm = this.vm;
    const sliceEnd = cpu.retired + vm.timeSlice;
    const deadline = vm.maxRunMs > 0 ? performance.now() + vm.maxRunMs : Infinity;
    for (;;) {
      if (this.kicked) {
        this.kicked = false;
        return this.interrupted();
      }
      if (this.powerOff || this.waiting) {
        const r = this.block();
        if (r !== null) return r;
        continue;
      }
      this.syncTimers();
      const exit = cpu.run(Math.min(CHUNK, vm.timeSlice));
      let step: Step = null;
      switch (exit.kind) {
        case 'mmio':
          step = this.mmio(exit);
          break;
        case 'hvc':
          step = this.hvc();
          break;
        case 'smc':
          this.injectUndefined(); // KVM does not forward SMC: the guest sees it as undefined
          break;
        case 'wfi':
          this.waiting = true;
          break;
        case 'stop':
          this.kicked = false;
          return this.interrupted();
        case 'budget':
          break;
        case 'debug':
          return this.debugExit(exit);
      }
      if (this.singleStepping() && exit.kind !== 'budget') {
        // the stepped instruction needed KVM (PSCI, WFI, SMC, an in-kernel MMIO) or the VMM (MMIO)
        if (step === null) return this.debugExit('step');
        if (exit.kind === 'mmio') this.stepAfterMmio = true;
      }
      if (step !== null) return step;
      // checked after every chunk, not only after full ones: a guest polling something answered
      // here (PSCI, the VGIC) ends each chunk early and would otherwise never give up its thread
      if (cpu.retired >= sliceEnd && vm.othersRunnable(this)) return this.interrupted();
      if (deadline !== Infinity && performance.now() > deadline) return this.interrupted();
    }
  }

  /**
   * The vCPU is off or waiting for an interrupt. With another vCPU runnable, give the thread back
   * (-EINTR); else sleep until the next timer deadline, at most `maxWfiSleepMs`, and either go on
   * or return -EINTR so the VMM's event loop can deliver input.
   */
  private block(): Step {
    if (!this.powerOff && this.runnable()) {
      this.waiting = false;
      return null;
    }
    if (this.vm.othersRunnable(this)) return this.interrupted();
    const ms = this.powerOff ? this.vm.maxWfiSleepMs : Math.min(this.vm.maxWfiSleepMs, this.msToTimer());
    if (ms > 0) this.vm.sleep(ms);
    if (!this.powerOff && this.runnable()) {
      this.waiting = false;
      return null;
    }
    return this.interrupted();
  }

  /** Milliseconds until one of this vCPU's timers fires (Infinity when none is armed). */
  private msToTimer(): number {
    const t = this.cpu.cp15.timer;
    let best = Infinity;
    for (const ch of [t.virtual, t.physical]) {
      if ((ch.ctl & 3) !== 1) continue; // disabled or masked
      const now = ch === t.virtual ? t.virtualCount : t.physicalCount;
      const ticks = ch.cval > now ? Number(ch.cval - now) : 0;
      best = Math.min(best, (ticks * 1000) / this.vm.frequency);
    }
    return best;
  }

  /** Sends the timers' outputs to their PPIs when they change. */
  syncTimers(): void {
    const vgic = this.vm.vgic;
    if (!vgic) return;
    const t = this.cpu.cp15.timer;
    // reading the count costs a clock call: skip timers that are off (their output is low)
    const v = (t.virtual.ctl & 1) !== 0 && t.irqLevel(t.virtual);
    const p = (t.physical.ctl & 1) !== 0 && t.irqLevel(t.physical);
    if (v !== this.vtimerLevel) {
      this.vtimerLevel = v;
      vgic.setLine(this.index, VTIMER_PPI, v);
    }
    if (p !== this.ptimerLevel) {
      this.ptimerLevel = p;
      vgic.setLine(this.index, PTIMER_PPI, p);
    }
  }

  /** An MMIO exit from the CPU: the VGIC and other memslots are served here; the rest go to the VMM. */
  private mmio(exit: MmioExit): Step {
    const vm = this.vm;
    const a = exit.address;
    const size = exit.size;
    const data = exit.data;
    const gic = vm.vgic !== null ? vm.vgicWindow(a) : null;
    if (gic) {
      const vgic = vm.vgic!;
      const view = new DataView(data.buffer, data.byteOffset, 8);
      if (size === 8) return this.internalError('doubleword access to the VGIC');
      if (exit.isWrite) {
        const v = size === 4 ? view.getUint32(0, true) : size === 2 ? view.getUint16(0, true) : data[0]!;
        if (gic.dist) vgic.writeDist(this.index, gic.offset, size, v);
        else vgic.writeCpu(this.index, gic.offset, size, v);
      } else {
        const v = gic.dist
          ? vgic.readDist(this.index, gic.offset, size)
          : vgic.readCpu(this.index, gic.offset, size);
        view.setUint32(0, v >>> 0, true);
      }
      return null;
    }
    const slot = vm.memorySlots.find(a, size);
    if (slot && !(exit.isWrite && slot.flags & KVM_MEM_READONLY)) {
      const off = a - slot.base;
      if (exit.isWrite) slot.bytes.set(data.subarray(0, size), off);
      else data.set(slot.bytes.subarray(off, off + size));
      return null;
    }
    const run = this.kvmRun;
    run.exit_reason = KvmExit.MMIO;
    if (a !== this.mmioAddr) {
      // a guest polls one register at a time: keep its address's bigint rather than make one per exit
      this.mmioAddr = a;
      this.mmioAddrBig = BigInt(a);
    }
    run.mmio.phys_addr = this.mmioAddrBig;
    run.mmio.len = size;
    run.mmio.is_write = exit.isWrite ? 1 : 0;
    const out = run.mmio.data;
    for (let i = 0; i < 8; i++) out[i] = exit.isWrite && i < size ? data[i]! : 0;
    if (!exit.isWrite) {
      this.pendingLoad = data;
      this.pendingLen = size;
    }
    if (this.mmioViewsOf !== out) {
      this.mmioViewsOf = out;
      this.mmioViews = Array.from({ length: 9 }, (_, n) => out.subarray(0, n));
    }
    const e = this.mmioExit;
    e.address = a;
    e.data = this.mmioViews[size]!;
    e.isWrite = exit.isWrite;
    this.exit = e;
    return 0;
  }

  private singleStepping(): boolean {
    return this.cpu.debug !== null && this.cpu.debug.singleStep;
  }

  /** KVM_EXIT_DEBUG for a debug event of the CPU. */
  private debugExit(exit: DebugExit | 'step'): number {
    debugExitToRun(this.kvmRun, exit);
    if (exit === 'step') this.kvmRun.debug.arch.pc = this.cpu.pc;
    return 0;
  }

  private hvc(): Step {
    const out = psciCall(this, this.vm.vcpus);
    switch (out.kind) {
      case 'done':
      case 'off':
        return null;
      case 'suspend':
        this.waiting = true;
        return null;
      case 'system':
        this.kvmRun.exit_reason = KvmExit.SYSTEM_EVENT;
        this.kvmRun.system_event.type = out.type;
        this.kvmRun.system_event.flags = 0n;
        return 0;
    }
  }

  /**
   * The guest takes an undefined-instruction exception at the HVC/SMC it just executed (4 bytes in
   * either state; the PC is past it). LR is what an undefined instruction there would give: its
   * address + 4 in ARM state, + 2 in Thumb, so the guest's usual handler finds the instruction.
   */
  private injectUndefined(): void {
    const cpu = this.cpu;
    cpu.enter(ExceptionKind.undefined, cpu.t ? cpu.pc - 2 : cpu.pc);
  }

  private internalError(reason: string): Step {
    const run = this.kvmRun;
    run.exit_reason = KvmExit.INTERNAL_ERROR;
    run.internal.suberror = KvmInternalError.EMULATION;
    run.internal.data = [this.cpu.insnAddr >>> 0];
    run.internal.reason = reason;
    return 0;
  }
}
