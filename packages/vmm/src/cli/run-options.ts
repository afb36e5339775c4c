/**
 * The options of `armvm run`, parsed the way QEMU users expect: `-kernel` and `--kernel` alike,
 * `-m 512`, `-m 1G`, `--smp 2` or `--smp cpus=2`, `--drive FILE` or `--drive file=FILE,readonly=on`.
 */
import { parseArgs } from 'node:util';
import { Trace, type TraceCategory } from '../accel/trace.ts';
import { VIRT_MAX_RAM } from '../board/virt-memmap.ts';
import { type DriveOption, type LoaderOption, resolveDevices, type SerialTarget } from './device-options.ts';
import { onlyProps, parseQemuOpts, qemuBool, QemuOptsError } from './qemu-opts.ts';
import { CodedError } from '@armvm/fscache';

export type { DriveOption, LoaderOption, SerialTarget } from './device-options.ts';

/** Bad command-line arguments; the message says what to fix. */
export class UsageError extends CodedError<'ARMVM_USAGE'> {
  constructor(message: string) {
    super('ARMVM_USAGE', message);
  }
}

/** Where the gdb stub listens (`-gdb tcp::PORT`, `-s` for port 1234). */
export interface GdbListen {
  readonly host: string;
  readonly port: number;
}

/** Everything `armvm run` was asked to do. */
export interface RunOptions {
  kernel: string;
  initrd: string | undefined;
  append: string | undefined;
  dtb: string | undefined;
  ramSize: number;
  smp: number;
  drives: DriveOption[];
  /** FS-Cache directory for URLs; undefined with --no-cache. */
  cacheDir: string | undefined;
  trace: TraceCategory[];
  /** `-D FILE`: the log goes to this file instead of stderr. */
  logFile: string | undefined;
  /** Exit on a guest reset instead of rebooting. */
  noReboot: boolean;
  /** Print where the bytes came from and the FS-Cache statistics on exit. */
  stats: boolean;
  /** Give the guest a virtio console too. */
  virtioConsole: boolean;
  /** Where the PL011 goes. */
  serial: SerialTarget;
  /** Where the monitor is: behind Ctrl-A c on the serial terminal, on stdio alone, or nowhere. */
  monitor: 'mux' | 'stdio' | 'none';
  /** The gdb stub's address, when asked for. */
  gdb: GdbListen | undefined;
  /** `-S`: do not start the vCPUs until gdb says so. */
  freeze: boolean;
  /** Files copied into guest memory after the kernel is loaded. */
  loaders: LoaderOption[];
  /** `-device pci-testdev`. */
  pciTestdev: boolean;
  /** Run a zImage's own decompressor in the guest instead of unpacking it on the host. */
  guestDecompress: boolean;
}

export const RUN_USAGE = `usage: armvm run --kernel IMAGE [options]
Boots IMAGE (an ELF, or a raw image or zImage by the Linux boot protocol) on the virt board.
IMAGE, --initrd and --drive may be paths or http(s) URLs; URLs are read through FS-Cache.
QEMU's spellings work: -kernel, -M virt,highmem=off, -cpu cortex-a15, -nographic, -serial stdio ...

  --kernel IMAGE        the kernel (also -kernel)
  --initrd FILE         initial ramdisk
  --append "ARGS"       kernel command line
  --dtb FILE            a device tree to use instead of the generated one
  -m, --mem SIZE        guest RAM: a number of MiB, or with a suffix K, M, G (default 128M)
  --smp N               number of vCPUs, 1-8 (also cpus=N)
  -M, --machine virt[,highmem=off][,gic-version=2]   the only machine (highmem is always off)
  -cpu cortex-a15       the only CPU
  --drive FILE|URL      a virtio block device (also file=FILE[,readonly=on][,serial=S]); URLs are read-only
  -drive if=none,file=FILE,format=raw,id=ID -device virtio-blk-device,drive=ID[,serial=S]
                        the same, spelled as QEMU does
  --virtio-console      add a virtio console beside the PL011 (also -chardev stdio,id=C
                        -device virtio-serial-device -device virtconsole,chardev=C)
  -device loader,file=FILE,addr=ADDR   copy FILE into guest memory at ADDR
  -device pci-testdev   QEMU's PCI test device on the PCIe host (for kvm-unit-tests' pci-test)
  -serial stdio|mon:stdio|null|file:PATH   where the PL011 goes (default stdio)
  -monitor stdio|none   the monitor on the terminal (the PL011 then goes nowhere unless -serial
                        says where), or no monitor; by default it shares the terminal (Ctrl-A c)
  -nographic, -display none, -nodefaults, -nic none, -accel tcg|kvm
                        accepted for QEMU's command lines (armvm has no display or network;
                        -nodefaults without -serial leaves the PL011 unconnected, as in QEMU)
  -s                    gdb stub on TCP port 1234 (same as -gdb tcp::1234)
  -gdb tcp:[HOST]:PORT  gdb stub on HOST:PORT (default host 127.0.0.1)
  -S                    do not start the guest until gdb says so
  -d, --trace LIST      log: int, in_asm, exec, guest_errors, unimp, mmu, cpu_reset, exit, mmio,
                        psci, kvm, boot, all (-d help lists them)
  -D FILE               write the log to FILE instead of stderr
  --cache DIR           FS-Cache directory for URLs (default $XDG_CACHE_HOME/fscache)
  --no-cache            read URLs without a cache
  --no-reboot           exit when the guest resets instead of rebooting it
  --guest-decompress    let a zImage decompress itself in the guest (by default armvm unpacks an
                        XZ or gzip zImage on the host and enters the kernel where its
                        decompressor would: the same boot, seconds sooner)
  --stats               on exit, print the guest's instructions, MIPS and translated blocks, what was read
                        from the cache and the network, and FS-Cache stats
  --version             armvm's version
  -h, --help            this text

The PL011 is the terminal. Ctrl-A c switches to the monitor and back (help lists its commands:
info registers, info cpus, x, stop, cont, quit ...), Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A,
Ctrl-A h lists the keys.
Exit status: 0 when the guest powers off (PSCI SYSTEM_OFF) or is quit; 1 on a guest crash
or a host error; 2 on bad arguments.
`;

/** Options QEMU spells with one dash; they are accepted that way too. */
const SINGLE_DASH_LONG = new Set([
  'kernel',
  'initrd',
  'append',
  'dtb',
  'mem',
  'smp',
  'drive',
  'trace',
  'machine',
  'cpu',
  'nographic',
  'serial',
  'nodefaults',
  'display',
  'no-reboot',
  'device',
  'chardev',
  'global',
  'gdb',
  'monitor',
  'version',
  'nic',
  'net',
  'accel',
  'enable-kvm',
  'help',
]);

const MAX_CPUS = 8;

/** QEMU's size syntax: a number of MiB, or a number with a K, M, G or T suffix (optionally "B"). */
export function parseRamSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)[bB]?$/.exec(text.trim());
  if (!m) throw new UsageError(`bad memory size "${text}" (try 512, 512M or 1G)`);
  const unit = { '': 2 ** 20, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2]!.toLowerCase()]!;
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes < 2 ** 20) throw new UsageError(`memory size "${text}" is below 1 MiB`);
  if (bytes % 4096 !== 0) throw new UsageError(`memory size "${text}" is not a whole number of 4 KiB pages`);
  if (bytes > VIRT_MAX_RAM) {
    throw new UsageError(
      `memory size "${text}" is more than the virt board holds below 4 GiB (3G with highmem off)`,
    );
  }
  return bytes;
}

function parseSmp(text: string): number {
  const value = text.startsWith('cpus=') ? text.slice(5) : text.split(',')[0]!;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CPUS) {
    throw new UsageError(`bad --smp "${text}": the number of vCPUs must be 1 to ${MAX_CPUS}`);
  }
  return n;
}

/** `-M virt[,highmem=off][,gic-version=2]`: the one machine we have, checked property by property. */
function checkMachine(text: string): void {
  const o = parseQemuOpts('-machine', text, 'type');
  if (o.implied !== 'virt') {
    throw new UsageError(`-machine ${o.implied ?? text}: not supported (armvm has the virt machine only)`);
  }
  onlyProps('-machine', o, ['highmem', 'gic-version', 'accel']);
  const highmem = o.props.get('highmem');
  if (highmem !== undefined && qemuBool('-machine', 'highmem', highmem)) {
    throw new UsageError('-machine highmem=on: not supported (32-bit guests: highmem is always off)');
  }
  const gic = o.props.get('gic-version');
  if (gic !== undefined && gic !== '2') {
    throw new UsageError(`-machine gic-version=${gic}: not supported (the VGIC is version 2)`);
  }
  const accel = o.props.get('accel');
  if (accel !== undefined) checkAccel(accel);
}

/** QEMU's accelerators: both mean the software KVM here. */
function checkAccel(text: string): void {
  const name = text.split(',')[0]!;
  if (name !== 'tcg' && name !== 'kvm') {
    throw new UsageError(`-accel ${name}: not supported (armvm runs on its KVM; tcg and kvm are accepted)`);
  }
}

/** `-gdb tcp:[HOST]:PORT` (QEMU's chardev syntax, TCP only). */
export function parseGdbListen(text: string): GdbListen {
  const m = /^tcp:([^:]*):(\d+)$/.exec(text) ?? /^:?(?:())(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) {
    throw new UsageError(`-gdb ${text}: not supported (tcp::PORT or tcp:HOST:PORT)`);
  }
  return { host: m[1] || '127.0.0.1', port };
}

/** parseArgs' message without its long advice about positionals. */
function shortParseError(err: Error): string {
  return err.message.split('. ')[0]!.replace(/\.$/, '');
}

/** Parses `argv` (after `run`); `defaultCache` is used unless --cache or --no-cache is given. */
export function parseRunOptions(
  argv: readonly string[],
  defaultCache: string,
): RunOptions | 'help' | 'version' | 'trace-help' {
  const args = argv.map((a) =>
    /^-[a-z]{2,}/.test(a) && SINGLE_DASH_LONG.has(a.slice(1).split('=')[0]!) ? `-${a}` : a,
  );
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        kernel: { type: 'string' },
        initrd: { type: 'string' },
        append: { type: 'string' },
        dtb: { type: 'string' },
        mem: { type: 'string', short: 'm' },
        smp: { type: 'string' },
        machine: { type: 'string', short: 'M' },
        cpu: { type: 'string' },
        drive: { type: 'string', multiple: true },
        device: { type: 'string', multiple: true },
        chardev: { type: 'string', multiple: true },
        global: { type: 'string', multiple: true },
        serial: { type: 'string', multiple: true },
        monitor: { type: 'string' },
        nographic: { type: 'boolean' },
        nodefaults: { type: 'boolean' },
        display: { type: 'string' },
        nic: { type: 'string' },
        net: { type: 'string' },
        accel: { type: 'string' },
        'enable-kvm': { type: 'boolean' },
        'virtio-console': { type: 'boolean' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean' },
        trace: { type: 'string', short: 'd', multiple: true },
        logfile: { type: 'string', short: 'D' },
        gdb: { type: 'string' },
        'gdb-default': { type: 'boolean', short: 's' },
        freeze: { type: 'boolean', short: 'S' },
        'no-reboot': { type: 'boolean' },
        'guest-decompress': { type: 'boolean' },
        stats: { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(shortParseError(err as Error));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.version) return 'version';
  try {
    return buildOptions(v, defaultCache);
  } catch (err) {
    if (err instanceof QemuOptsError) throw new UsageError(err.message);
    throw err;
  }
}

type ParsedValues = {
  [key: string]: string | boolean | (string | boolean)[] | undefined;
};

function buildOptions(values: ParsedValues, defaultCache: string): RunOptions | 'trace-help' {
  const str = (k: string) => values[k] as string | undefined;
  const list = (k: string) => (values[k] as string[] | undefined) ?? [];
  const flag = (k: string) => (values[k] as boolean | undefined) ?? false;
  if (list('trace').includes('help')) return 'trace-help';
  const kernel = str('kernel');
  if (!kernel) throw new UsageError('no kernel given (--kernel IMAGE)');
  if (str('cache') !== undefined && flag('no-cache'))
    throw new UsageError('--cache and --no-cache contradict each other');
  if (str('machine') !== undefined) checkMachine(str('machine')!);
  const cpu = str('cpu');
  if (cpu !== undefined && cpu !== 'cortex-a15') {
    throw new UsageError(`-cpu ${cpu}: not supported (armvm's CPU is the cortex-a15)`);
  }
  const display = str('display');
  if (display !== undefined && display !== 'none') {
    throw new UsageError(`-display ${display}: not supported (armvm has no display; -display none)`);
  }
  for (const key of ['nic', 'net']) {
    const value = str(key);
    if (value !== undefined && value !== 'none') {
      throw new UsageError(`-${key} ${value}: not supported (armvm has no network device; -${key} none)`);
    }
  }
  if (str('accel') !== undefined) checkAccel(str('accel')!);
  let trace: TraceCategory[];
  try {
    trace = list('trace').flatMap((l) => Trace.parse(l));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const devices = resolveDevices({
    drive: list('drive'),
    device: list('device'),
    chardev: list('chardev'),
    serial: list('serial'),
    global: list('global'),
  });
  const monitorArg = str('monitor');
  if (monitorArg !== undefined && !['stdio', 'none', 'mon:stdio'].includes(monitorArg)) {
    throw new UsageError(`-monitor ${monitorArg}: not supported (stdio or none)`);
  }
  // as QEMU: -monitor wins; else the monitor shares the serial terminal, unless -nodefaults
  const monitor: RunOptions['monitor'] =
    monitorArg === 'none'
      ? 'none'
      : monitorArg !== undefined
        ? 'stdio'
        : devices.serialMonitor || !flag('nodefaults')
          ? 'mux'
          : 'none';
  if (monitor === 'stdio' && devices.serial?.kind === 'stdio') {
    throw new UsageError('-serial and -monitor both want stdio (use -serial mon:stdio to share it)');
  }
  // QEMU: -nodefaults drops the default serial port, and so does a monitor on stdio (the port's
  // default place would be a graphical console); an explicit -serial still connects it
  const serial =
    devices.serial ??
    (flag('nodefaults') || monitor === 'stdio' ? { kind: 'null' as const } : { kind: 'stdio' as const });
  let gdb: GdbListen | undefined;
  if (str('gdb') !== undefined) gdb = parseGdbListen(str('gdb')!);
  else if (flag('gdb-default')) gdb = { host: '127.0.0.1', port: 1234 };
  return {
    kernel,
    initrd: str('initrd'),
    append: str('append'),
    dtb: str('dtb'),
    ramSize: str('mem') === undefined ? 128 * 2 ** 20 : parseRamSize(str('mem')!),
    smp: str('smp') === undefined ? 1 : parseSmp(str('smp')!),
    drives: devices.drives,
    cacheDir: flag('no-cache') ? undefined : (str('cache') ?? defaultCache),
    trace,
    logFile: str('logfile'),
    noReboot: flag('no-reboot'),
    stats: flag('stats'),
    virtioConsole: flag('virtio-console') || devices.virtioConsole,
    serial,
    monitor,
    gdb,
    freeze: flag('freeze'),
    loaders: devices.loaders,
    pciTestdev: devices.pciTestdev,
    guestDecompress: flag('guest-decompress'),
  };
}
