/**
 * What the CPU asks of a translator of guest code. The owner passes one in (the package's is
 * `jitTranslator()` in `jit/`); a CPU given none interprets one instruction at a time, which is
 * what translators are checked against.
 */
import type { CpuContext } from './cpu-context.ts';
import type { CpuExit } from './exit.ts';

/** Counts a translator keeps, for statistics. */
export interface TranslatorStatistics {
  /** Blocks decoded. */
  readonly blocksDecoded: number;
  /** Blocks compiled to JavaScript functions. */
  readonly blocksCompiled: number;
  /** Host milliseconds spent compiling. */
  readonly compileMs: number;
}

/** A translator as the CPU drives it: runs guest code and hears of what invalidates it. */
export interface GuestTranslator {
  /** Runs guest code for up to `budget` instructions. */
  run(budget: number): CpuExit;
  /** RAM at `off` (bytes from the bus's base) was written: translations of it are stale. */
  noteWrite(off: number, size: number): void;
  /** Translation registers or TLB maintenance changed translation. */
  translationChanged(): void;
  /** DACR changed; `changed` has a bit per domain whose access changed. */
  domainsChanged(changed: number): void;
  /** A TLB maintenance operation `op` with its register value. */
  tlbMaintenance(op: number, value: number): void;
  /** The CPU entered (true) or left user mode. */
  privilegeChanged(user: boolean): void;
  /** What it has done so far. */
  statistics(): TranslatorStatistics;
}

/** Makes a translator for one CPU. */
export type TranslatorFactory = (cpu: CpuContext) => GuestTranslator;
