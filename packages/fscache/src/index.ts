/** FS-Cache core: the public surface. */
export {};
