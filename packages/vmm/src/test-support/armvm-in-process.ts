/** `armvm` run in process through `main`, the binary's own code path, with its output collected. */
import { PassThrough } from 'node:stream';
import type { KvmOptions } from '@armvm/kvm';
import { main } from '../cli/main.ts';

/** What a run printed and how it ended. */
export interface ArmvmResult {
  status: number;
  out: string;
  err: string;
}

/** How to run it: a time limit for the guest, the terminal's keystrokes, options for the software KVM. */
export interface ArmvmRunOptions {
  ms?: number;
  typed?: string;
  kvm?: KvmOptions;
}

/** Runs armvm in process; returns the status and what it wrote. */
export async function armvm(...argv: string[]): Promise<ArmvmResult> {
  return armvmWith({}, ...argv);
}

/** Runs armvm in process, stopping the guest after `ms` milliseconds. */
export async function armvmWithin(ms: number, ...argv: string[]): Promise<ArmvmResult> {
  return armvmWith({ ms }, ...argv);
}

/** Runs armvm in process with `typed` as the terminal's keystrokes. */
export async function armvmTyping(
  ms: number,
  typed: string | undefined,
  ...argv: string[]
): Promise<ArmvmResult> {
  return armvmWith(typed === undefined ? { ms } : { ms, typed }, ...argv);
}

/** Runs armvm in process with every option of the run spelled out. */
export async function armvmWith(opts: ArmvmRunOptions, ...argv: string[]): Promise<ArmvmResult> {
  let stdin: NodeJS.ReadStream | undefined;
  if (opts.typed !== undefined) {
    const input = new PassThrough();
    input.end(opts.typed);
    stdin = input as unknown as NodeJS.ReadStream;
  }
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (d: Buffer) => out.push(d));
  stderr.on('data', (d: Buffer) => err.push(d));
  const status = await main(argv, {
    stdin,
    stdout,
    stderr,
    env: {},
    signal: AbortSignal.timeout(opts.ms ?? 60_000),
    ...(opts.kvm ? { kvm: opts.kvm } : {}),
  });
  await new Promise((r) => setImmediate(r));
  return { status, out: Buffer.concat(out).toString('latin1'), err: Buffer.concat(err).toString('utf8') };
}
