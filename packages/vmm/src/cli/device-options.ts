/**
 * QEMU's way of naming back-ends and front-ends on the command line, turned into what the virt
 * board takes: `-drive if=none,id=d0` with `-device virtio-blk-device,drive=d0`, `-chardev
 * stdio,id=c0` with `-serial chardev:c0` and `-device virtconsole,chardev=c0`, `-serial
 * stdio|mon:stdio|null|file:PATH`, `-device loader,file=F,addr=A`, `-device pci-testdev` and `-global
 * virtio-mmio.force-legacy=false` (our transport is the modern one only).
 */
import { isUrl } from '../loader/image-file.ts';
import { onlyProps, parseQemuOpts, qemuBool, QemuOptsError } from './qemu-opts.ts';

/** A block device from `--drive`, or from `-drive if=none` with its `-device virtio-blk-device`. */
export interface DriveOption {
  /** A path or an http(s) URL. */
  readonly source: string;
  readonly readOnly: boolean;
  /** The serial number the device reports (empty when not given). */
  readonly serial: string;
}

/** Where the PL011's output goes and its input comes from. */
export type SerialTarget =
  { readonly kind: 'stdio' } | { readonly kind: 'null' } | { readonly kind: 'file'; readonly path: string };

/** A file copied into guest memory at a physical address (QEMU's generic loader device). */
export interface LoaderOption {
  readonly file: string;
  readonly addr: number;
}

/** The devices a command line asked for. */
export interface DeviceOptions {
  drives: DriveOption[];
  virtioConsole: boolean;
  /** Undefined when no -serial was given (the caller picks the default). */
  serial: SerialTarget | undefined;
  /** `-serial mon:stdio`: the monitor shares the terminal (Ctrl-A c). */
  serialMonitor: boolean;
  loaders: LoaderOption[];
  /** QEMU's PCI test device on the PCIe host (kvm-unit-tests' pci-test drives it). */
  pciTestdev: boolean;
}

/** The raw option values the resolver reads. */
export interface DeviceArgs {
  drive: readonly string[];
  device: readonly string[];
  chardev: readonly string[];
  serial: readonly string[];
  global: readonly string[];
}

interface DriveDef {
  file: string;
  readOnly: boolean;
  serial: string;
  /** if=none: attached by a -device only. */
  detached: boolean;
  used: boolean;
}

function parseDrive(text: string): DriveDef {
  if (!text.includes('=')) {
    return { file: text, readOnly: isUrl(text), serial: '', detached: false, used: false };
  }
  const o = parseQemuOpts('-drive', text);
  onlyProps('-drive', o, ['file', 'if', 'format', 'id', 'readonly', 'serial', 'media', 'cache']);
  const file = o.props.get('file');
  if (!file) throw new QemuOptsError(`-drive ${text}: no file= given`);
  const iface = o.props.get('if') ?? 'virtio';
  if (iface !== 'virtio' && iface !== 'none') {
    throw new QemuOptsError(`-drive ${text}: if=${iface} is not supported (virtio or none)`);
  }
  const format = o.props.get('format') ?? 'raw';
  if (format !== 'raw') throw new QemuOptsError(`-drive ${text}: only format=raw is supported`);
  const media = o.props.get('media') ?? 'disk';
  if (media !== 'disk') throw new QemuOptsError(`-drive ${text}: only media=disk is supported`);
  const readonly = o.props.get('readonly');
  return {
    file,
    readOnly: isUrl(file) || (readonly !== undefined && qemuBool('-drive', 'readonly', readonly)),
    serial: o.props.get('serial') ?? '',
    detached: iface === 'none',
    used: false,
  };
}

function parseSerial(
  text: string,
  chardevs: ReadonlyMap<string, SerialTarget>,
): {
  target: SerialTarget;
  monitor: boolean;
} {
  if (text === 'stdio') return { target: { kind: 'stdio' }, monitor: false };
  if (text === 'mon:stdio') return { target: { kind: 'stdio' }, monitor: true };
  if (text === 'null' || text === 'none') return { target: { kind: 'null' }, monitor: false };
  if (text.startsWith('file:') && text.length > 5) {
    return { target: { kind: 'file', path: text.slice(5) }, monitor: false };
  }
  if (text.startsWith('chardev:')) {
    const target = chardevs.get(text.slice(8));
    if (!target) throw new QemuOptsError(`-serial ${text}: no -chardev with id "${text.slice(8)}"`);
    return { target, monitor: false };
  }
  throw new QemuOptsError(`-serial ${text}: not supported (stdio, mon:stdio, null, file:PATH, chardev:ID)`);
}

/** A number in QEMU's spelling: decimal, or hexadecimal with 0x. */
function parseAddress(option: string, text: string): number {
  const n = Number(text);
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text) || n > 0xffffffff) {
    throw new QemuOptsError(`${option}: "${text}" is not a 32-bit address`);
  }
  return n;
}

/** Resolves the drive, device, chardev, serial and global options together (they refer to each other). */
export function resolveDevices(a: DeviceArgs): DeviceOptions {
  for (const g of a.global) {
    if (g !== 'virtio-mmio.force-legacy=false') {
      throw new QemuOptsError(`-global ${g}: not supported (armvm's virtio-mmio is the modern transport)`);
    }
  }
  const chardevs = new Map<string, SerialTarget>();
  for (const text of a.chardev) {
    const o = parseQemuOpts('-chardev', text, 'backend');
    onlyProps('-chardev', o, ['id', 'mux', 'signal', 'path']);
    const id = o.props.get('id');
    if (!id) throw new QemuOptsError(`-chardev ${text}: no id= given`);
    if (o.implied === 'stdio') chardevs.set(id, { kind: 'stdio' });
    else if (o.implied === 'null') chardevs.set(id, { kind: 'null' });
    else if (o.implied === 'file' && o.props.get('path'))
      chardevs.set(id, { kind: 'file', path: o.props.get('path')! });
    else
      throw new QemuOptsError(
        `-chardev ${text}: backend "${o.implied}" is not supported (stdio, null, file)`,
      );
  }
  if (a.serial.length > 1) throw new QemuOptsError('the virt board has one serial port; give -serial once');
  const serial = a.serial.length === 1 ? parseSerial(a.serial[0]!, chardevs) : undefined;

  const drives = a.drive.map(parseDrive);
  const byId = new Map<string, DriveDef>();
  a.drive.forEach((text, i) => {
    if (!text.includes('=')) return;
    const id = parseQemuOpts('-drive', text).props.get('id');
    if (id !== undefined) {
      if (byId.has(id)) throw new QemuOptsError(`-drive: id "${id}" given twice`);
      byId.set(id, drives[i]!);
    }
  });
  const out: DriveOption[] = drives
    .filter((d) => !d.detached)
    .map((d) => ({ source: d.file, readOnly: d.readOnly, serial: d.serial }));

  let virtioConsole = false;
  let pciTestdev = false;
  const loaders: LoaderOption[] = [];
  for (const text of a.device) {
    const o = parseQemuOpts('-device', text, 'driver');
    switch (o.implied) {
      case 'virtio-blk-device': {
        onlyProps('-device virtio-blk-device', o, ['drive', 'serial', 'id']);
        const id = o.props.get('drive');
        const d = id === undefined ? undefined : byId.get(id);
        if (!d) throw new QemuOptsError(`-device ${text}: no -drive with id "${id ?? ''}"`);
        if (!d.detached) throw new QemuOptsError(`-device ${text}: drive "${id}" needs if=none`);
        if (d.used) throw new QemuOptsError(`-device ${text}: drive "${id}" is already in use`);
        d.used = true;
        out.push({ source: d.file, readOnly: d.readOnly, serial: o.props.get('serial') ?? d.serial });
        break;
      }
      case 'virtio-serial-device':
        onlyProps('-device virtio-serial-device', o, ['id']);
        break;
      case 'virtconsole': {
        onlyProps('-device virtconsole', o, ['chardev', 'id']);
        const id = o.props.get('chardev');
        if (id === undefined || !chardevs.has(id)) {
          throw new QemuOptsError(`-device ${text}: no -chardev with id "${id ?? ''}"`);
        }
        if (!a.device.some((d) => parseQemuOpts('-device', d, 'driver').implied === 'virtio-serial-device')) {
          throw new QemuOptsError(`-device ${text}: needs -device virtio-serial-device`);
        }
        virtioConsole = true;
        break;
      }
      case 'loader': {
        onlyProps('-device loader', o, ['file', 'addr', 'force-raw']);
        const file = o.props.get('file');
        const addr = o.props.get('addr');
        if (!file || addr === undefined) throw new QemuOptsError(`-device ${text}: needs file= and addr=`);
        loaders.push({ file, addr: parseAddress('-device loader', addr) });
        break;
      }
      case 'pci-testdev':
        onlyProps('-device pci-testdev', o, ['id']);
        if (pciTestdev) throw new QemuOptsError('-device pci-testdev: given twice');
        pciTestdev = true;
        break;
      default:
        throw new QemuOptsError(
          `-device ${o.implied ?? text}: not supported (virtio-blk-device, virtio-serial-device, virtconsole, loader, pci-testdev)`,
        );
    }
  }
  return {
    drives: out,
    virtioConsole,
    serial: serial?.target,
    serialMonitor: serial?.monitor ?? false,
    loaders,
    pciTestdev,
  };
}
