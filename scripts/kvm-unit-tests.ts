/**
 * `npm run kvm-unit-tests -- TREE [-g GROUP] [-a] [TEST...]`: runs a built kvm-unit-tests tree for
 * 32-bit ARM (`./configure --arch=arm --cross-prefix=arm-linux-gnueabihf-` then `make`) under
 * armvm, test by test as the suite's run_tests.sh does under QEMU: each entry of its
 * arm/unittests.cfg with its own image, vCPU count (MAX_SMP is the host's CPU count, or the
 * environment's, at most armvm's 8), command line, QEMU options, groups, arch and accel filters,
 * disabled_if and time limit (TIMEOUT overrides it), and an environment (-initrd) with TARGET and
 * the errata of errata.txt. One line per test: PASS, SKIP with the reason, or FAIL with the failing
 * lines; then a summary. Exit status 1 when a test failed, 2 on bad arguments.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { boardOptions, MAX_VCPUS } from './kvm-unit-tests/board-options.ts';
import { outcome, type Outcome } from './kvm-unit-tests/outcome.ts';
import { durationSeconds, parseUnittestsCfg, type UnitTest } from './kvm-unit-tests/unittests-cfg.ts';

const ARMVM = new URL('../packages/vmm/bin/armvm.js', import.meta.url).pathname;
const USAGE =
  'usage: npm run kvm-unit-tests -- TREE [-g GROUP] [-a] [TEST...]  (TREE: a built kvm-unit-tests)';

function fail(message: string): never {
  console.error(`kvm-unit-tests: ${message}\n${USAGE}`);
  process.exit(2);
}

/** `NAME=value` lines of the tree's config.mak. */
function readConfig(tree: string): Map<string, string> {
  const path = join(tree, 'config.mak');
  if (!existsSync(path)) fail(`${path} not found: configure and build the suite first`);
  const config = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)\s*:?=\s*(.*)$/.exec(line);
    if (m) config.set(m[1]!, m[2]!.trim());
  }
  return config;
}

/** Runs `script` in bash with `args` as $1..., returning its output and status. */
function bash(script: string, args: string[], env: Record<string, string>): { out: string; status: number } {
  const r = spawnSync('bash', ['-c', script, 'bash', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { out: r.stdout ?? '', status: r.status ?? 1 };
}

/** The words of `text` after the shell's expansions, as the runner's eval makes them. */
function shellWords(text: string, env: Record<string, string>): string[] {
  const { out } = bash('eval "set -- $1"; [ $# -eq 0 ] || printf "%s\\0" "$@"', [text], env);
  return out.split('\0').slice(0, -1);
}

/** The environment the runner hands the guest: TARGET and an ERRATA_ line per errata.txt entry. */
function guestEnvironment(errataTxt: string | undefined, target: string): string[] {
  const env = [`TARGET=${target}`];
  if (errataTxt && existsSync(errataTxt)) {
    for (const line of readFileSync(errataTxt, 'utf8').split('\n')) {
      const commit = /^([0-9a-f]{12})\s*:/.exec(line.replace(/^\s+/, ''))?.[1];
      if (!commit) continue;
      // the runner sets an erratum when the host kernel (the KVM) has the fix; the software KVM has
      // each of them, so every erratum is set unless the caller's environment says otherwise
      env.push(`ERRATA_${commit}=${process.env[`ERRATA_${commit}`] ?? 'y'}`);
    }
  }
  return env;
}

/** Why the runner would not start `t`, or undefined. */
function filtered(
  t: UnitTest,
  arch: string,
  shellEnv: Record<string, string>,
  all: boolean,
): string | undefined {
  if (!all && t.groups.includes('nodefault')) return 'test marked as manual run only';
  if (t.arch !== undefined && t.arch !== arch) return `${t.arch} only`;
  // armvm is a KVM accelerator (the software KVM), so ACCEL is kvm
  if (t.accel !== undefined && t.accel !== 'kvm') return `${t.accel} only, but ACCEL=kvm`;
  if (t.disabledIf !== undefined && bash('eval "$1"', [t.disabledIf], shellEnv).status === 0) {
    return `disabled because: ${t.disabledIf}`;
  }
  for (const param of t.check?.split(/\s+/).filter(Boolean) ?? []) {
    const [path, value] = [param.split('=')[0]!, param.slice(param.indexOf('=') + 1)];
    if (!existsSync(path) || readFileSync(path, 'utf8').trim() !== value)
      return `${path} not equal to ${value}`;
  }
  return undefined;
}

function main(): void {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { group: { type: 'string', short: 'g' }, all: { type: 'boolean', short: 'a' } },
  });
  const [treeArg, ...only] = positionals;
  if (treeArg === undefined) fail('no tree given');
  const tree = resolve(treeArg);
  const config = readConfig(tree);
  const arch = config.get('ARCH') ?? '';
  const target = config.get('TARGET') ?? 'qemu';
  const testDir = config.get('TEST_DIR') ?? 'arm';
  if (arch !== 'arm')
    fail(`${tree} is built for ${arch || 'an unknown arch'}; armvm runs 32-bit ARM (--arch=arm)`);
  if (target !== 'qemu')
    fail(`${tree} is built for ${target}'s memory map; armvm's board is QEMU's virt (--target=qemu)`);
  const cfgPath = join(tree, testDir, 'unittests.cfg');
  if (!existsSync(cfgPath)) fail(`${cfgPath} not found`);
  const tests = parseUnittestsCfg(readFileSync(cfgPath, 'utf8'));

  const hostCpus = Number(process.env.MAX_SMP ?? availableParallelism());
  const maxSmp = Math.min(hostCpus, MAX_VCPUS);
  const shellEnv = { MAX_SMP: String(maxSmp), TARGET: target, ARCH: arch, TEST_DIR: testDir };
  const scratch = mkdtempSync(join(tmpdir(), 'kvm-unit-tests-'));
  const envFile = join(scratch, 'env');
  const guestEnv = guestEnvironment(config.get('ERRATATXT'), target);
  writeFileSync(envFile, `${guestEnv.join('\n')}\n`);
  console.log(`kvm-unit-tests in ${tree}: ${arch}, built for ${target}'s virt board; MAX_SMP=${maxSmp}`);
  if (hostCpus > maxSmp) console.log(`(MAX_SMP ${hostCpus} restricted to armvm's ${MAX_VCPUS} vCPUs)`);
  console.log(`guest environment: ${guestEnv.join(' ')}`);

  const counts = { pass: 0, fail: 0, skip: 0 };
  try {
    for (const t of tests) {
      if (only.length > 0 && !only.includes(t.name)) continue;
      if (values.group !== undefined && !t.groups.includes(values.group)) continue;
      const result = runOne(
        t,
        tree,
        testDir,
        shellEnv,
        envFile,
        values.all === true || values.group !== undefined,
      );
      counts[result.kind]++;
      print(t.name, result);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`SUMMARY: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped`);
  process.exitCode = counts.fail > 0 ? 1 : 0;
}

/** Runs one test (or decides it cannot run). */
function runOne(
  t: UnitTest,
  tree: string,
  testDir: string,
  shellEnv: Record<string, string>,
  envFile: string,
  all: boolean,
): Outcome {
  const why = filtered(t, shellEnv.ARCH!, shellEnv, all);
  if (why !== undefined) return { kind: 'skip', reason: why };
  const kernel = join(tree, testDir, t.file);
  if (!existsSync(kernel)) return { kind: 'skip', reason: `Test file '${kernel}' not found` };
  const smp = Number(bash('eval "echo $1"', [t.smp], shellEnv).out.trim());
  const append = t.testArgs === undefined ? undefined : shellWords(t.testArgs, shellEnv).join(' ');
  const board = boardOptions(shellWords(t.params, shellEnv), smp, append);
  if (board.kind === 'skip') return board;
  const timeout = process.env.TIMEOUT ?? t.timeout;
  const seconds = durationSeconds(timeout);
  const r = spawnSync(
    process.execPath,
    [ARMVM, 'run', '--kernel', kernel, ...board.args, '--initrd', envFile, '--no-reboot'],
    {
      cwd: tree,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'latin1',
      maxBuffer: 64 << 20,
      timeout: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined,
      killSignal: 'SIGKILL',
    },
  );
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' ? timeout : undefined;
  return outcome({ output: r.stdout ?? '', status: r.status, timedOut, stderr: r.stderr ?? '' });
}

function print(name: string, o: Outcome): void {
  if (o.kind === 'pass') console.log(`PASS ${name}${o.summary ? ` (${o.summary})` : ''}`);
  else if (o.kind === 'skip') console.log(`SKIP ${name} (${o.reason})`);
  else {
    console.log(`FAIL ${name} (${o.reason})`);
    for (const line of o.lines) console.log(`    ${line}`);
  }
}

main();
