/**
 * The VMM's log, in the manner of QEMU's `-d` switches: each message belongs to a category, and only
 * enabled categories reach the sink (stderr unless told otherwise).
 */

/** Log categories a user can switch on (`armvm run --trace unimp,exit`). */
export const TRACE_CATEGORIES = ['unimp', 'guest_errors', 'exit', 'mmio', 'psci', 'kvm', 'boot'] as const;
/** One log category. */
export type TraceCategory = (typeof TRACE_CATEGORIES)[number];

/** Where enabled messages go. */
export type TraceSink = (line: string) => void;

/** An unknown category name given to `Trace.parse`. */
export class TraceOptionError extends Error {
  readonly code = 'ARMVM_BAD_TRACE';
  constructor(name: string) {
    super(`unknown trace category "${name}" (known: ${TRACE_CATEGORIES.join(', ')}, all)`);
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
