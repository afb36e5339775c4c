/**
 * The `armvm` command:
 *   armvm run --kernel IMAGE [--initrd FILE] [--append ARGS] [--dtb FILE] [-m SIZE] [--smp N]
 *             [--drive FILE|URL]... [--cache DIR | --no-cache] [-d LIST] [--no-reboot] [--stats]
 *             and QEMU's spellings (-M virt, -nographic, -serial stdio, -s -S, ...)
 *   armvm --version
 */
import type { KvmOptions } from '@armvm/kvm';
import { defaultCacheDir } from '@armvm/netfs-http';
import { TRACE_HELP } from '../accel/trace.ts';
import { runCommand } from './run-command.ts';
import { parseRunOptions, RUN_USAGE, UsageError } from './run-options.ts';
import { armvmProduct } from './version.ts';

const USAGE = `usage: armvm run --kernel IMAGE [options]   (armvm run --help for the options)\n`;

/** The package's version, for --version. */
function version(): string {
  return `${armvmProduct().replace(' ', ' version ')}\n`;
}

/** Where the command reads and writes. */
export interface CliIo {
  stdin: NodeJS.ReadStream | undefined;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  kvm?: KvmOptions;
  /** Stops a running guest when aborted. */
  signal?: AbortSignal;
  /** Stop the guest on SIGINT/SIGTERM. */
  handleSignals?: boolean;
}

/** Runs `armvm` with `argv` (without node and script); returns the exit status. */
export async function main(
  argv: readonly string[],
  io: CliIo = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    handleSignals: true,
  },
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-version' || command === 'version') {
    io.stdout.write(version());
    return 0;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(command === undefined ? USAGE : RUN_USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'run') {
    io.stderr.write(`armvm: unknown command "${command}" (armvm run --help for the options)\n`);
    return 2;
  }
  let options;
  try {
    options = parseRunOptions(rest, defaultCacheDir(io.env));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    // one line, as QEMU says it: what is wrong, and where to look
    io.stderr.write(`armvm: ${err.message} (armvm run --help for the options)\n`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(RUN_USAGE);
    return 0;
  }
  if (options === 'version') {
    io.stdout.write(version());
    return 0;
  }
  if (options === 'trace-help') {
    io.stdout.write(TRACE_HELP);
    return 0;
  }
  return runCommand(options, {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    ...(io.kvm ? { kvm: io.kvm } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    handleSignals: io.handleSignals ?? false,
  });
}
