/**
 * The block translator: reads guest instructions from one physical page, from an entry point until
 * a branch, an instruction that may change how the following code must run, the page end or a
 * length limit, and writes one JavaScript function for them. Instructions the emitters know become
 * inline code; every other one calls its table executor, exactly as the interpreter would.
 *
 * Between calls, guest state lives in the CPU (registers in `cpu.r`, flags in `cpu.n/z/c/v`); inside
 * a function the registers it uses are locals (`guest-locals.ts`), written back before any executor
 * call and on the way out, so any instruction can fall back to its executor and every exit leaves a
 * consistent CPU.
 *
 * Every exit only sets a few locals (where to, instructions retired, which link) and breaks out to
 * one epilogue that writes the CPU back and returns. V8 optimises a function with the type feedback
 * its code gathered so far and deoptimises it when code without feedback first runs; exits and
 * misses that only assign constants to locals have none to lack, so taking one later costs no
 * deoptimisation and recompilation, and the function stays small. A load or store that misses the
 * soft TLB likewise leaves before its instruction, which the interpreter then runs. The emitters build their code with `code.ts`, which names each register and flag
 * and each of those points, so nothing here has to find them in the text. A branch back to the
 * block's own start becomes a loop inside the function while budget lasts.
 *
 * A new table row needs nothing here: it runs through its executor, and the block ends after it
 * unless the row (Thumb `continues`) or its class (A32 `A32_CLASS_CONTINUES`) says it only touches
 * registers, flags and memory.
 */
import { decodeA32Entry } from '../isa/a32/a32-decoder.ts';
import type { Bus } from '../bus.ts';
import type { CpuContext } from '../cpu-context.ts';
import type { ThumbExec } from '../isa/thumb/t16.ts';
import { decodeT16Entry, decodeT32Entry } from '../isa/thumb/thumb-decoder.ts';
import { A32_CLASS_CONTINUES, type A32Entry, type ThumbEntry } from '../isa/table-row.ts';
import type { BasicBlockSource, Block, StaticExit } from './block.ts';
import type { Emitted, InsnContext } from './emitter.ts';
import { Code, execCall, exit, join, js, syncIn, syncOut } from './code.ts';
import { GuestLocals } from './guest-locals.ts';
import { MAX_BLOCK_INSNS } from './block-rules.ts';
import { emitA32 } from './emit-a32.ts';
import { emitThumb } from './emit-thumb.ts';
import { condExpr } from './emit-util.ts';
import { RUNTIME } from './runtime.ts';

/** The budget the dispatcher must have left before it runs a block. */
export const BLOCK_BUDGET = MAX_BLOCK_INSNS + 4;

/** Everything the generated code closes over besides the CPU. */
export interface TranslatorEnv {
  readonly bus: Bus;
  /** Passed to the generated code as `jit`, which tells it of soft TLB misses (`missVa`, `missWrite`). */
  readonly jit: unknown;
  /** The block a static exit leads to, linked for good when it can be (see `Jit.link`). */
  readonly link: (
    from: Block,
    links: (Block | null)[],
    exit: number,
    target: number,
    thumb: number,
  ) => Block | null;
  /** Runs a linked block (one shared call site for every link). */
  readonly follow: (l: Block, cpu: CpuContext, left: number, hops: number) => Block | null;
  readonly readTag: Int32Array;
  readonly readOff: Int32Array;
  readonly writeTag: Int32Array;
  readonly writeOff: Int32Array;
  readonly codeMap: Uint8Array;
}

/**
 * Compiles `block` (first run by the block interpreter) into a JavaScript function, which replaces
 * its `run`. Returns false, leaving the block as it is, when nothing fits.
 */
export function compile(env: TranslatorEnv, block: Block): boolean {
  const bb = basicBlock(env.bus, block.off, block.va, block.thumb);
  if (bb === null) return false;
  block.source = bb;
  block.run = assemble(env, block, [bb]);
  return true;
}

/**
 * Compiles basic blocks into one function. With one block, a branch to its own start loops; with
 * several (a hot region of one page found by the dispatcher), they become the cases of a switch,
 * entered at the case its `entry` argument names, and branches between them stay inside the function
 * while the budget lasts. Other static exits leave through `block.links`.
 */
export function assemble(env: TranslatorEnv, block: Block, bbs: readonly BasicBlockSource[]): Block['run'] {
  const thumb = block.thumb;
  const index = new Map<number, number>();
  bbs.forEach((bb, i) => index.set(bb.va, i));
  const execs: ThumbExec[] = [];
  let linkCount = 0;
  const single = bbs.length === 1;
  const cases = bbs.map((bb, i) => {
    const execBase = execs.length;
    execs.push(...bb.execs);
    // the exit a block ends with, when it leads to the next case, falls through into it
    const lastMark = bb.code.lastMark();
    const last = lastMark !== null && lastMark.kind === 'exit' ? lastMark.j : null;
    const exitCode = bb.exits.map((exit, e): Code => {
      const to = exit.thumb === (thumb === 1) ? index.get(exit.target) : undefined;
      if (to !== undefined && !single && to === i + 1 && last === e) {
        return js`${exit.itFix}n += ${exit.k}; if (n > lim) { ${leave(exit.target, 0)} } s = ${to};`;
      }
      if (to !== undefined) {
        const jump = single ? 'continue;' : `{ s = ${to}; continue; }`;
        return js`${exit.itFix}n += ${exit.k}; if (n <= lim) ${jump} ${leave(exit.target, 0)}`;
      }
      const j = linkCount++;
      const other = exit.thumb !== (thumb === 1);
      return js`${exit.itFix}${other ? `cpu.t = ${exit.thumb ? 1 : 0}; ` : ''}xj = ${j}; xt = ${exit.thumb ? 1 : 0}; ${leave(exit.target, exit.k)}`;
    });
    return { code: bb.code, exitCode, execBase };
  });
  // static exits become their code, executor indices the function's
  const locals = new GuestLocals();
  for (const c of cases) {
    c.code.eachMark((m) => (m.kind === 'exit' ? c.exitCode[m.j]!.eachMark(locals.see) : locals.see(m)));
  }
  const declare = locals.declare();
  const texts = cases.map((c) =>
    c.code.render((m) =>
      m.kind === 'exit'
        ? c.exitCode[m.j]!.render(locals.text)
        : m.kind === 'execCall'
          ? `E[${c.execBase + m.k}](cpu, ${m.word});`
          : locals.text(m),
    ),
  );
  // no break after a case: see the fall-through exit
  const inner = single
    ? texts[0]!
    : `switch (s) {\n${texts.map((t, i) => `case ${i}: {\n${t}\n}`).join('\n')}\n}`;
  // the one way out: the PC (unless the code wrote it), the count, a soft TLB miss, the write-back,
  // then the link taken (a linked block runs straight from here, a few deep, while a whole block
  // fits the budget). Its property accesses run on every exit, so V8 has their feedback; the link
  // calls go to functions the factory closes over, since V8 records feedback only once a function
  // has run a while and a call made without it is merely generic, where a property access
  // deoptimises.
  const epilogue =
    `const pc = r[15];\nr[15] = xpc === -1 ? pc : xpc;\ncpu.retired += n + xk;\njit.missVa = xva;\njit.missKind = xm;\n` +
    `${locals.text({ kind: 'syncOut' })}\n` +
    (linkCount === 0
      ? 'return null;'
      : `if (xj === -1) return null;\nl = links[xj];\n` +
        `if (l !== null && l.valid) return hops !== 0 && n + xk <= lim ? ((passed = true), FOLLOW(l, cpu, left - n - xk, hops - 1)) : l;\n` +
        `return LINK(blk, links, xj, xpc, xt);`);
  const body =
    `return function ${thumb ? 't' : 'a'}${(block.va >>> 0).toString(16)}(cpu, left, hops, entry) {\n` +
    `const r = cpu.r;\nconst lim = left - ${BLOCK_BUDGET};\n` +
    `let n = 0, s = ${single ? '0' : 'entry'}, a = 0, b = 0, res = 0, wide = 0, sc = 0, va = 0, i = 0, o = 0, l = null, passed = false;\n` +
    `let xpc = -1, xk = 0, xj = -1, xt = 0, xva = 0, xm = -1;\n` +
    `${declare}\n` +
    `try {\nout: for (;;) {\n${inner}\n}\n${epilogue}\n} catch (e) {\n` +
    // a fault in a block run from here was counted there
    `if (!passed) cpu.retired += n + IDX[s][(cpu.insnAddr - START[s]) >>> ${thumb ? 1 : 2}];\nthrow e;\n}\n};`;
  const links = new Array<Block | null>(linkCount).fill(null);
  const factory = new Function(
    'jit',
    'blk',
    'links',
    'E',
    'view',
    'ram',
    'rt',
    'ro',
    'wt',
    'wo',
    'cm',
    'IDX',
    'START',
    'H',
    'LINK',
    'FOLLOW',
    body,
  ) as (...args: unknown[]) => Block['run'];
  return factory(
    env.jit,
    block,
    links,
    execs,
    env.bus.view,
    env.bus.ram,
    env.readTag,
    env.readOff,
    env.writeTag,
    env.writeOff,
    env.codeMap,
    bbs.map((bb) => bb.retiredAt),
    bbs.map((bb) => bb.va),
    RUNTIME,
    env.link,
    env.follow,
  );
}

/**
 * Translates one basic block at RAM offset `off` (address `va`), which starts outside any IT block
 * (exported for tests that read generated code).
 */
export function basicBlock(bus: Bus, off: number, va: number, thumb: number): BasicBlockSource | null {
  const view = bus.view;
  const pageEnd = (off | 0xfff) + 1;
  const parts: Code[] = [];
  const exits: StaticExit[] = [];
  const execs: ThumbExec[] = [];
  const retiredAt = new Int32Array(thumb ? 2048 : 1024);
  let count = 0;
  let o = off;
  let addr = va;
  let it = 0; // ITSTATE before the instruction being translated
  let ended = false;
  while (!ended && (count < MAX_BLOCK_INSNS || it !== 0)) {
    let w: number;
    let size: number;
    if (thumb) {
      if (o + 2 > pageEnd) break;
      const hw1 = view.getUint16(o, true);
      const wide = hw1 >= 0xe800;
      if (wide && o + 4 > pageEnd) break;
      w = wide ? (hw1 << 16) | view.getUint16(o + 2, true) : hw1;
      size = wide ? 4 : 2;
    } else {
      if (o + 4 > pageEnd) break;
      w = view.getInt32(o, true);
      size = 4;
    }
    const k = count + 1; // instructions retired once this one completes
    const itAfter = it === 0 ? 0 : (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
    const next = addr + size;
    const entry = thumb ? (size === 4 ? decodeT32Entry(w) : decodeT16Entry(w)) : decodeA32Entry(w);
    const itFix = it !== 0 ? `cpu.it = ${itAfter}; ` : '';
    // an executor may change any register or flag: write them back before, read them again after
    const executor = (): Code => {
      execs.push(entry.exec);
      return js`${syncOut()}${execCall(execs.length - 1, w | 0)}${syncIn()}`;
    };
    const ctx: InsnContext = {
      addr,
      pc: addr + (thumb ? 4 : 8),
      next,
      inIt: it !== 0,
      exitTo(target, toThumb) {
        if (itAfter !== 0) {
          // mid IT block: leave through the dispatcher, which steps the rest of the IT block
          return js`${itFix}${leave(target | 0, k)}`;
        }
        exits.push({ target: target | 0, thumb: toThumb, k, itFix });
        return exit(exits.length - 1);
      },
      exitDynamic() {
        return js`${itFix}${leave(-1, k)}`;
      },
      exitNext() {
        return js`${itFix}${leave(next, k)}`;
      },
      exitHere(write) {
        return js`${it !== 0 ? `cpu.it = ${it}; ` : ''}xva = va; xm = ${write ? 1 : 0}; ${leave(addr, k - 1)}`;
      },
      sync() {
        return js`cpu.insnAddr = ${addr}; r[15] = ${addr + (thumb ? 4 : 8)};${it !== 0 ? ` cpu.it = ${it};` : ''}`;
      },
      callExecutor(after = '') {
        return js`${ctx.sync()} ${executor()} ${after} if (cpu.branched) { cpu.branched = false; ${ctx.exitDynamic()} } if (cpu.exit !== null || !blk.valid) { ${ctx.exitNext()} }`;
      },
    };
    retiredAt[(addr - va) >>> (thumb ? 1 : 2)] = k;
    let cond = 14;
    let emitted: Emitted | null = null;
    let itInIt = false;
    if (thumb) {
      if (it !== 0) cond = it >>> 4;
      const isIt = size === 2 && (w & 0xff00) === 0xbf00 && (w & 0xf) !== 0;
      if (isIt && it === 0) {
        // IT: no code; the following instructions are translated under their conditions
        parts.push(js`/* ${addr.toString(16)}: IT */`);
        it = w & 0xff;
        o += size;
        addr = next;
        count++;
        continue;
      }
      // an IT inside an IT block (UNPREDICTABLE) runs its executor and ends the block here, though
      // its row continues (the block interpreter goes on after it)
      itInIt = isIt;
    }
    if (thumb) emitted = entry.name === 'UNDEFINED' ? null : emitThumb(entry.name, w, size === 4, ctx);
    else {
      cond = w >>> 28;
      emitted = entry.name === 'UNDEFINED' ? null : emitA32(w, ctx);
    }
    if (emitted === null) {
      const goesOn = thumb
        ? (entry as ThumbEntry).continues && !itInIt
        : A32_CLASS_CONTINUES[(entry as A32Entry).cls];
      if (goesOn) emitted = { code: ctx.callExecutor(), end: false };
      else {
        // the instruction may read the retired count (PMU, timer) or change the CPU's state: count
        // it first, and leave after it whatever it did
        emitted = {
          code: js`cpu.retired += n + ${k}; n = -${k}; ${ctx.sync()} ${executor()} if (cpu.branched) { cpu.branched = false; ${ctx.exitDynamic()} } ${ctx.exitNext()}`,
          end: true,
        };
      }
    }
    const guarded = cond < 14 ? js`if (${condExpr(cond)}) { ${emitted.code} }` : emitted.code;
    parts.push(
      js`/* ${addr.toString(16)} */ ${guarded}${it !== 0 && !emitted.end ? ` cpu.it = ${itAfter};` : ''}`,
    );
    // a conditional instruction that ends the block still falls through when its condition fails
    ended = emitted.end && cond >= 14;
    if (emitted.end && cond < 14) {
      parts.push(ctx.exitTo(next, thumb === 1));
      ended = true;
    }
    it = itAfter;
    o += size;
    addr = next;
    count++;
  }
  if (count === 0) return null;
  if (!ended) {
    if (it !== 0) parts.push(js`cpu.it = ${it}; ${leave(addr, count)}`);
    else {
      exits.push({ target: addr | 0, thumb: thumb === 1, k: count, itFix: '' });
      parts.push(exit(exits.length - 1));
    }
  }
  return { va, thumb, code: join(parts, '\n'), exits, execs, count, end: o, retiredAt };
}

/**
 * Leaves the function through its epilogue for `pc` (-1: the code already wrote the PC), with `k`
 * more instructions retired than `n` counts.
 */
function leave(pc: number, k: number): Code {
  return js`xpc = ${pc | 0}; xk = ${k}; break out;`;
}
