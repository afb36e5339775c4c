/**
 * Where the kernel, initrd and device tree go in RAM and how the boot CPU starts, at the addresses
 * QEMU's direct kernel boot uses for 32-bit ARM:
 *
 *   ELF          loaded at its physical addresses, entered at its entry point (bit 0 = Thumb)
 *   raw/zImage   RAM + 0x10000, entered in ARM state with r0 = 0, r1 = ~0, r2 = device tree
 *   initrd       RAM + min(RAM / 2, 128 MiB), above the kernel, page aligned
 *   device tree  after the initrd, 4 KiB aligned (raw images only: an ELF is not a Linux kernel)
 */
import { ElfError, parseElf } from '@armvm/arm';
import type { CPUARMState } from '../target-arm/cpu-arm-state.ts';

/** Stable codes of image problems. */
export type BootErrorCode = 'ARMVM_EMPTY_IMAGE' | 'ARMVM_CORRUPT_IMAGE' | 'ARMVM_IMAGE_TOO_LARGE';

/** An image that cannot be booted as given. */
export class BootError extends Error {
  readonly code: BootErrorCode;
  constructor(code: BootErrorCode, message: string) {
    super(message);
    this.name = 'BootError';
    this.code = code;
  }
}

/** Offset of a raw kernel from the start of RAM (QEMU's KERNEL_LOAD_ADDR). */
export const KERNEL_LOAD_OFFSET = 0x00010000;
const PAGE = 0x1000;
const MiB = 1 << 20;
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** Bytes to place at a guest physical address. */
export interface BootBlob {
  readonly name: string;
  readonly address: number;
  readonly data: Uint8Array;
}

/** What `planBoot` decided. */
export interface BootPlan {
  /** 'elf' for an ELF executable, 'linux' for a raw image booted by the Linux protocol. */
  readonly kind: 'elf' | 'linux';
  readonly entry: number;
  readonly blobs: readonly BootBlob[];
  /** Initrd placement, when there is one. */
  readonly initrd: { start: number; end: number } | undefined;
  /** Where the device tree is, when the guest gets one. */
  readonly dtbAddress: number | undefined;
  /** Puts the boot CPU's registers in the entry state (after its reset). */
  setEntryState(env: CPUARMState): void;
}

/** Inputs of `planBoot`. */
export interface BootInputs {
  kernel: Uint8Array;
  kernelName: string;
  ramBase: number;
  ramSize: number;
  initrd?: Uint8Array;
  /** The device tree, given the initrd's final placement. */
  dtb: (initrd: { start: number; end: number } | undefined) => Uint8Array;
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function isElf(bytes: Uint8Array): boolean {
  return ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** Decides where everything goes; throws a `BootError` for an image that cannot boot. */
export function planBoot(o: BootInputs): BootPlan {
  const ramEnd = o.ramBase + o.ramSize;
  if (o.kernel.length === 0) throw new BootError('ARMVM_EMPTY_IMAGE', `kernel '${o.kernelName}' is empty`);
  if (o.kernel.length > o.ramSize) {
    throw new BootError(
      'ARMVM_IMAGE_TOO_LARGE',
      `kernel '${o.kernelName}' is too large to fit in RAM (kernel size ${o.kernel.length}, RAM size ${o.ramSize})`,
    );
  }
  if (isElf(o.kernel)) {
    let image;
    try {
      image = parseElf(o.kernel);
    } catch (err) {
      const why = err instanceof ElfError ? err.message : String(err);
      throw new BootError('ARMVM_CORRUPT_IMAGE', `kernel '${o.kernelName}' is not a valid ARM ELF: ${why}`);
    }
    const blobs: BootBlob[] = [];
    for (const [i, seg] of image.segments.entries()) {
      if (seg.memsz === 0) continue;
      if (seg.paddr < o.ramBase || seg.paddr + seg.memsz > ramEnd) {
        throw new BootError(
          seg.memsz > o.ramSize ? 'ARMVM_IMAGE_TOO_LARGE' : 'ARMVM_CORRUPT_IMAGE',
          `kernel '${o.kernelName}': segment ${i} (${hex(seg.paddr)}+${hex(seg.memsz)}) is outside RAM (${hex(o.ramBase)}-${hex(ramEnd)})`,
        );
      }
      blobs.push({ name: `${o.kernelName} segment ${i}`, address: seg.paddr, data: seg.data });
    }
    const entry = image.entry;
    return {
      kind: 'elf',
      entry,
      blobs,
      initrd: undefined,
      dtbAddress: undefined,
      setEntryState: (env) => {
        env.thumb = entry & 1;
        env.regs[15] = entry & ~1;
      },
    };
  }

  // A raw image or zImage: the Linux boot protocol.
  const entry = o.ramBase + KERNEL_LOAD_OFFSET;
  if (entry + o.kernel.length > ramEnd) {
    throw new BootError(
      'ARMVM_IMAGE_TOO_LARGE',
      `kernel '${o.kernelName}' is too large to fit in RAM (kernel size ${o.kernel.length}, RAM size ${o.ramSize})`,
    );
  }
  const blobs: BootBlob[] = [{ name: o.kernelName, address: entry, data: o.kernel }];
  let initrdStart = o.ramBase + Math.min(o.ramSize / 2, 128 * MiB);
  initrdStart = alignUp(Math.max(initrdStart, entry + o.kernel.length), PAGE);
  let initrd: { start: number; end: number } | undefined;
  if (o.initrd) {
    if (initrdStart + o.initrd.length > ramEnd) {
      throw new BootError(
        'ARMVM_IMAGE_TOO_LARGE',
        `not enough space after the kernel for the initrd (${o.initrd.length} bytes at ${hex(initrdStart)}, RAM ends at ${hex(ramEnd)})`,
      );
    }
    initrd = { start: initrdStart, end: initrdStart + o.initrd.length };
    blobs.push({ name: 'initrd', address: initrdStart, data: o.initrd });
  }
  const dtb = o.dtb(initrd);
  const dtbAddress = alignUp(initrdStart + (o.initrd?.length ?? 0), PAGE);
  if (dtbAddress + dtb.length > ramEnd) {
    throw new BootError('ARMVM_IMAGE_TOO_LARGE', `no room for the device tree below ${hex(ramEnd)}`);
  }
  blobs.push({ name: 'dtb', address: dtbAddress, data: dtb });
  return {
    kind: 'linux',
    entry,
    blobs,
    initrd,
    dtbAddress,
    setEntryState: (env) => {
      env.regs[0] = 0;
      env.regs[1] = 0xffffffff; // no machine number: the device tree describes the board
      env.regs[2] = dtbAddress;
      env.thumb = 0;
      env.regs[15] = entry;
    },
  };
}
