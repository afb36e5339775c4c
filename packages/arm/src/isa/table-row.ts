/**
 * A row of an instruction table: its bit pattern, constraint and executor. The tables (A32, Thumb,
 * Advanced SIMD) refer to each other's rows, so the row types live apart from every table.
 */
import type { ExecContext } from '../exec-context.ts';

/** Executes one decoded A32 instruction word whose condition has passed. */
export type A32Exec = (cpu: ExecContext, w: number) => void;

/** Instruction classes, for coverage reports and generated tests. */
export type A32Class =
  | 'dataproc'
  | 'multiply'
  | 'media'
  | 'loadstore'
  | 'multiple'
  | 'exclusive'
  | 'branch'
  | 'system'
  | 'hint'
  | 'coprocessor'
  | 'vfp'
  | 'neon';

/**
 * Whether a translated block may go on after an instruction of each class: true for the classes
 * that only touch registers, flags and memory; false for branches, system, hint and coprocessor
 * instructions, which may change how the code after them must run. Advanced SIMD ends a block too, as
 * it always has. A record over every class, so a new class must be given an answer.
 */
export const A32_CLASS_CONTINUES: Readonly<Record<A32Class, boolean>> = {
  dataproc: true,
  multiply: true,
  media: true,
  loadstore: true,
  multiple: true,
  exclusive: true,
  branch: false,
  system: false,
  hint: false,
  coprocessor: false,
  vfp: true,
  neon: false,
};

/** One row of the table. */
export interface A32Entry {
  /** Mnemonic (family) name. */
  readonly name: string;
  /** Instruction class. */
  readonly cls: A32Class;
  /**
   * 32 characters (spaces ignored), most significant bit first: `0`/`1` must match, anything else
   * is a field. Patterns starting `cccc` are conditional (cond 1111 is decoded elsewhere).
   */
  readonly pattern: string;
  /** Extra constraint on words the pattern matches. */
  readonly when?: (w: number) => boolean;
  /** The executor. */
  readonly exec: A32Exec;
}

/** Executes one Thumb instruction (16-bit halfword, or 32-bit as hw1 << 16 | hw2). */
export type ThumbExec = (cpu: ExecContext, w: number) => void;

/** One row of a Thumb table. */
export interface ThumbEntry {
  /** Mnemonic (family) name. */
  readonly name: string;
  /**
   * True when the instruction only touches registers, flags and memory, so a translated block may
   * go on after it; false for branches, system, coprocessor, hint and exception-generating
   * instructions, which may change how the code after them must run. IT is true: it only sets
   * ITSTATE for the instructions after it (the translator folds an IT into the conditions of the
   * following instructions, and ends its block at an IT found inside an IT block).
   */
  readonly continues: boolean;
  /** 16 or 32 pattern characters (spaces ignored): `0`/`1` fixed, anything else a field. */
  readonly pattern: string;
  /** Extra constraint. */
  readonly when?: (w: number) => boolean;
  /** The executor. */
  readonly exec: ThumbExec;
}
