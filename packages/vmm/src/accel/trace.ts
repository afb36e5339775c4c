/**
 * The VMM's log, in the manner of QEMU's `-d` switches: each message belongs to a category, and only
 * enabled categories reach the sink (stderr unless told otherwise).
 */
import { CodedError } from '@armvm/fscache';

/** What each log category shows; QEMU's names where QEMU has the category. */
const DESCRIPTIONS = {
  int: 'each exception the guest takes: vector, mode, PC and the fault registers',
  in_asm: 'each block of guest code the first time it runs: address and instruction words',
  exec: 'each block of guest code as it runs (slows the guest: the CPU then steps instructions)',
  guest_errors: 'guest mistakes: accesses to unassigned addresses, bad device programming',
  unimp: 'features the guest uses that armvm does not implement',
  mmu: 'MMU faults (translation, domain and permission) the guest takes',
  cpu_reset: 'each vCPU reset, with its registers',
  exit: 'KVM exits other than MMIO (system events, debug exits)',
  mmio: 'each MMIO access the VMM handles',
  psci: 'PSCI calls',
  kvm: 'KVM ioctls the VMM makes at set-up',
  boot: 'where the loader put the kernel, initrd and device tree',
} as const;

/** Log categories a user can switch on (`armvm run -d int,guest_errors`). */
export const TRACE_CATEGORIES = Object.keys(DESCRIPTIONS) as (keyof typeof DESCRIPTIONS)[];

/** `-d help`: the categories, one per line, as QEMU lists its log items. */
export const TRACE_HELP =
  'Log items (comma separated):\n' +
  TRACE_CATEGORIES.map((c) => `${c.padEnd(15)} ${DESCRIPTIONS[c]}`).join('\n') +
  '\nall             every item above\n';
/** One log category. */
export type TraceCategory = keyof typeof DESCRIPTIONS;

/** Where enabled messages go. */
export type TraceSink = (line: string) => void;

/** An unknown category name given to `Trace.parse`. */
export class TraceOptionError extends CodedError<'ARMVM_BAD_TRACE'> {
  constructor(name: string) {
    super('ARMVM_BAD_TRACE', `unknown trace category "${name}" (known: ${TRACE_CATEGORIES.join(', ')}, all)`);
  }
}

/** A set of enabled categories and a sink. */
export class Trace {
  readonly #enabled: Set<TraceCategory>;
  readonly #sink: TraceSink;

  constructor(enabled: Iterable<TraceCategory> = [], sink: TraceSink = (line) => process.stderr.write(line)) {
    this.#enabled = new Set(enabled);
    this.#sink = sink;
  }

  /** Categories from a comma-separated list ("all" for every one). */
  static parse(list: string): TraceCategory[] {
    const out: TraceCategory[] = [];
    for (const name of list.split(',').map((s) => s.trim())) {
      if (name === '') continue;
      if (name === 'all') out.push(...TRACE_CATEGORIES);
      else if ((TRACE_CATEGORIES as readonly string[]).includes(name)) out.push(name as TraceCategory);
      else throw new TraceOptionError(name);
    }
    return out;
  }

  /** True when `category` is switched on (check before building an expensive message). */
  on(category: TraceCategory): boolean {
    return this.#enabled.has(category);
  }

  /** QEMU's qemu_log_mask: writes `message` (a newline is added) when `category` is on. */
  log(category: TraceCategory, message: string): void {
    if (this.#enabled.has(category)) this.#sink(`${message}\n`);
  }
}
