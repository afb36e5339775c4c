/**
 * The options of `armvm run`, parsed the way QEMU users expect: `-kernel` and `--kernel` alike,
 * `-m 512`, `-m 1G`, `--smp 2` or `--smp cpus=2`, `--drive FILE` or `--drive file=FILE,readonly=on`.
 */
import { parseArgs } from 'node:util';
import { Trace, type TraceCategory } from '../accel/trace.ts';
import { VIRT_MAX_RAM } from '../hw/virt-memmap.ts';
import { isUrl } from '../loader/image-file.ts';

/** Bad command-line arguments; the message says what to fix. */
export class UsageError extends Error {
  readonly code = 'ARMVM_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A block device from `--drive`. */
export interface DriveOption {
  /** A path or an http(s) URL. */
  readonly source: string;
  readonly readOnly: boolean;
  /** The serial number the device reports (empty when not given). */
  readonly serial: string;
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
  /** Exit on a guest reset instead of rebooting. */
  noReboot: boolean;
  /** Print where the bytes came from and the FS-Cache statistics on exit. */
  stats: boolean;
  /** Give the guest a virtio console too. */
  virtioConsole: boolean;
}

export const RUN_USAGE = `usage: armvm run --kernel IMAGE [options]
Boots IMAGE (an ELF, or a raw image or zImage by the Linux boot protocol) on the virt board.
IMAGE, --initrd and --drive may be paths or http(s) URLs; URLs are read through FS-Cache.

  --kernel IMAGE        the kernel (also -kernel)
  --initrd FILE         initial ramdisk
  --append "ARGS"       kernel command line
  --dtb FILE            a device tree to use instead of the generated one
  -m, --mem SIZE        guest RAM: a number of MiB, or with a suffix K, M, G (default 128M)
  --smp N               number of vCPUs, 1-8 (also cpus=N)
  --drive FILE|URL      a virtio block device (also file=FILE[,readonly=on][,serial=S]); URLs are read-only
  --virtio-console      add a virtio console beside the PL011
  --cache DIR           FS-Cache directory for URLs (default $XDG_CACHE_HOME/fscache)
  --no-cache            read URLs without a cache
  -d, --trace LIST      log categories: unimp, guest_errors, exit, mmio, psci, kvm, boot, all
  --no-reboot           exit when the guest resets instead of rebooting it
  --stats               on exit, print the guest's instructions, MIPS and translated blocks, what was read
                        from the cache and the network, and FS-Cache stats
  -h, --help            this text

The PL011 is the terminal. Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A h lists the keys.
Exit status: 0 when the guest powers off (PSCI SYSTEM_OFF) or is quit; 1 on a guest crash or a
host error; 2 on bad arguments.
`;

/** Options QEMU spells with one dash; they are accepted that way too. */
const SINGLE_DASH_LONG = new Set(['kernel', 'initrd', 'append', 'dtb', 'mem', 'smp', 'drive', 'trace']);

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

function parseDrive(text: string): DriveOption {
  if (!text.includes('=')) return { source: text, readOnly: isUrl(text), serial: '' };
  let source: string | undefined;
  let readOnly = false;
  let serial = '';
  for (const part of text.split(',')) {
    const [key, value = ''] = part.split('=', 2) as [string, string?];
    switch (key) {
      case 'file':
        source = value;
        break;
      case 'readonly':
        readOnly = value === 'on' || value === 'true' || value === '';
        break;
      case 'serial':
        serial = value;
        break;
      case 'if':
        if (value !== 'virtio') throw new UsageError(`--drive ${text}: only if=virtio is supported`);
        break;
      case 'format':
        if (value !== 'raw') throw new UsageError(`--drive ${text}: only format=raw is supported`);
        break;
      default:
        throw new UsageError(`--drive ${text}: unknown property "${key}"`);
    }
  }
  if (!source) throw new UsageError(`--drive ${text}: no file= given`);
  if (isUrl(source)) readOnly = true;
  return { source, readOnly, serial };
}

/** Parses `argv` (after `run`); `defaultCache` is used unless --cache or --no-cache is given. */
export function parseRunOptions(argv: readonly string[], defaultCache: string): RunOptions | 'help' {
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
        drive: { type: 'string', multiple: true },
        'virtio-console': { type: 'boolean' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean' },
        trace: { type: 'string', short: 'd', multiple: true },
        'no-reboot': { type: 'boolean' },
        stats: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (!v.kernel) throw new UsageError('no kernel given (--kernel IMAGE)');
  if (v.cache !== undefined && v['no-cache'])
    throw new UsageError('--cache and --no-cache contradict each other');
  let trace: TraceCategory[];
  try {
    trace = (v.trace ?? []).flatMap((list) => Trace.parse(list));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    kernel: v.kernel,
    initrd: v.initrd,
    append: v.append,
    dtb: v.dtb,
    ramSize: v.mem === undefined ? 128 * 2 ** 20 : parseRamSize(v.mem),
    smp: v.smp === undefined ? 1 : parseSmp(v.smp),
    drives: (v.drive ?? []).map(parseDrive),
    cacheDir: v['no-cache'] ? undefined : (v.cache ?? defaultCache),
    trace,
    noReboot: v['no-reboot'] ?? false,
    stats: v.stats ?? false,
    virtioConsole: v['virtio-console'] ?? false,
  };
}
