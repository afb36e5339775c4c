/**
 * kvm-unit-tests' `unittests.cfg`, read the way its runner (scripts/common.bash) reads it: one entry
 * per `[name]` section, with `file`, `smp`, `test_args`, `qemu_params` or the older `extra_params`
 * (also in the multi-line `"""` form), `groups`, `arch`, `machine`, `check`, `accel`, `timeout` and
 * `disabled_if`. Values stay as written: the runner expands them with the shell, and so do we.
 */

/** One test of the suite. */
export interface UnitTest {
  readonly name: string;
  /** The image, relative to the test directory (`selftest.flat`). */
  readonly file: string;
  /** The vCPU count as written (`2`, `$MAX_SMP`, `$((($MAX_SMP < 8)?$MAX_SMP:8))`). */
  readonly smp: string;
  /** The guest's command line as written (quoted as in the file), or undefined for none. */
  readonly testArgs: string | undefined;
  /** QEMU options as written (`-machine gic-version=2`; old files also give `-smp` and `-append`). */
  readonly params: string;
  readonly groups: readonly string[];
  readonly arch: string | undefined;
  readonly machine: string | undefined;
  readonly check: string | undefined;
  readonly accel: string | undefined;
  /** The time limit as written (`90s` when absent, the runner's default). */
  readonly timeout: string;
  /** A shell condition that disables the test when true. */
  readonly disabledIf: string | undefined;
}

/** The runner's time limit for a test that sets none. */
export const DEFAULT_TIMEOUT = '90s';

const FIELD = /^(file|smp|test_args|groups|arch|machine|check|accel|timeout|disabled_if)\s*=\s*(.*)$/;
/** The runner accepts both names for QEMU's options (vmm_unittest_params_name). */
const PARAMS = /^(qemu_params|extra_params)\s*=\s*(.*)$/;
const TRIPLE = '"""';

/** Parses the text of a `unittests.cfg`. */
export function parseUnittestsCfg(text: string): UnitTest[] {
  const tests: UnitTest[] = [];
  let current: Record<string, string> | null = null;
  let name = '';
  const finish = () => {
    if (current !== null && name !== '') tests.push(toTest(name, current));
  };
  // `read -r` with the default IFS trims the ends of each line
  const lines = text.split('\n').map((l) => l.trim());
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      finish();
      name = section[1]!;
      current = {};
      continue;
    }
    if (current === null) continue;
    const params = PARAMS.exec(line);
    if (params) {
      let value = params[2]!;
      if (value.startsWith(TRIPLE)) {
        // a multi-line value, up to the closing """; a backslash before a newline joins the lines
        value = value.slice(TRIPLE.length);
        const parts: string[] = [];
        for (;;) {
          const end = value.indexOf(TRIPLE);
          if (end >= 0) {
            parts.push(value.slice(0, end));
            break;
          }
          parts.push(value.endsWith('\\') ? value.slice(0, -1) : `${value}\n`);
          if (++i >= lines.length) break;
          value = lines[i]!;
        }
        value = parts.join('');
      }
      current.params = value;
      continue;
    }
    const field = FIELD.exec(line);
    if (field) current[field[1]!] = field[2]!;
  }
  finish();
  return tests;
}

function toTest(name: string, f: Record<string, string>): UnitTest {
  return {
    name,
    file: f.file ?? '',
    smp: f.smp ?? '1',
    testArgs: f.test_args,
    params: f.params ?? '',
    groups: (f.groups ?? '').split(/\s+/).filter((g) => g !== ''),
    arch: f.arch,
    machine: f.machine,
    check: f.check,
    accel: f.accel,
    timeout: f.timeout ?? DEFAULT_TIMEOUT,
    disabledIf: f.disabled_if,
  };
}

/** Seconds in a `timeout(1)` duration (`90s`, `10`, `2m`, `1.5h`); NaN when unreadable. */
export function durationSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!m) return NaN;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]!]!;
  return Number(m[1]) * unit;
}
