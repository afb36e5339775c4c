/** Loaders: images into guest RAM, the Linux boot protocol, and remote images through the cache. */
export { BOOT_CPSR, type BootEntry } from './boot-entry.ts';
export { type ElfLoadResult, isElf, loadElf } from './elf-loader.ts';
export { type GuestRam, placeInRam } from './guest-ram.ts';
export { isUrl, readImage } from './image-file.ts';
export { bootKernel, type KernelBootOptions, type KernelBootResult } from './kernel-boot.ts';
export { classifyKernel, type KernelImage, ZIMAGE_MAGIC } from './kernel-image.ts';
export {
  DTB_ALIGN,
  INITRD_MAX_OFFSET,
  KERNEL_LOAD_OFFSET,
  type LinuxBootInput,
  type LinuxBootLayout,
  loadLinux,
  NO_MACHINE_TYPE,
} from './linux-boot.ts';
export { LoaderError, type LoaderErrorCode } from './loader-error.ts';
export { openRemoteCache, type RemoteCache, type RemoteCacheOptions } from './remote-cache.ts';
