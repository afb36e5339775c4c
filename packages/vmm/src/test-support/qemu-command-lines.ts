/**
 * The qemu-system-arm command lines conformance/Makefile records its expectations with, read from
 * the Makefile itself, so the tests run armvm with exactly what QEMU was given.
 */
import { readFileSync } from 'node:fs';

const MAKEFILE = new URL('../../../../conformance/Makefile', import.meta.url);

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
