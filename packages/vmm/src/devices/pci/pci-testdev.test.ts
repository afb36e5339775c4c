import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PCI_TESTDEV_TESTS, PciTestdev } from './pci-testdev.ts';

/** What kvm-unit-tests' pci-test does with one BAR: every test until one reads an unknown width. */
function runAll(dev: PciTestdev, bar: number): string[] {
  const passed: string[] = [];
  for (let test = 0; ; test++) {
    dev.writeBar(bar, 0, 1, test);
    if (dev.readBar(bar, 0x0c, 4) !== 0) break;
    const width = dev.readBar(bar, 1, 1);
    if (width !== 1 && width !== 2 && width !== 4) break;
    const data = dev.readBar(bar, 8, 4);
    const offset = dev.readBar(bar, 4, 4);
    for (let i = 0; i < 16; i++) dev.writeBar(bar, offset, width, data);
    if (dev.readBar(bar, 0x0c, 4) !== 16) break;
    let name = '';
    for (let i = 0x10; ; i++) {
      const c = dev.readBar(bar, i, 1);
      if (c === 0) break;
      name += String.fromCharCode(c);
    }
    passed.push(name);
  }
  return passed;
}

describe('pci-testdev', () => {
  it('passes every test on both BARs the way kvm-unit-tests drives it, then reads width 0', () => {
    const dev = new PciTestdev();
    assert.deepEqual(runAll(dev, 0), ['byte-memory', 'halfword-memory', 'word-memory']);
    assert.deepEqual(runAll(dev, 1), ['byte-io', 'halfword-io', 'word-io']);
    dev.writeBar(0, 0, 1, PCI_TESTDEV_TESTS.length);
    assert.equal(dev.readBar(0, 1, 1), 0);
  });

  it('counts only writes of the test width, at its offset, with its value', () => {
    const dev = new PciTestdev();
    dev.writeBar(1, 0, 1, 2); // the word test
    const { offset, data } = PCI_TESTDEV_TESTS[2];
    dev.writeBar(1, offset, 2, data & 0xffff);
    dev.writeBar(1, offset + 4, 4, data);
    dev.writeBar(1, offset, 4, data ^ 1);
    assert.equal(dev.readBar(1, 0x0c, 4), 0);
    dev.writeBar(1, offset, 4, data);
    assert.equal(dev.readBar(1, 0x0c, 4), 1);
    assert.equal(dev.readBar(0, 0x0c, 4), 0, 'each BAR counts for itself');
  });
});
