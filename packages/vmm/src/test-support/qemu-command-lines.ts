/**
 * qemu-system-arm command lines for the virt board, built in one place: the tests and bench/ run
 * QEMU beside armvm through `qemuVirtArgs`. conformance/Makefile, which recorded the expected
 * outputs, keeps its own copy in make's syntax; `makeFlags` reads it, so the tests can run armvm with
 * exactly what QEMU was given, and check that `qemuVirtArgs` still agrees with it.
 */
import { readFileSync } from 'node:fs';

const MAKEFILE = new URL('../../../../conformance/Makefile', import.meta.url);

/** How QEMU's terminal and default devices are set up. */
export type QemuVirtIo =
  /** conformance/Makefile's QEMU_FLAGS: no display, monitor or network; the UART on stdio. */
  | 'serial'
  /** A Linux guest's console: no graphics or default devices, the UART on stdio, no reboot. */
  | 'linux-console'
  /** No display and no default devices: the machine is only built (to dump its device tree, say). */
  | 'headless';

const IO_FLAGS: Record<QemuVirtIo, readonly string[]> = {
  serial: ['-display', 'none', '-monitor', 'none', '-nic', 'none', '-serial', 'stdio'],
  'linux-console': ['-nographic', '-nodefaults', '-serial', 'stdio', '-no-reboot'],
  headless: ['-display', 'none', '-nodefaults'],
};

/** What to run on the virt board. */
export interface QemuVirtOptions {
  io: QemuVirtIo;
  /** More machine properties after `virt,highmem=off` (`dumpdtb=FILE`). */
  machine?: readonly string[];
  /** `-accel` (QEMU picks one when absent). */
  accel?: string;
  /** RAM in MiB (`-m`; QEMU's default when absent). */
  memoryMiB?: number;
  /** Number of CPUs (`-smp`). */
  smp?: number;
  kernel?: string;
  initrd?: string;
  /** The kernel command line. */
  append?: string;
  /** Anything else, at the end (drives and devices). */
  extra?: readonly string[];
}

/**
 * The arguments of qemu-system-arm (without the program name) for QEMU's `virt` machine as armvm
 * models it: ARMv7 with highmem off, on a Cortex-A15.
 */
export function qemuVirtArgs(o: QemuVirtOptions): string[] {
  const args = ['-M', ['virt,highmem=off', ...(o.machine ?? [])].join(','), '-cpu', 'cortex-a15'];
  if (o.accel !== undefined) args.push('-accel', o.accel);
  if (o.memoryMiB !== undefined) args.push('-m', String(o.memoryMiB));
  if (o.smp !== undefined) args.push('-smp', String(o.smp));
  args.push(...IO_FLAGS[o.io]);
  if (o.kernel !== undefined) args.push('-kernel', o.kernel);
  if (o.initrd !== undefined) args.push('-initrd', o.initrd);
  if (o.append !== undefined) args.push('-append', o.append);
  args.push(...(o.extra ?? []));
  return args;
}

/** Splits a command line into words as the shell does for double-quoted words. */
export function shellWords(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The Makefile's variables (`NAME := value` and `NAME = value`, with `\` continuations), unexpanded. */
function variables(): Map<string, string> {
  const text = readFileSync(MAKEFILE, 'utf8').replace(/\\\n\s*/g, ' ');
  const vars = new Map<string, string>();
  for (const m of text.matchAll(/^([A-Z_]+)\s*:?=\s*(.*)$/gm)) vars.set(m[1]!, m[2]!.trim());
  return vars;
}

/** A variable with its `$(NAME)` references expanded and `$(1)` replaced by `arg`. */
export function makeFlags(name: string, arg = ''): string[] {
  const vars = variables();
  const expand = (value: string): string =>
    value.replace(/\$\((\w+)\)/g, (_, ref: string) => (ref === '1' ? arg : expand(vars.get(ref) ?? '')));
  const value = vars.get(name);
  if (value === undefined) throw new Error(`conformance/Makefile has no ${name}`);
  return shellWords(expand(value));
}
