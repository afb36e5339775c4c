/** The VMM: ARM KVM hooks, memory API, virt board, devices, loaders and the armvm command. */
export {};
