/**
 * The CPU under a debugger or a tracer: what real debug hardware gives an external debugger
 * (breakpoints on instruction addresses, watchpoints on data addresses, single step, BKPT routed to
 * the debugger) and what a tracer wants to see (each exception, each block of code). A `Cpu` with no
 * `CpuDebug` attached runs its fast path untouched; with one that needs per-instruction checks,
 * `Cpu.run` hands over to `CpuDebug.run`, which steps the interpreter one instruction at a time.
 */
import { type CpuContext, LINE_FIQ, LINE_STOP } from './cpu-context.ts';
import { ExceptionKind, type ExceptionKindValue, GuestException } from './system/exceptions.ts';
import { BUDGET_EXIT, type CpuExit, type DebugExit, STOP_EXIT } from './exit.ts';
import { decodeBlock, DecodePool, MAX_DECODED } from './jit/block-interpreter.ts';
import { insnSize } from './jit/block.ts';
import { Access } from './system/mmu.ts';

/** A watched range of data addresses (virtual), and which accesses trigger it. */
export interface Watchpoint {
  readonly address: number;
  readonly length: number;
  readonly onRead: boolean;
  readonly onWrite: boolean;
}

/** An exception as the CPU takes it, for a tracer (`-d int`). */
export interface ExceptionReport {
  readonly kind: ExceptionKindValue;
  /** The address of the instruction that raised it, or the next one for IRQ/FIQ. */
  readonly pc: number;
  /** CPSR before the exception. */
  readonly fromCpsr: number;
  /** CPSR after entry (the new mode). */
  readonly toCpsr: number;
  /** Where the handler starts. */
  readonly vector: number;
  readonly dfsr: number;
  readonly dfar: number;
  readonly ifsr: number;
  readonly ifar: number;
}

/** A block of guest code about to run in stepping mode, for a tracer (`-d exec`, `-d in_asm`). */
export interface BlockReport {
  readonly pc: number;
  readonly thumb: boolean;
  readonly mode: number;
  /** The block's instruction words, given the first time this address is seen (else null). */
  readonly words: readonly number[] | null;
  /** Each instruction's size in bytes, beside `words`. */
  readonly sizes: readonly number[] | null;
}

/** Thrown by a data access that hits a watchpoint; the stepping loop undoes the instruction. */
class WatchpointHit {
  readonly address: number;
  readonly write: boolean;
  constructor(address: number, write: boolean) {
    this.address = address;
    this.write = write;
  }
}

/** Debug state of one CPU: set its fields, then `cpu.debug = this` (or `cpu.attachDebug`). */
export class CpuDebug {
  /** Hardware breakpoints: stop before executing an instruction at one of these virtual addresses. */
  readonly breakpoints = new Set<number>();
  /** Hardware watchpoints: stop before an access to one of these ranges completes. */
  watchpoints: readonly Watchpoint[] = [];
  /** Stop after each instruction (interrupts stay pending while stepping, as QEMU's gdbstub does). */
  singleStep = false;
  /** BKPT stops the CPU with a debug exit instead of raising a prefetch abort in the guest. */
  trapBkpt = false;
  /** Told of every exception taken. */
  onException: ((report: ExceptionReport) => void) | null = null;
  /** Told of each block of code before it runs (stepping mode only). */
  onBlock: ((report: BlockReport) => void) | null = null;
  /** Block addresses already reported with their instructions. */
  readonly #seen = new Set<number>();
  /** Where the blocks it reports are decoded. */
  readonly #pool = new DecodePool(MAX_DECODED);

  /** True when the CPU must step instructions one at a time for this state to work. */
  get stepping(): boolean {
    return (
      this.singleStep || this.breakpoints.size > 0 || this.watchpoints.length > 0 || this.onBlock !== null
    );
  }

  /** Called by the CPU's data accesses while watchpoints are set. */
  checkAccess(va: number, size: number, write: boolean): void {
    for (const w of this.watchpoints) {
      if (!(write ? w.onWrite : w.onRead)) continue;
      const a = va >>> 0;
      if (a < w.address + w.length && w.address < a + size) throw new WatchpointHit(a, write);
    }
  }

  /** Called by the CPU as it takes an exception (`fromCpsr` before entry, the CPU already in the handler's mode). */
  exceptionTaken(cpu: CpuContext, kind: ExceptionKindValue, pc: number, fromCpsr: number): void {
    const c = cpu.cp15;
    this.onException?.({
      kind,
      pc: pc >>> 0,
      fromCpsr: fromCpsr >>> 0,
      toCpsr: cpu.cpsr >>> 0,
      vector: cpu.r[15]! >>> 0,
      dfsr: c.dfsr >>> 0,
      dfar: c.dfar >>> 0,
      ifsr: c.ifsr >>> 0,
      ifar: c.ifar >>> 0,
    });
  }

  /** BKPT executed: a debug exit when routed to the debugger (true), else the guest's prefetch abort. */
  takeBkpt(cpu: CpuContext): boolean {
    if (!this.trapBkpt) return false;
    const pc = cpu.insnAddr >>> 0;
    cpu.exit = debugExit('bkpt', pc, pc, false);
    cpu.branchTo(pc); // the BKPT has not run: the PC stays on it
    return true;
  }

  /** Forgets which blocks were reported (after guest code changed). */
  forgetBlocks(): void {
    this.#seen.clear();
  }

  /** `Cpu.run` in stepping mode: at most `budget` instructions, with every check before and after each. */
  run(cpu: CpuContext, budget: number): CpuExit {
    let left = budget;
    let blockStart = true;
    const stepOnce = this.singleStep;
    for (;;) {
      if (left <= 0) return BUDGET_EXIT;
      const pending = cpu.lines & ~(cpu.masks >>> 6);
      if (pending & LINE_STOP) {
        cpu.lines &= ~LINE_STOP;
        return STOP_EXIT;
      }
      if (pending !== 0 && !stepOnce) {
        cpu.takeInterrupt(pending & LINE_FIQ ? ExceptionKind.fiq : ExceptionKind.irq);
        blockStart = true;
      }
      const thumb = cpu.t !== 0;
      const pc = (cpu.r[15]! & (thumb ? ~1 : ~3)) >>> 0;
      if (this.breakpoints.has(pc)) return debugExit('breakpoint', pc, pc, false);
      if (blockStart && this.onBlock !== null) this.#reportBlock(cpu, pc, thumb);
      left--;
      try {
        cpu.step();
      } catch (e) {
        if (e instanceof WatchpointHit) {
          // stop before the access, as ARM's watchpoints do: the instruction has not happened
          cpu.retired--;
          cpu.branched = false;
          cpu.exit = null;
          cpu.r[15] = cpu.insnAddr;
          return debugExit('watchpoint', cpu.insnAddr >>> 0, e.address, e.write);
        }
        if (!(e instanceof GuestException)) throw e;
        cpu.takeSyncException(e);
      }
      if (cpu.exit !== null) {
        const exit = cpu.exit;
        cpu.exit = null;
        return exit;
      }
      const next = cpu.r[15]! >>> 0;
      const d = next - pc;
      blockStart = cpu.t !== (thumb ? 1 : 0) || !(d === 4 || (thumb && d === 2));
      if (stepOnce) return debugExit('step', next, next, false);
    }
  }

  #reportBlock(cpu: CpuContext, pc: number, thumb: boolean): void {
    const key = pc + (thumb ? 1 : 0);
    let words: number[] | null = null;
    let sizes: number[] | null = null;
    if (!this.#seen.has(key)) {
      this.#seen.add(key);
      try {
        const off = cpu.bus.ramOffset(cpu.pa(pc, Access.fetch), 2);
        const block = off < 0 ? null : decodeBlock(cpu.bus, off, thumb ? 1 : 0, this.#pool);
        if (block !== null) {
          const mine = block.words.subarray(block.at, block.at + block.count);
          words = Array.from(mine, (w) => w >>> 0);
          sizes = Array.from(mine, (w) => insnSize(w, thumb ? 1 : 0));
        }
      } catch {
        // the fetch will fault when the instruction runs; the tracer sees the exception then
      }
    }
    this.onBlock!({ pc, thumb, mode: cpu.mode, words, sizes });
  }
}

/** A debug exit (the PC is where the CPU stands: on a breakpoint, after a step). */
function debugExit(reason: DebugExit['reason'], pc: number, address: number, write: boolean): DebugExit {
  return { kind: 'debug', reason, pc, address, write };
}
