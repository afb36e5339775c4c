/**
 * Differential check of the virt device tree against the one qemu-system-arm writes for the same
 * machine (`-M virt,highmem=off,dumpdtb=…`): every node and property we generate must exist in
 * QEMU's tree with the same bytes, except the differences listed here on purpose. Skipped when
 * qemu-system-arm is not installed.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FdtNode } from './fdt-node.ts';
import { propStrings, readFdt } from './fdt-reader.ts';
import { qemuVirtArgs } from '../test-support/qemu-command-lines.ts';
import { virtDeviceTree } from './virt-device-tree.ts';

const haveQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'vmm-qemu-dtb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Properties whose values differ on purpose, by node path. */
const DIFFERENT = new Map<string, string>([
  // QEMU's TCG implements PSCI 1.0; under KVM the kernel's PSCI 0.2 is what guests get.
  ['/psci compatible', 'PSCI 0.2 (KVM) rather than 1.0 (TCG)'],
]);

/** QEMU nodes this board does not have: devices it leaves out. */
const QEMU_ONLY_NODES = [
  /^\/flash@/,
  /^\/fw-cfg@/,
  /^\/pl061@/,
  /^\/gpio-keys/,
  /^\/platform-bus@/,
  /^\/pmu$/,
  /^\/intc@8000000\/v2m@/,
  /^\/cpus\/cpu-map/,
];
/** QEMU properties this board does not write. */
const QEMU_ONLY_PROPS = new Set([
  '/chosen rng-seed',
  '/chosen kaslr-seed',
  // MSIs go to QEMU's GICv2m, which this board does not have; devices use INTx
  '/pcie@10000000 msi-map',
]);

function qemuDtb(cpus: number, megabytes: number, withInitrd: boolean): Uint8Array {
  const kernel = join(dir, 'k.bin');
  writeFileSync(kernel, new Uint8Array(4));
  const out = join(dir, `qemu-${cpus}.dtb`);
  execFileSync(
    'qemu-system-arm',
    qemuVirtArgs({
      io: 'headless',
      machine: [`dumpdtb=${out}`],
      memoryMiB: megabytes,
      smp: cpus,
      kernel,
      ...(withInitrd ? { initrd: kernel } : {}),
      append: 'console=ttyAMA0 hello',
    }),
    { stdio: 'ignore' },
  );
  return new Uint8Array(readFileSync(out));
}

function walk(node: FdtNode, path: string, visit: (path: string, node: FdtNode) => void): void {
  visit(path || '/', node);
  for (const c of node.children) walk(c, `${path}/${c.name}`, visit);
}

function compare(ours: FdtNode, qemu: FdtNode): string[] {
  const problems: string[] = [];
  walk(ours, '', (path, node) => {
    const twin = qemu.find(path);
    if (!twin) {
      problems.push(`${path}: not in QEMU's tree`);
      return;
    }
    for (const [name, value] of node.properties) {
      const key = `${path} ${name}`;
      const theirs = twin.get(name);
      if (theirs === undefined) problems.push(`${key}: QEMU has no such property`);
      else if (!DIFFERENT.has(key) && Buffer.compare(Buffer.from(value), Buffer.from(theirs)) !== 0) {
        problems.push(
          `${key}: ours ${Buffer.from(value).toString('hex')} QEMU ${Buffer.from(theirs).toString('hex')}`,
        );
      }
    }
    for (const name of twin.properties.keys()) {
      if (!node.properties.has(name) && !QEMU_ONLY_PROPS.has(`${path} ${name}`))
        problems.push(`${path} ${name}: only QEMU has it`);
    }
  });
  walk(qemu, '', (path) => {
    if (!ours.find(path) && !QEMU_ONLY_NODES.some((re) => re.test(path)))
      problems.push(`${path}: only QEMU has it`);
  });
  return problems;
}

describe(
  'virt device tree against QEMU 7.2',
  { skip: haveQemu ? false : 'qemu-system-arm is not installed' },
  () => {
    for (const [cpus, megabytes, withInitrd] of [
      [2, 256, true],
      [1, 128, false],
      [4, 1024, true],
    ] as const) {
      it(`matches for ${cpus} CPU(s), ${megabytes} MiB${withInitrd ? ', an initrd' : ''}`, () => {
        const qemu = readFdt(qemuDtb(cpus, megabytes, withInitrd)).root;
        // QEMU puts the 4-byte initrd at RAM + min(RAM / 2, 128 MiB).
        const start = 0x40000000 + Math.min((megabytes << 20) / 2, 128 << 20);
        const ours = readFdt(
          virtDeviceTree({
            ramSize: megabytes << 20,
            cpus,
            bootargs: 'console=ttyAMA0 hello',
            ...(withInitrd ? { initrd: { start, end: start + 4 } } : {}),
          }),
        ).root;
        assert.deepEqual(compare(ours, qemu), []);
        assert.deepEqual(
          propStrings(qemu.find('/psci')?.get('compatible')).slice(-2),
          propStrings(ours.find('/psci')?.get('compatible')),
        );
      });
    }
  },
);
