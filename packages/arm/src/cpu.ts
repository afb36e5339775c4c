/** The CPU: fetch, condition check, dispatch, memory access, exits to the owner and interrupts. */
import { decodeA32, decodeA32Unconditional } from './isa/a32/a32-decoder.ts';
import type { A32Exec } from './isa/a32/a32-table.ts';
import { conditionPassed } from './isa/alu.ts';
import type { Bus } from './bus.ts';
import { Cp14 } from './system/cp14.ts';
import { Cp15 } from './system/cp15.ts';
import { type CpuContext, LINE_FIQ, LINE_IRQ, LINE_STOP } from './cpu-context.ts';
import { CpuState } from './cpu-state.ts';
import {
  ExceptionKind,
  type ExceptionKindValue,
  enterException,
  exceptionLr,
  FaultStatus,
  GuestException,
  longFaultStatus,
} from './system/exceptions.ts';
import { BUDGET_EXIT, type CpuExit, STOP_EXIT, WFI_EXIT } from './exit.ts';
import { Access, Mmu } from './system/mmu.ts';
import { DecodeCache } from './isa/decode-cache.ts';
import { Mode } from './system/modes.ts';
import type { ThumbExec } from './isa/thumb/t16.ts';
import { Vfp } from './isa/vfp/vfp.ts';
import { decodeT16, decodeT32 } from './isa/thumb/thumb-decoder.ts';
import type { CpuDebug } from './debug.ts';
import type { GuestTranslator, TranslatorFactory } from './guest-translator.ts';

/** How a `Cpu` executes guest code. */
export interface CpuOptions {
  /**
   * Makes the translator that runs guest code (`jitTranslator()` for the package's JIT). Without
   * one the CPU interprets one instruction at a time, which translators are checked against.
   */
  readonly translator?: TranslatorFactory;
}

/**
 * An ARMv7-A core at PL1/PL0. The owner gives it a `Bus`, drives its IRQ and FIQ lines, reads and
 * writes its registers (it is a `CpuState`), and calls `run` until an exit needs handling.
 */
export class Cpu extends CpuState implements CpuContext {
  /** The physical address space. */
  readonly bus: Bus;
  /** System control registers. */
  readonly cp15 = new Cp15();
  /** Debug registers. */
  readonly cp14 = new Cp14();
  /** Floating-point registers and controls. */
  readonly vfp = new Vfp();
  /** Address translation (used while SCTLR.M is set). */
  readonly mmu: Mmu;
  /** SCTLR.M, cached for the fast path. */
  mmuOn = false;
  /** The translator it was given, or null when it interprets one instruction at a time. */
  readonly jit: GuestTranslator | null;
  /** Set by the LDRT/STRT family around their access, so it checks PL0 permissions. */
  unprivileged = false;
  /** Decoded A32 instructions by physical address. */
  private readonly armCache: DecodeCache<A32Exec>;
  /** Decoded Thumb instructions by physical address. */
  private readonly thumbCache: DecodeCache<ThumbExec>;
  /** Instructions retired since creation (including ones that raised exceptions). */
  retired = 0;
  /** Address of the instruction executing now (for exception return addresses). */
  insnAddr = 0;
  /** Set by instructions that wrote the PC, so the loop does not step past them. */
  branched = false;
  /** An exit raised by the current instruction, returned after it completes. */
  exit: CpuExit | null = null;
  /**
   * Whether the banked MRS/MSR forms exist. The reference guest (no EL2 exposed) treats them as
   * undefined, so they are off unless an owner models a core that shows its Virtualization Extensions.
   */
  bankedMoves = false;
  /** The exclusive monitor: physical address tagged by LDREX*, or -1 when open. */
  exclusiveAddr = -1;
  /** Interrupt inputs and stop request (LINE_* bits). */
  lines = 0;
  /** A debugger's or tracer's state (breakpoints, watchpoints, stepping, hooks); null runs the fast path. */
  debug: CpuDebug | null = null;
  /** True while `debug` has watchpoints: data accesses are checked against them. */
  private watchData = false;
  /** Destination of an MMIO load awaiting its data: register, or -1 when none. */
  pendingRt = -1;
  private pendingRt2 = -1;
  private pendingSize = 0;
  private pendingSigned = false;
  /** The MMIO data buffer shared with the owner, like `kvm_run.mmio.data`. */
  private readonly mmioData = new Uint8Array(8);
  private readonly mmioView = new DataView(this.mmioData.buffer);

  constructor(bus: Bus, options: CpuOptions = {}) {
    super();
    this.bus = bus;
    this.mmu = new Mmu(bus, this.cp15);
    this.armCache = new DecodeCache(bus.ramSize, 4);
    this.thumbCache = new DecodeCache(bus.ramSize, 2);
    this.jit = options.translator?.(this) ?? null;
    // until an owner injects a clock, the counter ticks once per retired instruction
    this.cp15.timer.clock = () => BigInt(this.retired);
    this.cp15.pmu.clock = () => BigInt(this.retired); // a cycle per instruction

    this.cp15.onTranslationChange = () => {
      this.mmuOn = (this.cp15.sctlr & 1) !== 0;
      this.mmu.flush();
      this.mmu.setAsid(this.cp15.asid);
      this.jit?.translationChanged();
    };
    this.cp15.onDomainChange = (changed) => {
      this.jit?.domainsChanged(changed);
    };
    this.cp15.onAddressSpaceChange = () => {
      this.mmu.setAsid(this.cp15.asid);
      this.jit?.translationChanged();
    };
    this.cp15.onTlbMaintenance = (op, value, shareable) => {
      this.tlbMaintenance(op, value);
      if (shareable) this.onShareableTlbMaintenance(op, value);
    };
  }

  /**
   * Called for an Inner Shareable TLB operation (TLBIALLIS, TLBIMVAIS, ...) after this core did it:
   * the owner applies it to the other cores of the machine (`tlbMaintenance` on each).
   */
  onShareableTlbMaintenance: (op: number, value: number) => void = () => {};

  /** Performs TLB maintenance operation `op` (a `TlbOp`) on this core's TLB and address caches. */
  tlbMaintenance(op: number, value: number): void {
    this.mmu.invalidate(op, value);
    this.jit?.tlbMaintenance(op, value);
  }

  /** Switches mode; the translator's address caches are per privilege level, so it hears of changes. */
  override setMode(mode: number): void {
    const wasUser = this.mode === Mode.usr;
    super.setMode(mode);
    // `jit` is still unset while the constructor runs
    if (wasUser !== (mode === Mode.usr)) this.jit?.privilegeChanged(mode === Mode.usr);
  }

  /** Physical address of `va` for an access of `kind` by the current privilege. */
  pa(va: number, kind: 0 | 1 | 2): number {
    return this.mmuOn ? this.mmu.translate(va, kind, this.mode === Mode.usr || this.unprivileged) : va >>> 0;
  }

  /** True when an access of `size` bytes at `va` crosses a page and the MMU may split it. */
  private crosses(va: number, size: number): boolean {
    return this.mmuOn && (va & 0xfff) + size > 0x1000;
  }

  /**
   * The reset state a KVM vCPU starts in: SVC mode with A, I and F masked (CPSR 0x1D3), every core
   * register, bank and SPSR zero, CP15, VFP and the monitor at reset, the PC at `pc`. The interrupt
   * lines stay as the owner drives them.
   */
  reset(pc = 0): void {
    this.r.fill(0);
    this.bankedSp.fill(0);
    this.bankedLr.fill(0);
    this.spsr.fill(0);
    this.usrHigh.fill(0);
    this.fiqHigh.fill(0);
    this.mode = Mode.svc;
    this.cpsr = 0x1d3;
    this.cp15.reset();
    this.cp14.reset();
    this.vfp.reset();
    this.exclusiveAddr = -1;
    this.pendingRt = -1;
    this.exit = null;
    this.branched = false;
    this.lines &= ~LINE_STOP;
    this.r[15] = pc;
  }

  /** Drives the IRQ input (level sensitive). */
  setIrq(level: boolean): void {
    this.lines = level ? this.lines | LINE_IRQ : this.lines & ~LINE_IRQ;
  }

  /** Drives the FIQ input (level sensitive). */
  setFiq(level: boolean): void {
    this.lines = level ? this.lines | LINE_FIQ : this.lines & ~LINE_FIQ;
  }

  /** Attaches (or with null detaches) debug state; call again after changing its watchpoints. */
  attachDebug(debug: CpuDebug | null): void {
    this.debug = debug;
    this.watchData = debug !== null && debug.watchpoints.length > 0;
  }

  /** Makes `run` return a stop exit before its next instruction. */
  requestStop(): void {
    this.lines |= LINE_STOP;
  }

  /** The program counter: the address of the next instruction to execute. */
  get pc(): number {
    return this.r[15]! >>> 0;
  }

  set pc(value: number) {
    this.r[15] = value;
  }

  /**
   * Executes at most `budget` instructions. Returns early on an exit; an MMIO load exit is completed
   * from the data the owner wrote into the exit's `data` at the start of the next call.
   */
  run(budget: number): CpuExit {
    if (this.pendingRt >= 0) this.completeMmioLoad();
    if (this.debug !== null && this.debug.stepping) return this.debug.run(this, budget);
    if (this.jit !== null) return this.jit.run(budget);
    let left = budget;
    for (;;) {
      try {
        while (left > 0) {
          const pending = this.lines & ~(this.masks >>> 6);
          if (pending !== 0) {
            if (pending & LINE_STOP) {
              this.lines &= ~LINE_STOP;
              return STOP_EXIT;
            }
            this.takeInterrupt(pending & LINE_FIQ ? ExceptionKind.fiq : ExceptionKind.irq);
          }
          left--;
          this.step();
          if (this.exit !== null) {
            const exit = this.exit;
            this.exit = null;
            return exit;
          }
        }
        return BUDGET_EXIT;
      } catch (e) {
        if (!(e instanceof GuestException)) throw e;
        this.takeSyncException(e);
      }
    }
  }

  /** Executes one instruction in the current instruction set, counting it as retired. */
  step(): void {
    this.retired++;
    if (this.t) this.stepThumb();
    else this.stepArm();
  }

  /** Executes one A32 instruction. */
  private stepArm(): void {
    const r = this.r;
    const addr = r[15]! & ~3;
    this.insnAddr = addr;
    const off = this.bus.ramOffset(this.pa(addr, Access.fetch), 4);
    if (off < 0) throw new GuestException(ExceptionKind.prefetchAbort, FaultStatus.external, addr);
    const w = this.bus.view.getInt32(off, true);
    r[15] = addr + 8;
    const cond = w >>> 28;
    if (cond >= 14 || conditionPassed(this, cond)) {
      let exec = this.armCache.get(off, w);
      if (exec === undefined) {
        exec = cond === 15 ? decodeA32Unconditional(w) : decodeA32(w);
        this.armCache.set(off, w, exec);
      }
      exec(this, w);
    }
    if (this.branched) this.branched = false;
    else r[15] = addr + 4;
  }

  /** Executes one Thumb instruction (16 or 32 bits), under the IT block if one is open. */
  private stepThumb(): void {
    const r = this.r;
    const addr = r[15]! & ~1;
    this.insnAddr = addr;
    const off = this.bus.ramOffset(this.pa(addr, Access.fetch), 2);
    if (off < 0) throw new GuestException(ExceptionKind.prefetchAbort, FaultStatus.external, addr);
    const hw1 = this.bus.view.getUint16(off, true);
    const wide = hw1 >= 0xe800;
    const w = wide ? (hw1 << 16) | this.fetch16(addr + 2) : hw1;
    r[15] = addr + 4;
    const it = this.it;
    if (it === 0 || conditionPassed(this, it >>> 4)) {
      let exec = this.thumbCache.get(off, w);
      if (exec === undefined) {
        exec = wide ? decodeT32(w) : decodeT16(w);
        this.thumbCache.set(off, w, exec);
      }
      exec(this, w);
    }
    if (it !== 0) this.it = (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
    if (this.branched) this.branched = false;
    else r[15] = addr + (wide ? 4 : 2);
  }

  /** Fetches an instruction word; outside RAM it is a prefetch abort. */
  fetch32(va: number): number {
    const off = this.bus.ramOffset(this.pa(va, Access.fetch), 4);
    if (off < 0) throw new GuestException(ExceptionKind.prefetchAbort, FaultStatus.external, va);
    return this.bus.view.getInt32(off, true);
  }

  /** Fetches a Thumb halfword; outside RAM it is a prefetch abort. */
  fetch16(va: number): number {
    const off = this.bus.ramOffset(this.pa(va, Access.fetch), 2);
    if (off < 0) throw new GuestException(ExceptionKind.prefetchAbort, FaultStatus.external, va);
    return this.bus.view.getUint16(off, true);
  }

  /** Writes the PC as a branch in the current instruction set. */
  branchTo(target: number): void {
    this.r[15] = this.t ? target & ~1 : target & ~3;
    this.branched = true;
  }

  /** Writes the PC as BX does: bit 0 selects Thumb. */
  bxWritePc(target: number): void {
    if (target & 1) {
      this.t = 1;
      this.r[15] = target & ~1;
    } else {
      this.t = 0;
      this.r[15] = target & ~3;
    }
    this.branched = true;
  }

  /** Returns from an exception: CPSR from `spsr`, then the PC. */
  exceptionReturn(target: number, spsr: number): void {
    this.cpsr = sanitizeSpsr(spsr, this.mode);
    this.r[15] = this.t ? target & ~1 : target & ~3;
    this.branched = true;
  }

  /** True when running at PL0. */
  get user(): boolean {
    return this.mode === Mode.usr;
  }

  // ---- data memory -------------------------------------------------------------------------------

  /** RAM offset for a data access that must hit RAM (multi-register and exclusive accesses). */
  private dataOffset(va: number, size: number, write: boolean): number {
    if (this.watchData) this.debug!.checkAccess(va, size, write);
    const off = this.bus.ramOffset(this.pa(va, write ? Access.write : Access.read), size);
    if (off < 0) throw this.dataAbort(FaultStatus.external, va, write);
    if (write && this.jit !== null) this.jit.noteWrite(off, size);
    return off;
  }

  /** The data abort for a fault at `va`. */
  dataAbort(fs: number, va: number, write: boolean): GuestException {
    return new GuestException(ExceptionKind.dataAbort, fs | (write ? 1 << 11 : 0), va);
  }

  /** Raises an alignment fault unless `va` is a multiple of `align`. */
  checkAlign(va: number, align: number, write: boolean): void {
    if ((va & (align - 1)) !== 0) throw this.dataAbort(FaultStatus.alignment, va, write);
  }

  /** Reads a word that must be RAM. */
  read32(va: number): number {
    if (this.crosses(va, 4)) return this.read16(va) | (this.read16(va + 2) << 16);
    return this.bus.view.getInt32(this.dataOffset(va, 4, false), true);
  }

  /** Reads a halfword that must be RAM. */
  read16(va: number): number {
    if (this.crosses(va, 2)) return this.read8(va) | (this.read8(va + 1) << 8);
    return this.bus.view.getUint16(this.dataOffset(va, 2, false), true);
  }

  /** Reads a byte that must be RAM. */
  read8(va: number): number {
    return this.bus.ram[this.dataOffset(va, 1, false)]!;
  }

  /** Writes a word that must be RAM. */
  write32(va: number, value: number): void {
    if (this.crosses(va, 4)) {
      this.dataOffset(va + 3, 1, true); // both pages must be writable before either is written
      this.write16(va, value);
      this.write16(va + 2, value >>> 16);
      return;
    }
    this.bus.view.setInt32(this.dataOffset(va, 4, true), value, true);
  }

  /** Writes a halfword that must be RAM. */
  write16(va: number, value: number): void {
    if (this.crosses(va, 2)) {
      this.dataOffset(va + 1, 1, true);
      this.write8(va, value);
      this.write8(va + 1, value >>> 8);
      return;
    }
    this.bus.view.setUint16(this.dataOffset(va, 2, true), value & 0xffff, true);
  }

  /** Writes a byte that must be RAM. */
  write8(va: number, value: number): void {
    this.bus.ram[this.dataOffset(va, 1, true)] = value;
  }

  /**
   * A single load into `rt` (and `rt2` for a doubleword): from RAM now, or from MMIO through an
   * exit whose data lands in the registers when the owner runs the CPU again.
   */
  load(va: number, size: 1 | 2 | 4 | 8, signed: boolean, rt: number, rt2 = -1): void {
    if (this.watchData) this.debug!.checkAccess(va, size, false);
    if (this.cp15.sctlr & 2 && size !== 8) this.checkAlign(va, size, false); // SCTLR.A: strict alignment
    if (this.crosses(va, size)) {
      this.loadSplit(va, size, signed, rt, rt2);
      return;
    }
    const pa = this.pa(va, Access.read);
    const off = this.bus.ramOffset(pa, size);
    if (off >= 0) {
      const view = this.bus.view;
      if (size === 4) this.writeLoaded(rt, view.getInt32(off, true));
      else if (size === 1) this.writeLoaded(rt, signed ? view.getInt8(off) : view.getUint8(off));
      else if (size === 2)
        this.writeLoaded(rt, signed ? view.getInt16(off, true) : view.getUint16(off, true));
      else {
        this.writeLoaded(rt, view.getInt32(off, true));
        this.writeLoaded(rt2, view.getInt32(off + 4, true));
      }
      return;
    }
    this.pendingRt = rt;
    this.pendingRt2 = rt2;
    this.pendingSize = size;
    this.pendingSigned = signed;
    this.mmioData.fill(0);
    this.exit = { kind: 'mmio', address: pa, size, isWrite: false, data: this.mmioData };
  }

  /** A load that crosses a page with the MMU on: done in RAM-only pieces. */
  private loadSplit(va: number, size: 1 | 2 | 4 | 8, signed: boolean, rt: number, rt2: number): void {
    if (size === 8) {
      const lo = this.read32(va);
      const hi = this.read32(va + 4);
      this.writeLoaded(rt, lo);
      this.writeLoaded(rt2, hi);
    } else if (size === 4) this.writeLoaded(rt, this.read32(va));
    else {
      const v = this.read16(va);
      this.writeLoaded(rt, signed ? (v << 16) >> 16 : v);
    }
  }

  /** A single store of `value` (and `value2`, the high word of a doubleword), to RAM or MMIO. */
  store(va: number, size: 1 | 2 | 4 | 8, value: number, value2 = 0): void {
    if (this.watchData) this.debug!.checkAccess(va, size, true);
    if (this.cp15.sctlr & 2 && size !== 8) this.checkAlign(va, size, true);
    if (this.crosses(va, size)) {
      if (size === 8) {
        this.dataOffset(va + 7, 1, true);
        this.write32(va, value);
        this.write32(va + 4, value2);
      } else if (size === 4) this.write32(va, value);
      else this.write16(va, value);
      return;
    }
    const pa = this.pa(va, Access.write);
    const off = this.bus.ramOffset(pa, size);
    const view = off >= 0 ? this.bus.view : this.mmioView;
    const at = Math.max(off, 0);
    if (size === 4) view.setInt32(at, value, true);
    else if (size === 1) view.setUint8(at, value & 0xff);
    else if (size === 2) view.setUint16(at, value & 0xffff, true);
    else {
      view.setInt32(at, value, true);
      view.setInt32(at + 4, value2, true);
    }
    if (off < 0) {
      // the buffer is shared, as kvm_run.mmio.data is: the owner reads it before the next run (a
      // copy per store cost more than the rest of the exit)
      this.exit = { kind: 'mmio', address: pa, size, isWrite: true, data: this.mmioData };
    } else if (this.jit !== null) this.jit.noteWrite(off, size);
  }

  /** Writes a loaded value to a register; a load to the PC branches with interworking. */
  private writeLoaded(rt: number, value: number): void {
    if (rt === 15) this.bxWritePc(value);
    else this.r[rt] = value;
  }

  completeMmioLoad(): void {
    const v = this.mmioView;
    const size = this.pendingSize;
    const signed = this.pendingSigned;
    let value: number;
    if (size === 1) value = signed ? v.getInt8(0) : v.getUint8(0);
    else if (size === 2) value = signed ? v.getInt16(0, true) : v.getUint16(0, true);
    else value = v.getInt32(0, true);
    const rt = this.pendingRt;
    this.pendingRt = -1;
    if (rt === 15) {
      // the load's instruction already advanced the PC; the loaded value replaces it
      this.bxWritePc(value);
      this.branched = false;
    } else this.r[rt] = value;
    if (size === 8 && this.pendingRt2 >= 0) this.r[this.pendingRt2] = v.getInt32(4, true);
  }

  // ---- exceptions --------------------------------------------------------------------------------

  /** Takes a synchronous exception raised by the instruction at `insnAddr`. */
  takeSyncException(e: GuestException): void {
    this.branched = false;
    this.exit = null;
    if (e.kind === ExceptionKind.dataAbort || e.kind === ExceptionKind.prefetchAbort) {
      // TTBCR.EAE selects the fault status format of every abort, not only the MMU's
      const fsr = this.cp15.longDescriptors ? longFaultStatus(e.fsr) : e.fsr;
      if (e.kind === ExceptionKind.dataAbort) {
        this.cp15.dfsr = fsr;
        this.cp15.dfar = e.far;
      } else {
        this.cp15.ifsr = fsr;
        this.cp15.ifar = e.far;
      }
    }
    this.enter(e.kind, exceptionLr(e.kind, this.insnAddr, this.t));
    this.branched = false;
  }

  /** Takes an IRQ or FIQ before the instruction at the PC. */
  takeInterrupt(kind: ExceptionKindValue): void {
    this.enter(kind, exceptionLr(kind, this.r[15]!, this.t));
  }

  /** Takes an exception whose LR is already known: sets the PC to its vector. */
  enter(kind: ExceptionKindValue, lr: number): void {
    this.exclusiveAddr = -1;
    const debug = this.debug;
    if (debug === null) {
      this.r[15] = enterException(this, kind, lr, this.cp15.sctlr, this.cp15.vbar);
      return;
    }
    const from = this.cpsr;
    const at = kind === ExceptionKind.irq || kind === ExceptionKind.fiq ? this.r[15]! : this.insnAddr;
    this.r[15] = enterException(this, kind, lr, this.cp15.sctlr, this.cp15.vbar);
    debug.exceptionTaken(this, kind, at, from);
  }

  /** True while an interrupt line is asserted, masked or not (WFI wakes on either). */
  get interruptAsserted(): boolean {
    return (this.lines & (LINE_IRQ | LINE_FIQ)) !== 0;
  }

  /** Leaves `run` with a WFI exit unless an interrupt is already asserted. */
  waitForInterrupt(): void {
    if (!this.interruptAsserted) this.exit = WFI_EXIT;
  }
}

/** An SPSR value made safe to write to CPSR: an invalid mode field keeps the current mode. */
function sanitizeSpsr(spsr: number, mode: number): number {
  const m = spsr & 0x1f;
  const valid =
    m === 0x10 || m === 0x11 || m === 0x12 || m === 0x13 || m === 0x17 || m === 0x1b || m === 0x1f;
  return valid ? spsr : (spsr & ~0x1f) | mode;
}
