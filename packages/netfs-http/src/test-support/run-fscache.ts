/** The `fscache` command run in this process, as the CLI tests drive it. */
import { PassThrough } from 'node:stream';
import { main } from '../cli/main.ts';

/** What one run wrote and returned. */
export interface FscacheRun {
  status: number;
  /** Standard output as text, and as the bytes written (for binary bodies). */
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

/** Runs `fscache ARGV` with `env` as its whole environment, collecting what it writes. */
export async function runFscache(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<FscacheRun> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  stdout.on('data', (d: Buffer) => out.push(d));
  (stderr as unknown as PassThrough).on('data', (d: Buffer) => err.push(d));
  const status = await main(argv, { stdout, stderr, env });
  const stdoutBytes = Buffer.concat(out);
  return { status, stdout: stdoutBytes.toString(), stdoutBytes, stderr: Buffer.concat(err).toString() };
}
