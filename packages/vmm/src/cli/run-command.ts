/** `armvm run`: builds the virt machine from the options, connects the terminal and runs the guest. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Trace, type TraceSink } from '../accel/trace.ts';
import type { KvmOptions } from '@armvm/kvm';
import { VirtMachine } from '../board/virt-machine.ts';
import { PciTestdev } from '../devices/pci/pci-testdev.ts';
import type { BlockBackend } from '../devices/virtio/block-backend.ts';
import { ImageSources } from './image-source.ts';
import type { RunOptions } from './run-options.ts';
import { attachTerminal } from './terminal.ts';
import { TerminalMux } from './terminal-mux.ts';
import { armvmProduct } from './version.ts';
import { GdbStub } from '../gdbstub/gdb-stub.ts';
import { Monitor } from '../monitor/monitor.ts';

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
  /** Told the gdb stub's port once it listens (tests give port 0). */
  gdbListening?: (port: number) => void;
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

/** True for the errors a closed pipe or terminal gives: the reader went away, nothing to report. */
function readerGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'EIO' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED';
}

/** The log's destination: `-D FILE` (written synchronously, so a crash loses nothing) or stderr. */
function openLog(
  path: string | undefined,
  stderr: NodeJS.WritableStream,
): { sink: TraceSink; close(): void } {
  if (path === undefined) return { sink: (line) => void stderr.write(line), close: () => {} };
  const fd = openSync(path, 'w');
  return { sink: (line) => void writeSync(fd, line), close: () => closeSync(fd) };
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
  let gdb: GdbStub | undefined;
  let detach: (() => void) | undefined;
  // the guest's serial line: the terminal, a file, or nowhere (-serial null, -nodefaults)
  let serialFd: number | undefined;
  let serialOut: NodeJS.WritableStream | undefined = io.stdout;
  if (o.serial.kind === 'file') {
    try {
      serialFd = openSync(o.serial.path, 'w');
    } catch (err) {
      say(`-serial file:${o.serial.path}: ${(err as Error).message}`);
      return 1;
    }
    const fd = serialFd;
    serialOut = { write: (data: Uint8Array) => (writeSync(fd, data), true) } as NodeJS.WritableStream;
  } else if (o.serial.kind === 'null') serialOut = undefined;
  const output = serialOut ? new OutputBuffer(serialOut) : undefined;
  let log: ReturnType<typeof openLog>;
  try {
    log = openLog(o.logFile, io.stderr);
  } catch (err) {
    say(`-D ${o.logFile}: ${(err as Error).message}`);
    return 1;
  }
  // A closed pipe (`armvm run ... | head -c5`) or terminal ends the run quietly, as QEMU ends on SIGPIPE.
  let readerLeft = false;
  const onOutputError = (err: unknown): void => {
    if (!readerGone(err)) return;
    readerLeft = true;
    machine?.stop('the output was closed');
  };
  const onStderrError = (): void => {};
  io.stdout.on('error', onOutputError);
  io.stderr.on('error', onStderrError);
  try {
    const kernel = await sources.read('kernel', o.kernel, o.ramSize);
    const initrd = o.initrd === undefined ? undefined : await sources.read('initrd', o.initrd, o.ramSize);
    const dtb = o.dtb === undefined ? undefined : await sources.read('device tree', o.dtb);
    for (const d of o.drives)
      drives.push({ backend: await sources.drive(d.source, d.readOnly), serial: d.serial });
    const loaders = [];
    for (const l of o.loaders) {
      loaders.push({
        addr: l.addr,
        name: l.file,
        bytes: await readFile(l.file).catch((err: Error) => {
          throw new Error(`-device loader,file=${l.file}: ${err.message}`);
        }),
      });
    }
    machine = VirtMachine.create({
      ramSize: o.ramSize,
      smp: o.smp,
      kernel,
      kernelName: o.kernel,
      ...(initrd ? { initrd } : {}),
      ...(o.append !== undefined ? { append: o.append } : {}),
      ...(dtb ? { dtb } : {}),
      drives,
      loaders,
      virtioConsole: o.virtioConsole,
      pciDevices: o.pciTestdev ? [new PciTestdev()] : [],
      unpackZImage: !o.guestDecompress,
      output: (bytes) => output?.push(bytes),
      trace: new Trace(o.trace, log.sink),
      errorReport: say,
      ...(io.kvm ? { kvm: io.kvm } : {}),
    });
    const running = machine;
    io.signal?.addEventListener('abort', () => running.stop('aborted'), { once: true });
    if (io.stdin) {
      // the monitor writes where the guest's console is, after the guest's bytes written so far
      const monitor =
        o.monitor === 'none'
          ? undefined
          : new Monitor(running, {
              product: armvmProduct(),
              write: (text) => {
                output?.flush();
                io.stdout.write(text);
              },
            });
      const mux = new TerminalMux(
        o.monitor,
        o.serial.kind === 'stdio' ? (bytes) => running.uart.receive(bytes) : undefined,
        monitor,
      );
      detach = attachTerminal(io.stdin, {
        input: (bytes) => mux.input(bytes),
        quit: () => running.stop('quit from the terminal'),
        message: (text) => io.stderr.write(text),
        switchFocus: () => mux.switchFocus(),
      });
      mux.start();
    }
    if (io.handleSignals) {
      const onSignal = (sig: NodeJS.Signals): void => running.stop(`terminating on signal ${sig}`);
      // the terminal closed: nobody is left to read a message
      const onHangup = (): void => {
        readerLeft = true;
        running.stop('the terminal was closed');
      };
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal).on('SIGHUP', onHangup);
      const undoTerminal = detach;
      detach = () => {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('SIGHUP', onHangup);
        undoTerminal?.();
      };
    }
    if (o.gdb) {
      gdb = new GdbStub(machine, o.gdb.host, o.gdb.port);
      try {
        const port = await gdb.listening;
        io.gdbListening?.(port);
      } catch (err) {
        say(`-gdb tcp:${o.gdb.host}:${o.gdb.port}: ${(err as Error).message}`);
        return 1;
      }
    }
    const started = performance.now();
    const outcome = await machine.run({ reboot: !o.noReboot, startPaused: o.freeze });
    if (outcome.kind === 'shutdown' || outcome.kind === 'reset') gdb?.guestExited(0);
    if (!readerLeft) output?.flush();
    if (o.stats) io.stderr.write(guestStatistics(machine, performance.now() - started));
    switch (outcome.kind) {
      case 'shutdown':
      case 'reset':
        return 0;
      case 'stopped':
        if (!readerLeft) io.stderr.write(`\r\narmvm: ${outcome.reason}\r\n`);
        return 0;
      case 'crash':
        say('the guest reported a crash (PSCI SYSTEM_EVENT_CRASH)');
        return 1;
    }
    return 1;
  } catch (err) {
    if (!readerLeft) output?.flush();
    say((err as Error).message);
    return 1;
  } finally {
    gdb?.close();
    detach?.();
    log.close();
    if (serialFd !== undefined) closeSync(serialFd);
    // late writes to a closed pipe still report errors: keep swallowing those until the process ends;
    // a write just before the end (the monitor's last answer) reports its error on a later tick
    if (!readerLeft) {
      setImmediate(() => {
        if (readerLeft) return;
        io.stdout.off('error', onOutputError);
        io.stderr.off('error', onStderrError);
      });
    }
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
