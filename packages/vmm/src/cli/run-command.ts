/** `armvm run`: builds the virt machine from the options, connects the terminal and runs the guest. */
import { Trace } from '../accel/trace.ts';
import type { KvmOptions } from '@armvm/kvm';
import { VirtMachine } from '../board/virt.ts';
import type { BlockBackend } from '../hw/virtio/block-backend.ts';
import { ImageSources } from './image-source.ts';
import type { RunOptions } from './run-options.ts';
import { attachTerminal } from './terminal.ts';

/** Where the command reads and writes. */
export interface RunIo {
  /** The terminal; undefined runs without input (tests, pipelines). */
  stdin: NodeJS.ReadStream | undefined;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Options of the software KVM (tests inject a clock or a time slice). */
  kvm?: KvmOptions;
  /** Stops the guest when aborted (as Ctrl-A x does), e.g. on a time limit. */
  signal?: AbortSignal;
  /** Stop the guest on SIGINT/SIGTERM (the command does; embedders may not want it). */
  handleSignals?: boolean;
}

/** Guest output, written in batches so a chatty guest does not make one write per byte. */
class OutputBuffer {
  readonly #out: NodeJS.WritableStream;
  #chunks: Uint8Array[] = [];
  #scheduled = false;

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
  }

  push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#chunks.length === 0) return;
    const data = Buffer.concat(this.#chunks);
    this.#chunks = [];
    this.#out.write(data);
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** What the vCPUs did, as a line for --stats (when the KVM backend keeps counters). */
function guestStatistics(machine: VirtMachine, ms: number): string {
  const all = machine.cpus.map((c) => c.kvmFd?.statistics?.()).filter((s) => s !== undefined);
  if (all.length === 0) return '';
  const sum = (key: 'instructions' | 'blocksDecoded' | 'blocksCompiled' | 'compileMs') =>
    all.reduce((n, s) => n + s[key], 0);
  const insns = sum('instructions');
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  return (
    `armvm: guest: ${n(insns)} instructions in ${(ms / 1000).toFixed(2)} s (${n(insns / ms / 1000)} MIPS); ` +
    `${n(sum('blocksDecoded'))} blocks decoded, ${n(sum('blocksCompiled'))} compiled in ${n(sum('compileMs'))} ms\n`
  );
}

/** Runs a guest; returns the exit status. */
export async function runCommand(o: RunOptions, io: RunIo): Promise<number> {
  const say = (message: string): void => {
    io.stderr.write(`armvm: ${message}\n`);
  };
  const sources = new ImageSources(o.cacheDir, say);
  const drives: { backend: BlockBackend; serial: string }[] = [];
  let machine: VirtMachine | undefined;
  let detach: (() => void) | undefined;
  const output = new OutputBuffer(io.stdout);
  try {
    const kernel = await sources.read('kernel', o.kernel, o.ramSize);
    const initrd = o.initrd === undefined ? undefined : await sources.read('initrd', o.initrd, o.ramSize);
    const dtb = o.dtb === undefined ? undefined : await sources.read('device tree', o.dtb);
    for (const d of o.drives)
      drives.push({ backend: await sources.drive(d.source, d.readOnly), serial: d.serial });
    machine = VirtMachine.create({
      ramSize: o.ramSize,
      smp: o.smp,
      kernel,
      kernelName: o.kernel,
      ...(initrd ? { initrd } : {}),
      ...(o.append !== undefined ? { append: o.append } : {}),
      ...(dtb ? { dtb } : {}),
      drives,
      virtioConsole: o.virtioConsole,
      output: (bytes) => output.push(bytes),
      trace: new Trace(o.trace, (line) => io.stderr.write(line)),
      errorReport: say,
      ...(io.kvm ? { kvm: io.kvm } : {}),
    });
    const running = machine;
    io.signal?.addEventListener('abort', () => running.stop('aborted'), { once: true });
    if (io.stdin) {
      detach = attachTerminal(io.stdin, {
        input: (bytes) => running.uart.receive(bytes),
        quit: () => running.stop('quit from the terminal'),
        message: (text) => io.stderr.write(text),
      });
    }
    if (io.handleSignals) {
      const onSignal = (sig: NodeJS.Signals): void => running.stop(`terminating on signal ${sig}`);
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
      const undoTerminal = detach;
      detach = () => {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        undoTerminal?.();
      };
    }
    const started = performance.now();
    const outcome = await machine.run({ reboot: !o.noReboot });
    output.flush();
    if (o.stats) io.stderr.write(guestStatistics(machine, performance.now() - started));
    switch (outcome.kind) {
      case 'shutdown':
      case 'reset':
        return 0;
      case 'stopped':
        io.stderr.write(`\r\narmvm: ${outcome.reason}\r\n`);
        return 0;
      case 'crash':
        say('the guest reported a crash (PSCI SYSTEM_EVENT_CRASH)');
        return 1;
    }
    return 1;
  } catch (err) {
    output.flush();
    say((err as Error).message);
    return 1;
  } finally {
    detach?.();
    machine?.dispose();
    for (const d of drives) await d.backend.close().catch(() => {});
    const remote = sources.remote ? await sources.remote.catch(() => undefined) : undefined;
    if (o.stats && remote) {
      const s = remote.netfs.stats;
      io.stderr.write(
        `armvm: ${formatBytes(s.bytesFromCache)} from the cache, ${formatBytes(s.bytesFromNetwork)} from the network (${remote.netfs.client.stats.requests} requests)\n`,
      );
      io.stderr.write(remote.statsText());
    }
    await sources.close();
  }
}
