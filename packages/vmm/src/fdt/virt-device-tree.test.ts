import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { propCells, propStrings, readFdt } from './fdt-reader.ts';
import { cpuAffinity, virtDeviceTree } from './virt-device-tree.ts';

const haveDtc = spawnSync('dtc', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'vmm-fdt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Decodes a blob with dtc, failing on any dtc warning. */
function dtc(blob: Uint8Array): string {
  const path = join(dir, 'virt.dtb');
  writeFileSync(path, blob);
  return execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The body of node `name` in dts text (up to its closing brace at the same depth). */
function nodeText(dts: string, name: string): string {
  const start = dts.indexOf(`\t${name} {`);
  assert.ok(start >= 0, `node ${name} present`);
  const end = dts.indexOf('\n\t};', start);
  return dts.slice(start, end);
}

const options = {
  ramSize: 256 << 20,
  cpus: 2,
  bootargs: 'console=ttyAMA0 hello',
  initrd: { start: 0x48000000, end: 0x48000004 },
};

describe(
  'virt device tree, as dtc reads it',
  { skip: haveDtc ? false : 'dtc (device-tree-compiler) is not installed' },
  () => {
    const dts = haveDtc ? dtc(virtDeviceTree(options)) : '';

    it('has the root properties QEMU gives', () => {
      assert.match(dts, /model = "linux,dummy-virt";/);
      assert.match(dts, /compatible = "linux,dummy-virt";/);
      assert.match(dts, /#address-cells = <0x02>;\n/);
      assert.match(dts, /interrupt-parent = <0x8003>;/);
    });

    it('describes memory at 0x40000000 with the RAM size', () => {
      const mem = nodeText(dts, 'memory@40000000');
      assert.match(mem, /device_type = "memory";/);
      assert.match(mem, /reg = <0x00 0x40000000 0x00 0x10000000>;/);
    });

    it('lists each CPU with psci as enable-method', () => {
      const cpus = nodeText(dts, 'cpus');
      for (const n of [0, 1]) {
        assert.match(cpus, new RegExp(`cpu@${n} \\{[^}]*reg = <0x0${n}>;[^}]*enable-method = "psci";`));
      }
      assert.match(cpus, /compatible = "arm,cortex-a15";/);
      assert.doesNotMatch(cpus, /cpu@2/);
    });

    it('has PSCI 0.2 through HVC with the 0.1 function ids', () => {
      const psci = nodeText(dts, 'psci');
      assert.match(psci, /compatible = "arm,psci-0.2\\0arm,psci";/);
      assert.match(psci, /method = "hvc";/);
      assert.match(psci, /cpu_suspend = <0x84000001>;/);
      assert.match(psci, /cpu_off = <0x84000002>;/);
      assert.match(psci, /cpu_on = <0x84000003>;/);
      assert.match(psci, /migrate = <0x84000005>;/);
    });

    it('has the GIC, the timer PPIs and the APB clock', () => {
      const gic = nodeText(dts, 'intc@8000000');
      assert.match(gic, /compatible = "arm,cortex-a15-gic";/);
      assert.match(gic, /#interrupt-cells = <0x03>;/);
      assert.match(gic, /interrupt-controller;/);
      assert.match(gic, /reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000>;/);
      assert.match(gic, /phandle = <0x8003>;/);
      const timer = nodeText(dts, 'timer');
      assert.match(timer, /compatible = "arm,armv7-timer";/);
      assert.match(timer, /interrupts = <0x01 0x0d 0x304 0x01 0x0e 0x304 0x01 0x0b 0x304 0x01 0x0a 0x304>;/);
      const clk = nodeText(dts, 'apb-pclk');
      assert.match(clk, /clock-frequency = <0x16e3600>;/);
      assert.match(clk, /phandle = <0x8000>;/);
    });

    it('has the PL011 with its clocks, the PL031, and 32 virtio-mmio slots', () => {
      const uart = nodeText(dts, 'pl011@9000000');
      assert.match(uart, /compatible = "arm,pl011\\0arm,primecell";/);
      assert.match(uart, /interrupts = <0x00 0x01 0x04>;/);
      assert.match(uart, /clocks = <0x8000 0x8000>;/);
      assert.match(uart, /clock-names = "uartclk\\0apb_pclk";/);
      const rtc = nodeText(dts, 'pl031@9010000');
      assert.match(rtc, /compatible = "arm,pl031\\0arm,primecell";/);
      assert.match(rtc, /interrupts = <0x00 0x02 0x04>;/);
      assert.equal(dts.match(/compatible = "virtio,mmio";/g)?.length, 32);
      assert.match(nodeText(dts, 'virtio_mmio@a000000'), /interrupts = <0x00 0x10 0x01>;/);
      assert.match(
        nodeText(dts, 'virtio_mmio@a003e00'),
        /reg = <0x00 0xa003e00 0x00 0x200>;[^}]*interrupts = <0x00 0x2f 0x01>;/,
      );
    });

    it('has chosen with bootargs, stdout-path and the initrd', () => {
      const chosen = nodeText(dts, 'chosen');
      assert.match(chosen, /bootargs = "console=ttyAMA0 hello";/);
      assert.match(chosen, /stdout-path = "\/pl011@9000000";/);
      assert.match(chosen, /linux,initrd-start = <0x48000000>;/);
      assert.match(chosen, /linux,initrd-end = <0x48000004>;/);
    });
  },
);

describe('virt device tree, as our reader reads it', () => {
  it('follows the options: RAM size, CPU count and affinities, timer CPU mask', () => {
    for (const cpus of [1, 4, 8]) {
      const root = readFdt(virtDeviceTree({ ramSize: 0xc0000000, cpus })).root;
      assert.deepEqual(propCells(root.find('/memory@40000000')?.get('reg')), [0, 0x40000000, 0, 0xc0000000]);
      const cpuNodes = root.find('/cpus')!.children;
      assert.equal(cpuNodes.length, cpus);
      assert.deepEqual(
        cpuNodes.map((c) => propCells(c.get('reg'))[0]),
        Array.from({ length: cpus }, (_, i) => cpuAffinity(i)),
      );
      assert.equal(propCells(root.find('/timer')?.get('interrupts'))[2], (((1 << cpus) - 1) << 8) | 4);
      assert.equal(
        root.find('/cpus/cpu@0')?.get('enable-method') !== undefined,
        cpus > 1,
        'enable-method only with secondaries',
      );
      assert.equal(root.find('/chosen')?.get('bootargs'), undefined);
      assert.equal(root.find('/chosen')?.get('linux,initrd-start'), undefined);
      assert.deepEqual(propStrings(root.find('/chosen')?.get('stdout-path')), ['/pl011@9000000']);
    }
    assert.throws(() => virtDeviceTree({ ramSize: 0, cpus: 1 }), { code: 'FDT_BAD_VALUE' });
    assert.throws(() => virtDeviceTree({ ramSize: 1 << 20, cpus: 9 }), { code: 'FDT_BAD_VALUE' });
    assert.throws(() => virtDeviceTree({ ramSize: 0xc0000001, cpus: 1 }), { code: 'FDT_BAD_VALUE' });
  });
});
