#!/usr/bin/env node
// Runs every *.test.ts under packages/ and scripts/ (or the paths given) with node:test through tsx.
// Node 20 neither globs test arguments nor finds .ts files by itself, so we list them here.
// A whole run first gets what the tests use from Debian, as CI does: the packages
// (scripts/install-deps.sh, with root or passwordless sudo) and the Linux guests (guests/linux);
// where that cannot be done, the tests that need it skip and say why.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['packages', 'scripts'];

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist') continue;
    collect(join(path, name), out);
  }
  return out;
}

const files = roots.flatMap((r) => collect(join(root, r), [])).sort();
if (process.argv.length <= 2 && process.env.ARMVM_TEST_PREPARE !== '0') {
  spawnSync('bash', [join(root, 'scripts/install-deps.sh')], { stdio: 'inherit' });
  for (const flavour of ['armmp', 'armmp-lpae']) {
    const guest = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'guests/linux/build.ts'), '--flavour', flavour],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (guest.status !== 0) console.error(`run-tests: no ${flavour} guest; the tests that boot it will skip`);
  }
}
if (files.length === 0) {
  console.error('run-tests: no test files found under', roots.join(', '));
  process.exit(1);
}
/**
 * Node's --test-timeout bounds a whole file as well as each test in it, so a file whose tests set
 * longer limits of their own (Linux boots) says how long it may take, in a line near its top:
 * `// test-file-timeout: N min`. Files are run in groups of equal budget.
 */
const DEFAULT_BUDGET_MS = 300_000;
function budget(file) {
  const m = /^\/\/ test-file-timeout: (\d+) min\b/m.exec(readFileSync(file, 'utf8').slice(0, 4000));
  return m ? Number(m[1]) * 60_000 : DEFAULT_BUDGET_MS;
}
const groups = new Map();
for (const f of files) {
  const ms = budget(f);
  groups.set(ms, [...(groups.get(ms) ?? []), f]);
}
let status = 0;
for (const [ms, group] of [...groups].sort((a, b) => a[0] - b[0])) {
  const args = [
    '--conditions=development',
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    // every test has a time limit, so a hang fails with its name; long ones set their own
    `--test-timeout=${ms}`,
    ...group.map((f) => relative(process.cwd(), f)),
  ];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) status = result.status ?? 1;
}
process.exit(status);
