/**
 * The `fscache` command: parses the line (program.ts), runs the command, and turns failures
 * into one line on stderr and an exit status: 2 for a bad command line, curl's numbers for a
 * failed get, 1 for anything else.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { type Clock, FscacheError } from '@armvm/fscache';
import { RemoteUrlError } from '../errors.ts';
import { parseRemoteUrl } from '../remote-url.ts';
import { cullCommand, limitsCommand, purgeCommand, rmCommand } from './upkeep-commands.ts';
import { lsCommand, statsCommand } from './cache-commands.ts';
import { defaultCacheDir } from './cache-location.ts';
import { bashCompletion } from './completion.ts';
import { getCommand } from './get-command.ts';
import { UsageError } from './option-values.ts';
import { buildProgram, type Invocation } from './program.ts';

/** Where the command writes. */
export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  signal?: AbortSignal;
  /** The time the commands go by (default the real clock). */
  clock?: Clock;
}

/** The package's version, from its package.json (two levels up from src/cli and dist/cli). */
export const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** Runs the command with `argv` (without node and script); returns the exit status. */
export async function main(
  argv: string[],
  io: CliStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  let asked: Invocation | null = null;
  const program = buildProgram(`fscache ${VERSION}`, defaultCacheDir(io.env), (i) => (asked = i));
  for (const c of [program, ...program.commands])
    c.configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {}, // reported below, on one line
    });
  const command = program.commands.find((c) => c.name() === argv[0]);
  const seeHelp = command ? `fscache ${command.name()} --help` : 'fscache --help';
  const usage = (message: string) => {
    io.stderr.write(
      `fscache: ${message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (see "${seeHelp}")\n`,
    );
    return 2;
  };
  if (argv.length === 0) return usage('a command is needed: get, ls, stats, limits, cull, rm or purge');
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.help') return 2; // `fscache help nosuch`
      return usage(err.message);
    }
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }
  const i = asked as Invocation | null;
  if (!i) return 0; // `fscache help`
  try {
    return await run(i, io);
  } catch (err) {
    if (
      err instanceof UsageError ||
      (err instanceof FscacheError && err.code === 'EINVAL' && i.command !== 'get')
    )
      return usage(err.message);
    io.stderr.write(`fscache: ${(err as Error).message}\n`);
    return 1;
  }
}

function run(i: Invocation, io: CliStreams): Promise<number> {
  switch (i.command) {
    case 'get':
      try {
        parseRemoteUrl(i.url); // a URL that can never be fetched is a bad argument, said before anything
      } catch (err) {
        if (err instanceof RemoteUrlError) throw new UsageError(`${i.url}: ${err.message}`);
        throw err;
      }
      return getCommand({
        url: i.url,
        output: i.opts.output,
        cacheDir: i.cache,
        stats: i.opts.stats,
        silent: i.opts.silent,
        maxAgeMs: i.opts.freshFor,
        staleIfError: i.opts.staleIfError,
        retries: i.opts.retry,
        retryDelayMs: i.opts.retryDelay,
        stdout: io.stdout,
        stderr: io.stderr,
        env: io.env,
        ...(io.signal ? { signal: io.signal } : {}),
        ...(io.clock ? { clock: io.clock } : {}),
      });
    case 'ls':
      return lsCommand(i.cache, i.json, io.stdout);
    case 'stats':
      return statsCommand(i.cache, i.json, io.stdout);
    case 'limits':
      return limitsCommand(i.cache, i.limits, i.reset, io.stdout);
    case 'cull':
      return cullCommand(i.cache, i.limits, i.force, io.stdout);
    case 'rm':
      return rmCommand(i.cache, i.urls, io.stdout, io.stderr);
    case 'purge':
      return purgeCommand(i.cache, io.stdout);
    case 'completion':
      if (i.shell !== 'bash') throw new UsageError(`no completion for "${i.shell}"; bash is supported`);
      io.stdout.write(bashCompletion(buildProgram('', '', () => {})));
      return Promise.resolve(0);
  }
}
