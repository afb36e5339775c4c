/**
 * The Linux ARM boot protocol at QEMU's addresses (hw/arm/boot.c): a raw image or zImage at RAM
 * base + 0x10000; the initrd at base + min(RAM/2, 128 MiB), page aligned and never below the
 * kernel's end; the device tree on the next 4 KiB boundary after the initrd. The boot CPU enters
 * the kernel in SVC mode, interrupts masked, MMU off, with r0 = 0, r1 = ~0 (no machine number:
 * the device tree describes the board) and r2 = the device tree's address. A kernel unpacked from
 * its zImage on the host goes where the zImage's decompressor would have put it, and is entered
 * the same way.
 */
import { BOOT_CPSR, type BootEntry } from './boot-entry.ts';
import { type GuestRam, placeInRam } from './guest-ram.ts';
import type { KernelImage } from './kernel-image.ts';
import { LoaderError } from './loader-error.ts';

/** Offset of a raw kernel from RAM's base (QEMU's KERNEL_LOAD_ADDR). */
export const KERNEL_LOAD_OFFSET = 0x00010000;
/** The initrd goes at most this far into RAM (QEMU: min(ram_size / 2, 128 MiB)). */
export const INITRD_MAX_OFFSET = 128 * 1024 * 1024;
/** Device tree alignment for 32-bit kernels, which may clobber the page the initrd ends in. */
export const DTB_ALIGN = 4096;
const PAGE = 4096;
/** r1 for device tree boot: the "no machine type" number QEMU's virt board passes. */
export const NO_MACHINE_TYPE = 0xffffffff;

/** Where things went. */
export interface LinuxBootLayout {
  readonly kernel: { readonly address: number; readonly size: number };
  readonly initrd: { readonly start: number; readonly end: number } | undefined;
  readonly dtb: { readonly address: number; readonly size: number };
  readonly entry: BootEntry;
  /** CPSR to enter with. */
  readonly cpsr: number;
}

/** What to boot. */
export interface LinuxBootInput {
  readonly kernel: KernelImage;
  readonly kernelName: string;
  /**
   * For a kernel unpacked from its zImage: its offset from RAM's base (TEXT_OFFSET, where the
   * decompressor would have put it) and the BSS it clears past its end, kept free of the initrd.
   */
  readonly unpacked?: { readonly textOffset: number; readonly bssSize: number };
  readonly initrd?: Uint8Array;
  readonly initrdName?: string;
  /** Builds the device tree once the initrd's place is known. */
  readonly dtb: (initrd: { start: number; end: number } | undefined) => Uint8Array;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Loads kernel, initrd and device tree into `ram` and returns the layout and entry state. */
export function loadLinux(ram: GuestRam, input: LinuxBootInput): LinuxBootLayout {
  const ramSize = ram.bytes.length;
  const ramEnd = ram.base + ramSize;
  const kernelBytes = input.kernel.bytes;
  const offset = input.unpacked?.textOffset ?? KERNEL_LOAD_OFFSET;
  const kernelAddress = ram.base + offset;
  const footprint = kernelBytes.length + (input.unpacked?.bssSize ?? 0);
  if (footprint > ramSize - offset) {
    throw new LoaderError(
      'LOADER_TOO_BIG',
      `${input.kernelName}: kernel image (${footprint} bytes) does not fit in RAM (${ramSize} bytes, loaded at +0x${offset.toString(16)})`,
    );
  }
  placeInRam(ram, kernelAddress, kernelBytes, input.kernelName);
  const kernelEnd = kernelAddress + footprint;

  let initrd: { start: number; end: number } | undefined;
  let initrdEnd = ram.base + Math.min(ramSize / 2, INITRD_MAX_OFFSET);
  initrdEnd = alignUp(Math.max(initrdEnd, kernelEnd), PAGE);
  if (input.initrd !== undefined) {
    const start = initrdEnd;
    const name = input.initrdName ?? 'initrd';
    if (start + input.initrd.length > ramEnd) {
      throw new LoaderError(
        'LOADER_TOO_BIG',
        `${name}: initrd (${input.initrd.length} bytes) does not fit in RAM after the kernel (room for ${Math.max(0, ramEnd - start)} bytes at 0x${start.toString(16)})`,
      );
    }
    placeInRam(ram, start, input.initrd, name);
    initrd = { start, end: start + input.initrd.length };
    initrdEnd = initrd.end;
  }

  const dtb = input.dtb(initrd);
  const dtbAddress = alignUp(initrdEnd, DTB_ALIGN);
  if (dtbAddress + dtb.length > ramEnd) {
    throw new LoaderError(
      'LOADER_TOO_BIG',
      'not enough RAM left for the device tree after the kernel and initrd',
    );
  }
  placeInRam(ram, dtbAddress, dtb, 'device tree');

  return {
    kernel: { address: kernelAddress, size: kernelBytes.length },
    initrd,
    dtb: { address: dtbAddress, size: dtb.length },
    entry: { pc: kernelAddress, thumb: false, r0: 0, r1: NO_MACHINE_TYPE, r2: dtbAddress },
    cpsr: BOOT_CPSR,
  };
}
