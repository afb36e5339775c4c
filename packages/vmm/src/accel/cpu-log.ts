/**
 * QEMU's CPU log items (`-d int`, `-d mmu`, `-d in_asm`, `-d exec`, `-d cpu_reset`) from the software
 * KVM's trace events: each exception with its vector, modes, PC and fault registers; MMU faults;
 * blocks of code when first seen and as they run; vCPU resets. The VMM subscribes through KVM's
 * options, as a tracer subscribes to a kernel's tracepoints; it never reaches into the CPU.
 */
import { type BlockReport, ExceptionKind, type ExceptionReport, modeName } from '@armvm/arm';
import type { KvmTracepoints } from '@armvm/kvm';
import type { Trace } from './trace.ts';

/** QEMU's exception numbers (EXCP_*) and names for the kinds the CPU takes. */
const EXCEPTIONS: Record<number, { number: number; name: string }> = {
  [ExceptionKind.undefined]: { number: 1, name: 'Undefined Instruction' },
  [ExceptionKind.svc]: { number: 2, name: 'SVC' },
  [ExceptionKind.prefetchAbort]: { number: 3, name: 'Prefetch Abort' },
  [ExceptionKind.dataAbort]: { number: 4, name: 'Data Abort' },
  [ExceptionKind.irq]: { number: 5, name: 'IRQ' },
  [ExceptionKind.fiq]: { number: 6, name: 'FIQ' },
};

/** Short-descriptor fault status (FS[4] at bit 10, FS[3:0]) in words, for the MMU's faults. */
const MMU_FAULTS: Record<number, string> = {
  0x003: 'access flag fault (section)',
  0x006: 'access flag fault (page)',
  0x005: 'translation fault (section)',
  0x007: 'translation fault (page)',
  0x009: 'domain fault (section)',
  0x00b: 'domain fault (page)',
  0x00d: 'permission fault (section)',
  0x00f: 'permission fault (page)',
  0x00c: 'external abort on translation (first level)',
  0x00e: 'external abort on translation (second level)',
};

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** The lines `-d int` prints for one exception. */
export function formatException(cpu: number, r: ExceptionReport): string {
  const e = EXCEPTIONS[r.kind] ?? { number: -1, name: `kind ${r.kind}` };
  let text =
    `Taking exception ${e.number} [${e.name}] on CPU ${cpu}\n` +
    `...at PC ${hex(r.pc)}, mode ${modeName(r.fromCpsr & 0x1f)} -> ${modeName(r.toCpsr & 0x1f)}, vector ${hex(r.vector)}`;
  if (r.kind === ExceptionKind.dataAbort) text += `\n...with DFSR ${hex(r.dfsr)} DFAR ${hex(r.dfar)}`;
  if (r.kind === ExceptionKind.prefetchAbort) text += `\n...with IFSR ${hex(r.ifsr)} IFAR ${hex(r.ifar)}`;
  return text;
}

/** The `-d mmu` line for an abort the MMU raised, or undefined for other exceptions. */
export function formatMmuFault(cpu: number, r: ExceptionReport): string | undefined {
  const data = r.kind === ExceptionKind.dataAbort;
  if (!data && r.kind !== ExceptionKind.prefetchAbort) return undefined;
  const fsr = data ? r.dfsr : r.ifsr;
  const what = MMU_FAULTS[fsr & 0x40f];
  if (what === undefined) return undefined;
  const access = data ? (fsr & (1 << 11) ? 'write' : 'read') : 'fetch';
  return `CPU ${cpu}: MMU ${what}, domain ${(fsr >>> 4) & 0xf}, ${access} of ${hex(data ? r.dfar : r.ifar)} at PC ${hex(r.pc)}`;
}

/** The `-d in_asm` listing of a block seen for the first time (instruction words; no disassembler). */
export function formatBlockCode(r: BlockReport): string | undefined {
  if (r.words === null || r.sizes === null) return undefined;
  const lines = [`IN: (${r.thumb ? 'thumb' : 'arm'}, ${modeName(r.mode)})`];
  let at = r.pc;
  r.words.forEach((w, i) => {
    const size = r.sizes![i]!;
    const text = size === 2 ? w.toString(16).padStart(4, '0') : w.toString(16).padStart(8, '0');
    lines.push(`${hex(at)}:  ${size === 4 && r.thumb ? `${text.slice(0, 4)} ${text.slice(4)}` : text}`);
    at += size;
  });
  return `${lines.join('\n')}\n`;
}

/** KVM trace consumers for the enabled items of `trace`; undefined when none is on (the fast path). */
export function cpuLogTracepoints(trace: Trace): KvmTracepoints | undefined {
  const tp: KvmTracepoints = {};
  if (trace.on('int') || trace.on('mmu')) {
    tp.exception = (cpu, r) => {
      trace.log('int', formatException(cpu, r));
      if (trace.on('mmu')) {
        const line = formatMmuFault(cpu, r);
        if (line !== undefined) trace.log('mmu', line);
      }
    };
  }
  if (trace.on('in_asm') || trace.on('exec')) {
    tp.blocks = (cpu, r) => {
      if (trace.on('in_asm')) {
        const code = formatBlockCode(r);
        if (code !== undefined) trace.log('in_asm', code);
      }
      trace.log('exec', `Trace ${cpu}: ${hex(r.pc)} [${r.thumb ? 'thumb' : 'arm'} ${modeName(r.mode)}]`);
    };
  }
  if (trace.on('cpu_reset')) tp.reset = (cpu) => trace.log('cpu_reset', `CPU Reset (CPU ${cpu})`);
  return tp.exception || tp.blocks || tp.reset ? tp : undefined;
}
