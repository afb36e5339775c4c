/**
 * The command line as a user meets it: --version, help for each command with every option and
 * its default, and every bad line refused with one line on stderr and exit status 2, before
 * anything is fetched or any cache is made.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runFscache } from '../test-support/run-fscache.ts';
import { VERSION } from './main.ts';

/** Runs the command with no cache directory from the environment. */
const run = (argv: string[]) => runFscache(argv, { XDG_CACHE_HOME: '/nonexistent-xdg' });

test('--version and -V print the version', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await run([flag]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `fscache ${VERSION}\n`);
    assert.match(VERSION, /^\d+\.\d+\.\d+/);
  }
});

test("each command's help explains every option, its default and an example", async () => {
  const get = await run(['get', '--help']);
  assert.equal(get.status, 0);
  for (const o of [
    '--output',
    '--cache',
    '--silent',
    '--fail',
    '--stats',
    '--fresh-for',
    '--stale-if-error',
    '--retry ',
    '--retry-delay',
  ])
    assert.ok(get.stdout.includes(o), `get --help names ${o}`);
  assert.match(get.stdout, /--retry <n>[^]*\(default: 5\)/);
  assert.match(get.stdout, /\(default: 0\.25\)/);
  assert.match(get.stdout, /HTTP's caching rules/);
  assert.match(get.stdout, /22 HTTP error status/);
  assert.match(get.stdout, /Examples:\n {2}fscache get /);
  assert.doesNotMatch(get.stdout, /--max-age/, 'the hidden pointer to limits is not in the help');
  for (const c of ['ls', 'stats', 'limits', 'cull', 'rm', 'purge']) {
    const h = await run([c, '--help']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, new RegExp(`^Usage: fscache ${c} `));
    assert.match(h.stdout, /--cache <dir>\s+the cache directory \(default: \$XDG_CACHE_HOME\/fscache\)/);
    assert.match(h.stdout, /Examples?:\n {2}fscache /);
  }
  const cull = await run(['help', 'cull']);
  for (const o of [
    '--max-size',
    '--max-age',
    '--brun',
    '--bcull',
    '--bstop',
    '--frun',
    '--fcull',
    '--fstop',
    '--force',
  ])
    assert.ok(cull.stdout.includes(o), `cull help names ${o}`);
  const top = await run(['--help']);
  for (const c of ['get', 'ls', 'stats', 'limits', 'cull', 'rm', 'purge', 'completion'])
    assert.match(top.stdout, new RegExp(`\\n {2}${c}\\b`));
});

test('a bad command line is one line on stderr and exit status 2, and nothing is made', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fscache-usage-'));
  const cache = join(dir, 'cache');
  const cases: [string[], RegExp][] = [
    [[], /a command is needed/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['ls', '--brun', '5', '--cache', cache], /unknown option '--brun' \(see "fscache ls --help"\)/],
    [['ls', '--json', 'extra', '--cache', cache], /too many arguments for 'ls'/],
    [['--cache', cache, 'ls'], /unknown option '--cache' \(see "fscache --help"\)/],
    [['get'], /missing required argument 'url'/],
    [['get', 'http://a/', 'http://b/', '--cache', cache], /too many arguments for 'get'/],
    [['get', 'http://a/', '--bogus', '--cache', cache], /unknown option '--bogus'/],
    [['get', 'notaurl', '--cache', cache], /notaurl: not an absolute URL/],
    [['get', 'ftp://x/y', '--cache', cache], /scheme "ftp:" is not supported/],
    [
      ['get', 'http://a/', '--retry', '1.5', '--cache', cache],
      /option '--retry <n>' argument '1.5' is invalid. expected a whole number/,
    ],
    [['get', 'http://a/', '--max-age', '60', '--cache', cache], /--max-age is a cache limit .*--fresh-for/],
    [['cull', '--bstop', 'lots', '--cache', cache], /argument 'lots' is invalid/],
    [
      ['cull', '--bcull', '20', '--brun', '10', '--cache', cache],
      /0 <= stop < cull < run < 100 \(got bstop 1, bcull 20, brun 10\)/,
    ],
    [['limits', '--max-size', '2Q', '--cache', cache], /expected a size such as 500M/],
    [['limits', '--max-age', 'soon', '--cache', cache], /expected an age such as 7d/],
    [['rm', 'nota url', '--cache', cache], /nota url: /],
    [['completion', 'fish'], /no completion for "fish"/],
  ];
  for (const [argv, message] of cases) {
    const r = await run(argv);
    assert.equal(r.status, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^fscache: [^\n]*\n$/, `${argv.join(' ')}: one line`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
  assert.deepEqual(await readdir(dir), [], 'no cache was made by a refused line');
  await rm(dir, { recursive: true, force: true });
});

test('the completion script names every command and its options', async () => {
  const r = await run(['completion', 'bash']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /complete -o filenames -F _fscache_complete fscache/);
  assert.match(r.stdout, /get\) opts="-o --output --cache -s --silent -f --fail --stats --fresh-for/);
  assert.match(r.stdout, /cull\) opts="--cache --force --max-size --max-age --brun/);
});
