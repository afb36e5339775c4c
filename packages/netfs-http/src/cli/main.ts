/**
 * The `fscache` command:
 *   fscache get URL [-o FILE|-] [--cache DIR] [--stats] [--max-age SECONDS] [--stale-if-error]
 *               [--retry N] [--retry-delay SECONDS]
 *   fscache ls [--cache DIR]
 *   fscache cull [--cache DIR] [--brun N --bcull N --bstop N --frun N --fcull N --fstop N]
 *   fscache stats [--cache DIR]
 */
import { parseArgs } from 'node:util';
import { cullCommand, lsCommand, statsCommand } from './cache-commands.ts';
import { defaultCacheDir } from './cache-location.ts';
import { getCommand } from './get-command.ts';

const USAGE = `usage:
  fscache get URL [-o FILE|-] [--cache DIR] [--stats] [--max-age SECONDS] [--stale-if-error]
              [--retry N] [--retry-delay SECONDS]
  fscache ls [--cache DIR]
  fscache cull [--cache DIR] [--brun N] [--bcull N] [--bstop N] [--frun N] [--fcull N] [--fstop N]
  fscache stats [--cache DIR]
The cache directory defaults to $XDG_CACHE_HOME/fscache (or ~/.cache/fscache).
`;

/** Where the command writes. */
export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  signal?: AbortSignal;
}

/** Runs the command with `argv` (without node and script); returns the exit status. */
export async function main(
  argv: string[],
  io: CliStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        cache: { type: 'string' },
        output: { type: 'string', short: 'o' },
        stats: { type: 'boolean' },
        'max-age': { type: 'string' },
        'stale-if-error': { type: 'boolean' },
        retry: { type: 'string' },
        'retry-delay': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        brun: { type: 'string' },
        bcull: { type: 'string' },
        bstop: { type: 'string' },
        frun: { type: 'string' },
        fcull: { type: 'string' },
        fstop: { type: 'string' },
      },
    });
    if (values.help || command === 'help' || command === '--help' || command === '-h') {
      io.stdout.write(USAGE);
      return 0;
    }
    const cacheDir = values.cache ?? defaultCacheDir(io.env);
    switch (command) {
      case 'get': {
        if (positionals.length !== 1) throw new UsageError('get needs exactly one URL');
        const seconds = (name: 'max-age' | 'retry-delay') =>
          values[name] === undefined ? undefined : number(name, values[name]!) * 1000;
        const retry = values.retry === undefined ? undefined : number('retry', values.retry);
        if (retry !== undefined && !Number.isInteger(retry))
          throw new UsageError(`--retry needs a whole number, not "${values.retry}"`);
        return await getCommand({
          url: positionals[0]!,
          output: values.output,
          cacheDir,
          stats: values.stats ?? false,
          maxAgeMs: seconds('max-age'),
          staleIfError: values['stale-if-error'] ?? false,
          ...(retry !== undefined ? { retries: retry } : {}),
          ...(values['retry-delay'] !== undefined ? { retryDelayMs: seconds('retry-delay')! } : {}),
          stdout: io.stdout,
          stderr: io.stderr,
          ...(io.signal ? { signal: io.signal } : {}),
        });
      }
      case 'ls':
        noPositionals(positionals);
        return await lsCommand(cacheDir, io.stdout);
      case 'cull': {
        noPositionals(positionals);
        const limits: Record<string, number> = {};
        for (const k of ['brun', 'bcull', 'bstop', 'frun', 'fcull', 'fstop'] as const) {
          if (values[k] !== undefined) limits[k] = number(k, values[k]!);
        }
        return await cullCommand(cacheDir, limits, io.stdout);
      }
      case 'stats':
        noPositionals(positionals);
        return await statsCommand(cacheDir, io.stdout);
      default:
        throw new UsageError(command === undefined ? 'a command is needed' : `unknown command "${command}"`);
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    const usage =
      err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    io.stderr.write(`fscache: ${(err as Error).message}\n${usage ? USAGE : ''}`);
    return usage ? 2 : 1;
  }
}

class UsageError extends Error {}

function noPositionals(p: string[]): void {
  if (p.length) throw new UsageError(`unexpected argument "${p[0]}"`);
}

function number(name: string, text: string): number {
  const n = Number(text.replace(/%$/, ''));
  if (text.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} needs a number, not "${text}"`);
  return n;
}
