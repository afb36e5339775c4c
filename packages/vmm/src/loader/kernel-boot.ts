/**
 * Puts a guest into RAM as `-kernel` does on QEMU's virt board: an ELF at its own addresses (the
 * device tree at RAM's base when the image leaves room there), anything else through the Linux
 * boot protocol. The device tree is generated for the board, or a user's tree with /chosen updated.
 */
import { FdtError } from '../fdt/fdt-error.ts';
import { readFdt } from '../fdt/fdt-reader.ts';
import { writeFdt } from '../fdt/fdt-writer.ts';
import { virtDeviceTree } from '../fdt/virt-device-tree.ts';
import { BOOT_CPSR, type BootEntry } from './boot-entry.ts';
import { loadElf } from './elf-loader.ts';
import { type GuestRam, placeInRam } from './guest-ram.ts';
import { classifyKernel, type KernelImage } from './kernel-image.ts';
import { loadLinux } from './linux-boot.ts';
import { LoaderError } from './loader-error.ts';
import { type UnpackedKernel, unpackZImage } from './zimage-unpack.ts';

/** What to boot. */
export interface KernelBootOptions {
  /** Kernel bytes and the name used in messages (its path or URL). */
  kernel: Uint8Array;
  kernelName: string;
  initrd?: Uint8Array;
  initrdName?: string;
  /** Kernel command line. */
  bootargs?: string;
  /** CPUs the device tree lists. */
  cpus: number;
  /** A device tree to use instead of the generated one (its /chosen is updated). */
  dtb?: Uint8Array;
  /**
   * False to run a zImage's own decompressor in the guest. By default an XZ or gzip zImage is
   * unpacked on the host and the kernel entered as its decompressor would enter it.
   */
  unpackZImage?: boolean;
}

/** What was loaded where, and how the boot CPU starts. */
export interface KernelBootResult {
  readonly kind: KernelImage['kind'];
  readonly entry: BootEntry;
  readonly cpsr: number;
  readonly dtb: { readonly address: number; readonly size: number } | undefined;
  readonly initrd: { readonly start: number; readonly end: number } | undefined;
  /** Things the user may want to know (e.g. an initrd ignored for an ELF). */
  readonly notes: readonly string[];
}

/** Loads the kernel (and initrd and device tree) into `ram`. */
export function bootKernel(ram: GuestRam, options: KernelBootOptions): KernelBootResult {
  const kernel = classifyKernel(options.kernel, options.kernelName);
  const makeDtb = (initrd: { start: number; end: number } | undefined): Uint8Array => {
    const base = {
      ramSize: ram.bytes.length,
      cpus: options.cpus,
      ...(options.bootargs !== undefined ? { bootargs: options.bootargs } : {}),
      ...(initrd !== undefined ? { initrd } : {}),
    };
    return options.dtb === undefined
      ? virtDeviceTree(base)
      : patchChosen(options.dtb, options.bootargs, initrd);
  };

  if (kernel.kind === 'elf') {
    const notes: string[] = [];
    const elf = loadElf(ram, kernel.bytes, options.kernelName);
    if (options.initrd !== undefined)
      notes.push('an ELF kernel is not a Linux image: the initrd was not loaded');
    let dtb: { address: number; size: number } | undefined;
    const blob = makeDtb(undefined);
    if (elf.dtbRoom && elf.dtbRoom.address + blob.length <= elf.dtbRoom.limit) {
      placeInRam(ram, elf.dtbRoom.address, blob, 'device tree');
      dtb = { address: elf.dtbRoom.address, size: blob.length };
    } else {
      notes.push('no room for the device tree below the ELF image: not loaded');
    }
    return { kind: 'elf', entry: elf.entry, cpsr: BOOT_CPSR, dtb, initrd: undefined, notes };
  }

  const notes: string[] = [];
  let image = kernel;
  let unpacked: UnpackedKernel | undefined;
  if (kernel.kind === 'zimage' && options.unpackZImage !== false) {
    const result = unpackOnce(kernel, options.kernelName);
    if (typeof result === 'string') notes.push(`${result}: booting the zImage with its own decompressor`);
    else {
      unpacked = result;
      image = { kind: 'raw', bytes: result.image };
      notes.push(
        `unpacked the zImage's ${result.format} payload on the host: ${result.image.length} bytes at +0x${result.textOffset.toString(16)}`,
      );
    }
  }
  const layout = loadLinux(ram, {
    kernel: image,
    kernelName: options.kernelName,
    ...(unpacked !== undefined ? { unpacked } : {}),
    ...(options.initrd !== undefined
      ? { initrd: options.initrd, initrdName: options.initrdName ?? 'initrd' }
      : {}),
    dtb: makeDtb,
  });
  return {
    kind: kernel.kind,
    entry: layout.entry,
    cpsr: layout.cpsr,
    dtb: layout.dtb,
    initrd: layout.initrd,
    notes,
  };
}

/** Unpacked kernels by zImage bytes, so a reboot does not unpack again. */
const unpackedImages = new WeakMap<Uint8Array, UnpackedKernel | string>();

function unpackOnce(zimage: KernelImage & { kind: 'zimage' }, name: string): UnpackedKernel | string {
  let result = unpackedImages.get(zimage.bytes);
  if (result === undefined) {
    result = unpackZImage(zimage, name);
    unpackedImages.set(zimage.bytes, result);
  }
  return result;
}

/** A user's device tree with /chosen's bootargs and initrd set as QEMU sets them. */
function patchChosen(
  blob: Uint8Array,
  bootargs: string | undefined,
  initrd: { start: number; end: number } | undefined,
): Uint8Array {
  let parsed;
  try {
    parsed = readFdt(blob);
  } catch (err) {
    if (err instanceof FdtError)
      throw new LoaderError('LOADER_BAD_DTB', `device tree: ${err.message}`, { cause: err });
    throw err;
  }
  const chosen = parsed.root.child('chosen') ?? parsed.root.add('chosen');
  if (bootargs !== undefined && bootargs !== '') chosen.set('bootargs', bootargs);
  if (initrd !== undefined)
    chosen.set('linux,initrd-start', initrd.start).set('linux,initrd-end', initrd.end);
  return writeFdt(parsed.root, { reservations: parsed.reservations, bootCpuId: parsed.bootCpuId });
}
