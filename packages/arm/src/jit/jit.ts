/**
 * The dispatcher: runs translated blocks instead of single instructions. Between blocks it checks
 * the budget, the interrupt lines and the stop request, then looks the PC up (or follows the link
 * the last block returned). It steps the interpreter where blocks do not fit: too little budget
 * left for a whole block, an IT block in progress, or code it cannot translate.
 */
import type { GuestTranslator, TranslatorFactory, TranslatorStatistics } from '../guest-translator.ts';
import { changedDomains } from '../system/cp15.ts';
import { type CpuContext, LINE_FIQ, LINE_STOP } from '../cpu-context.ts';
import { ExceptionKind, GuestException } from '../system/exceptions.ts';
import { BUDGET_EXIT, type CpuExit, STOP_EXIT } from '../exit.ts';
import { Access, TlbOp } from '../system/mmu.ts';
import { Mode } from '../system/modes.ts';
import { Block, type BlockRun } from './block.ts';
import { BlockCache } from './block-cache.ts';
import { CHUNK_SHIFT, CodeWatch } from './code-watch.ts';
import { decodeBlock, DecodePool, interpretBlock } from './block-interpreter.ts';
import { JumpCache } from './jump-cache.ts';
import { SoftTlb } from './soft-tlb.ts';
import { assemble, BLOCK_BUDGET, compile, type TranslatorEnv } from './translator.ts';

/**
 * Runs after which a block is compiled to JavaScript. Compiling costs V8 as much as interpreting a
 * block some thousand times, and most kernel code runs far fewer times than that. (Shell boot to the
 * prompt, interleaved runs, on one machine: 2000 runs 11.3 s, 3000 10.8 s, 4500 10.5 s, 6500 10.4 s,
 * 9000 10.5 s; on another: 3500 11.2-11.4 s, 6500 10.9-11.1 s, 9000 11.1-11.2 s, 12000 10.4-10.7 s,
 * 15000 11.0-11.3 s, 20000 11.0-11.1 s, 40000 11.7-12.0 s, with less CPU spent compiling.)
 */
export const COMPILE_AFTER = 12000;
/** Runs of a compiled block after which the dispatcher looks for a hot loop starting at it. */
const HOT_AFTER_COMPILE = 2000;
/** Linked blocks a block may run itself, nested, before returning to the dispatcher. */
const HOPS = 8;
/** Most basic blocks and guest instructions in one hot loop function. */
const HOT_LOOP_BLOCKS = 4;
const HOT_LOOP_INSNS = 96;

/** The translator, its caches and the loop that runs their blocks, for one CPU. */
export class Jit implements GuestTranslator {
  /** Blocks by physical address, and the map of RAM holding code. */
  readonly cache: BlockCache;
  /** Virtual page → RAM offset for the generated loads and stores. */
  readonly tlb = new SoftTlb();
  /** Hot loops compiled into one function (for tests and statistics). */
  hotLoops = 0;
  /** Host milliseconds spent compiling blocks to JavaScript (for statistics). */
  compileMs = 0;
  /**
   * Set by every compiled block as it leaves: whether an access missed the soft TLB (-1: none, 0: a
   * load, 1: a store) and its address. The dispatcher fills that page, then steps the instruction.
   */
  missKind = -1;
  missVa = 0;
  /** Counts changes to translation (registers, TLB maintenance, DACR), for cached successors. */
  private translationEpoch = 0;
  /** Blocks by virtual address, for the dispatcher's lookups. */
  private readonly jumps = new JumpCache();
  /** Per privilege level (1 for PL0), the DACR its cached addresses agree with. */
  private readonly levelDacr = [0, 0];
  private readonly cpu: CpuContext;
  private readonly env: TranslatorEnv;
  /** Runs of a block before it is compiled. */
  private readonly compileAfter: number;
  /** The `run` of every block not compiled yet. */
  private readonly runDecoded: BlockRun;
  /** Where blocks keep their decoded instructions. */
  private readonly pool = new DecodePool();
  /** Runs of a block before it is considered for a hot loop. */
  private readonly hot: number;

  constructor(cpu: CpuContext, compileAfter = COMPILE_AFTER) {
    this.cpu = cpu;
    // one function for every interpreted block (called as its method), rather than a closure per
    // block: the dispatcher's call then has one target until blocks are compiled, and an interpreted
    // block is a single small object to bring into the cache
    this.runDecoded = interpretedRun(this);
    this.compileAfter = Math.max(1, compileAfter);
    this.hot = this.compileAfter + HOT_AFTER_COMPILE;
    this.cache = new BlockCache(cpu.bus.ramSize, CodeWatch.of(cpu.bus));
    this.env = {
      bus: cpu.bus,
      jit: this,
      readTag: this.tlb.readTag,
      readOff: this.tlb.readOff,
      writeTag: this.tlb.writeTag,
      writeOff: this.tlb.writeOff,
      codeMap: this.cache.watch.codeMap,
      link: (from, links, exit, target, thumb) => this.link(from, links, exit, target, thumb),
      follow: followLink,
    };
    cpu.bus.writeListeners.push((off, size) => this.noteWrite(off, size));
  }

  /** What it has done so far. */
  statistics(): TranslatorStatistics {
    return {
      blocksDecoded: this.cache.translations,
      blocksCompiled: this.cache.compilations,
      compileMs: this.compileMs,
    };
  }

  /** Translation registers or TLB maintenance changed translation: forget cached addresses. */
  translationChanged(): void {
    this.translationEpoch++;
    this.tlb.flush();
    this.jumps.flush();
    this.levelDacr[0] = this.levelDacr[1] = this.cpu.cp15.dacr;
  }

  /**
   * A TLB maintenance operation (`TlbOp`, with the value written) changed what the MMU holds:
   * forgets what the address caches hold that it may concern.
   */
  tlbMaintenance(op: number, value: number): void {
    this.translationEpoch++;
    if (op === TlbOp.mva || op === TlbOp.mvaAllAsids) {
      // the caches hold the current ASID's and global entries; either may be this page's
      if (this.tlb.large.covers(value)) this.tlb.flush();
      else this.tlb.dropPage(value);
      this.jumps.dropPage(value);
    } else if (op !== TlbOp.asid || (value & 0xff) === this.cpu.cp15.asid) {
      this.translationChanged(); // TLBIALL, or TLBIASID of the address space in use
    }
  }

  /**
   * DACR changed the access to the `changed` domains: drops the current level's cached addresses in
   * them. The other level's are checked when the CPU returns to it, so a kernel that opens user
   * access around each copy does not empty the user level's caches.
   */
  domainsChanged(changed: number): void {
    this.translationEpoch++;
    const level = this.cpu.mode === Mode.usr ? 1 : 0;
    this.tlb.dropDomains(level, changed);
    this.jumps.dropDomains(level, changed);
    this.levelDacr[level] = this.cpu.cp15.dacr;
  }

  /** The CPU moved between PL0 and PL1 (`user`): cached addresses of the new level apply. */
  privilegeChanged(user: boolean): void {
    const dacr = this.cpu.cp15.dacr;
    const level = user ? 1 : 0;
    this.levelDacr[1 - level] = dacr; // the level left was kept up to date with DACR
    const changed = changedDomains(this.levelDacr[level]!, dacr);
    if (changed !== 0) {
      this.tlb.dropDomains(level, changed);
      this.jumps.dropDomains(level, changed);
      this.levelDacr[level] = dacr;
    }
    this.tlb.setPrivilege(user);
  }

  /** A write of `size` bytes at RAM offset `off` through the CPU: drops translations it overwrites. */
  noteWrite(off: number, size: number): void {
    const map = this.cache.watch.codeMap;
    if (size > 8 || map[off >>> CHUNK_SHIFT]! | map[(off + size - 1) >>> CHUNK_SHIFT]!) {
      this.cache.watch.written(off, size);
    }
  }

  /** `Cpu.run` with translation: the same exits, retired counts and exceptions as the interpreter. */
  run(budget: number): CpuExit {
    const cpu = this.cpu;
    const end = cpu.retired + budget;
    let next: Block | null = null;
    for (;;) {
      try {
        for (;;) {
          const left = end - cpu.retired;
          if (left <= 0) return BUDGET_EXIT;
          const pending = cpu.lines & ~(cpu.masks >>> 6);
          if (pending !== 0) {
            if (pending & LINE_STOP) {
              cpu.lines &= ~LINE_STOP;
              return STOP_EXIT;
            }
            cpu.takeInterrupt(pending & LINE_FIQ ? ExceptionKind.fiq : ExceptionKind.irq);
            next = null;
          }
          let block: Block | null = next;
          if (block === null && this.missKind !== -1) {
            // a compiled block left before an access it could not make from the soft TLB: fill the
            // page for next time and step that instruction (its block may start with it)
            this.refill();
            cpu.step();
            if (cpu.exit !== null) return this.takeExit();
            continue;
          }
          if (block === null || !block.valid) {
            block = this.lookup();
            if (block === null) {
              next = null;
              cpu.step();
              if (cpu.exit !== null) return this.takeExit();
              continue;
            }
            if (left < BLOCK_BUDGET || cpu.it !== 0 || block.decoded === null) {
              // the compiled form needs a whole block of budget and starts outside IT blocks:
              // interpret what fits instead
              next = null;
              this.interpret(block, left);
              if (cpu.exit !== null) return this.takeExit();
              continue;
            }
          }
          if (block.hits < this.hot && block.source !== null && ++block.hits === this.hot)
            this.promote(block);
          next = block.run(cpu, left, HOPS, block.entry);
          // A block that returns a linked successor left through a static branch: no exit, no change
          // to the interrupt masks or ITSTATE, and the lines only change between runs. So follow the
          // chain with nothing but the budget to check.
          while (next !== null) {
            const rest = end - cpu.retired;
            if (rest < BLOCK_BUDGET || !next.valid) break;
            if (next.hits < this.hot && next.source !== null && ++next.hits === this.hot) this.promote(next);
            next = next.run(cpu, rest, HOPS, next.entry);
          }
          if (cpu.exit !== null) return this.takeExit();
          if (next !== null && (end - cpu.retired < BLOCK_BUDGET || cpu.it !== 0)) next = null;
        }
      } catch (e) {
        if (!(e instanceof GuestException)) throw e;
        next = null;
        cpu.takeSyncException(e);
      }
    }
  }

  /** Fills the soft TLB for the page a compiled block's access missed, as its permissions allow. */
  private refill(): void {
    const write = this.missKind === 1;
    this.missKind = -1;
    this.tlb.fill(this.cpu, this.missVa, write);
  }

  /**
   * The block a static exit of `from` leads to: linked for good when the target is on the same
   * virtual page (so the same physical page), else null to look it up by address.
   */
  link(from: Block, links: (Block | null)[], exit: number, target: number, thumb: number): Block | null {
    if (((target ^ from.va) & ~0xfff) !== 0) return null;
    const off = (from.off & ~0xfff) | (target & 0xfff);
    const block = this.cache.get(off, thumb, target) ?? this.translateAt(off, target, thumb);
    links[exit] = block;
    return block;
  }

  /**
   * Turns a hot block into a loop function when it heads a small loop: the hot blocks its static
   * exits reach on the same page (each run at least half as often), if one of them branches back to
   * it. Branches among them then stay inside one function. Large functions are left alone: they take
   * long to optimize, each cold path a hot one runs into sends it back to the slow tiers, and
   * compiling every hot block of a page into one function was measured slower on a Linux boot.
   */
  private promote(entry: Block): void {
    if (entry.source === null || loopsAlone(entry)) return;
    const members = [entry];
    const seen = new Set([entry.va]);
    const floor = entry.hits >>> 1;
    let insns = entry.source.count;
    for (let i = 0; i < members.length; i++) {
      for (const exit of members[i]!.source!.exits) {
        if (exit.thumb !== (entry.thumb === 1) || seen.has(exit.target)) continue;
        if (((exit.target ^ entry.va) & ~0xfff) !== 0) continue;
        const b = this.cache.get((entry.off & ~0xfff) | (exit.target & 0xfff), entry.thumb, exit.target);
        if (b === undefined || !b.valid || b.source === null || b.hits < floor || loopsAlone(b)) continue;
        if (members.length === HOT_LOOP_BLOCKS || insns + b.source.count > HOT_LOOP_INSNS) continue;
        seen.add(exit.target);
        members.push(b);
        insns += b.source.count;
      }
    }
    const loops = members.some((m, i) => i > 0 && m.source!.exits.some((e) => e.target === entry.va));
    if (!loops) return;
    // in address order, so a block that falls into the next one runs straight on
    members.sort((x, y) => x.va - y.va);
    const started = performance.now();
    entry.run = assemble(
      this.env,
      entry,
      members.map((b) => b.source!),
    );
    this.compileMs += performance.now() - started;
    entry.entry = members.indexOf(entry);
    this.hotLoops++;
  }

  /** The block at the PC, translated now if need be; null when the PC is not plain RAM or faults. */
  private lookup(): Block | null {
    const cpu = this.cpu;
    const thumb = cpu.t;
    const va = thumb ? cpu.r[15]! & ~1 : cpu.r[15]! & ~3;
    const level = cpu.mode === Mode.usr ? 1 : 0;
    const hit = this.jumps.get(level, va, thumb);
    if (hit !== null) return hit;
    const block = this.find(va, thumb);
    if (block !== null) {
      this.jumps.set(
        level,
        va,
        thumb,
        block,
        cpu.mmuOn ? cpu.mmu.lastSpan : 12,
        cpu.mmuOn ? cpu.mmu.lastDomain : 0,
      );
    }
    return block;
  }

  /** The block at virtual address `va` by a full translation and lookup (or a new one). */
  private find(va: number, thumb: number): Block | null {
    const cpu = this.cpu;
    let pa: number;
    if (!cpu.mmuOn) pa = va >>> 0;
    else {
      try {
        pa = cpu.mmu.translate(va, Access.fetch, cpu.mode === Mode.usr);
      } catch {
        return null; // the interpreter takes the prefetch abort with the right counts
      }
    }
    const off = cpu.bus.ramOffset(pa, 4);
    if (off < 0) return null;
    return this.cache.get(off, thumb, va) ?? this.translateAt(off, va, thumb);
  }

  /** The block at `va` (instruction set `thumb`) on the same page of the same mapping as `from`. */
  private sameRegion(from: Block, va: number, thumb: number): Block {
    const off = (from.off & ~0xfff) | (va & 0xfff);
    return this.cache.get(off, thumb, va) ?? this.translateAt(off, va, thumb);
  }

  /** Runs up to `limit` instructions of `block` one by one (a page-crossing one is stepped). */
  private interpret(block: Block, limit: number): void {
    if (block.decoded === null) this.cpu.step();
    else interpretBlock(this.cpu, block, block.decoded, limit);
  }

  /**
   * A new block for the code at RAM offset `off` entered at `va`, run by the block interpreter until
   * it has run `compileAfter` times, then compiled in place (links to it stay good). A Thumb-2
   * instruction that crosses into the next page makes a block of its own that steps it, fetching
   * both halves through the MMU each time, since the next page may be mapped anywhere.
   */
  private translateAt(off: number, va: number, thumb: number): Block {
    const decoded = decodeBlock(this.cpu.bus, off, thumb, this.pool);
    const block = new Block(off, va, thumb, decoded);
    block.run = decoded === null ? stepOne : this.runDecoded;
    this.cache.add(block);
    return block;
  }

  /**
   * Runs a block not compiled yet (`BlockRun`): interprets it, or compiles it once it has run
   * `compileAfter` times. Returns the block that follows on the same page when the dispatcher would
   * find nothing to do between the two, so it need not look the PC up.
   */
  interpretAndFollow(block: Block, cpu: CpuContext, left: number, hops: number): Block | null {
    if (++block.hits === this.compileAfter && block.valid && this.compileBlock(block)) {
      return block.run(cpu, left, hops, 0);
    }
    const epoch = this.translationEpoch;
    const mode = cpu.mode;
    const masks = cpu.masks;
    interpretBlock(cpu, block, block.decoded!, left);
    // the next block runs without the dispatcher when nothing it checks can have changed
    if (cpu.exit !== null || cpu.it !== 0 || epoch !== this.translationEpoch) return null;
    if (cpu.mode !== mode || cpu.masks !== masks || !block.valid) return null;
    const t = cpu.t;
    const target = cpu.r[15]! | t;
    if (((target ^ block.va) & ~0xfff) !== 0) return null; // another page may be mapped anywhere
    let next = block.succ0;
    if (next !== null && (next.va | next.thumb) === target && next.valid) return next;
    next = block.succ1;
    if (next !== null && (next.va | next.thumb) === target && next.valid) return next;
    next = this.sameRegion(block, target & ~1, t);
    block.succ1 = block.succ0;
    block.succ0 = next;
    return next;
  }

  /** Compiles a block the interpreter found hot; false when it stays interpreted. */
  private compileBlock(block: Block): boolean {
    const started = performance.now();
    const compiled = compile(this.env, block);
    this.compileMs += performance.now() - started;
    if (!compiled) return false;
    this.cache.watch.mark(block.off, block.source!.end);
    this.cache.compilations++;
    return true;
  }

  private takeExit(): CpuExit {
    const cpu = this.cpu;
    const exit = cpu.exit!;
    cpu.exit = null;
    return exit;
  }
}

/** The `run` shared by `jit`'s interpreted blocks: `this` is the block it is called on. */
function interpretedRun(jit: Jit): BlockRun {
  return function (this: Block, cpu: CpuContext, left: number, hops: number) {
    return jit.interpretAndFollow(this, cpu, left, hops);
  };
}

/**
 * Runs linked block `l` for a compiled block. One call site for every link, so V8 sees many targets
 * here and never specialises a compiled block to one target (which a recompiled or newly compiled
 * target would then undo).
 */
function followLink(l: Block, cpu: CpuContext, left: number, hops: number): Block | null {
  return l.run(cpu, left, hops, l.entry);
}

/** The `run` of a block of one page-crossing Thumb-2 instruction: steps it. */
function stepOne(cpu: CpuContext): null {
  cpu.step();
  return null;
}

/** True when a block branches to its own start: it already loops inside its function. */
function loopsAlone(block: Block): boolean {
  return block.source!.exits.some((e) => e.target === block.va && e.thumb === (block.thumb === 1));
}

/**
 * The translator a CPU is given to run translated code: blocks are interpreted from their decoded
 * instructions, then compiled after `compileAfter` runs (1 compiles at once).
 */
export function jitTranslator(compileAfter = COMPILE_AFTER): TranslatorFactory {
  return (cpu) => new Jit(cpu, compileAfter);
}
