/**
 * Kernel modules in load order. Debian ships no modules.dep (depmod makes it at install time), so
 * each module's dependencies are read from the `depends=` field of its `.modinfo` ELF section.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The NUL-separated key=value strings of an ELF32 module's `.modinfo` section. */
export function modinfo(ko: Uint8Array): Map<string, string> {
  const view = new DataView(ko.buffer, ko.byteOffset, ko.byteLength);
  if (view.getUint32(0) !== 0x7f454c46 || ko[4] !== 1) throw new Error('not an ELF32 module');
  const shoff = view.getUint32(0x20, true);
  const shentsize = view.getUint16(0x2e, true);
  const shnum = view.getUint16(0x30, true);
  const shstrndx = view.getUint16(0x32, true);
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: view.getUint32(at, true),
      offset: view.getUint32(at + 16, true),
      size: view.getUint32(at + 20, true),
    };
  };
  const names = section(shstrndx);
  const text = new TextDecoder('latin1');
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    const nameAt = names.offset + s.name;
    const name = text.decode(ko.subarray(nameAt, ko.indexOf(0, nameAt)));
    if (name !== '.modinfo') continue;
    const info = new Map<string, string>();
    for (const field of text.decode(ko.subarray(s.offset, s.offset + s.size)).split('\0')) {
      const eq = field.indexOf('=');
      if (eq > 0) info.set(field.slice(0, eq), field.slice(eq + 1));
    }
    return info;
  }
  return new Map();
}

/** Every `*.ko` under `dir`, by module name (dashes read as underscores, as the kernel does). */
export function findModules(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ko')) found.set(basename(name, '.ko').replace(/-/g, '_'), path);
    }
  };
  walk(dir);
  return found;
}

/** The files of `wanted` and everything they depend on, each after its dependencies. */
export function loadOrder(wanted: readonly string[], modules: Map<string, string>): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string): void => {
    const file = modules.get(name);
    if (file === undefined) throw new Error(`kernel module ${name} is not in the package`);
    if (order.includes(file)) return;
    if (visiting.has(name)) throw new Error(`kernel modules depend on each other in a cycle at ${name}`);
    visiting.add(name);
    const deps = modinfo(readFileSync(file)).get('depends') ?? '';
    for (const dep of deps.split(',').filter((d) => d !== '')) visit(dep.replace(/-/g, '_'));
    visiting.delete(name);
    order.push(file);
  };
  wanted.forEach(visit);
  return order;
}
