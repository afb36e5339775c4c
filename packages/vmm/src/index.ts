/** The VMM: ARM KVM hooks, memory API, virt board, devices, loaders and the armvm command. */

// machine parts
export * from './memory/index.ts';
export * from './hw/index.ts';
export * from './loader/index.ts';
export * from './fdt/index.ts';
