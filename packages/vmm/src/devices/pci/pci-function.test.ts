import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PCI_CFG, PCI_COMMAND, PciFunction } from './pci-function.ts';

const fn = () =>
  new PciFunction({
    vendorId: 0x1234,
    deviceId: 0xabcd,
    classCode: 0x020000,
    interruptPin: 1,
    bars: [{ kind: 'memory', size: 4096 }, { kind: 'io', size: 32 }, undefined],
  });

describe('PCI function configuration header', () => {
  it('reads its identity at any width', () => {
    const f = fn();
    assert.equal(f.readConfig(PCI_CFG.VENDOR_ID, 4), 0xabcd1234);
    assert.equal(f.readConfig(PCI_CFG.DEVICE_ID, 2), 0xabcd);
    assert.equal(f.readConfig(PCI_CFG.REVISION, 4), 0x02000000);
    assert.equal(f.readConfig(PCI_CFG.INTERRUPT_PIN, 1), 1);
    assert.equal(f.readConfig(0x100, 4), 0, 'extended configuration space reads as zero');
  });

  it('sizes BARs as software expects: all ones written, the size and kind read back', () => {
    const f = fn();
    f.writeConfig(PCI_CFG.BAR0, 4, 0xffffffff);
    f.writeConfig(PCI_CFG.BAR0 + 4, 4, 0xffffffff);
    f.writeConfig(PCI_CFG.BAR0 + 8, 4, 0xffffffff);
    assert.equal(f.readConfig(PCI_CFG.BAR0, 4), 0xfffff000);
    assert.equal(f.readConfig(PCI_CFG.BAR0 + 4, 4), 0xffffffe1);
    assert.equal(f.readConfig(PCI_CFG.BAR0 + 8, 4), 0, 'an unimplemented BAR stays zero');
  });

  it('decodes a BAR only while its space is enabled in COMMAND', () => {
    const f = fn();
    f.writeConfig(PCI_CFG.BAR0, 4, 0x10002000);
    f.writeConfig(PCI_CFG.BAR0 + 4, 4, 0x1040);
    assert.equal(f.barAddress(0), undefined);
    f.writeConfig(PCI_CFG.COMMAND, 2, PCI_COMMAND.MEMORY);
    assert.equal(f.barAddress(0), 0x10002000);
    assert.equal(f.barAddress(1), undefined);
    f.writeConfig(PCI_CFG.COMMAND, 2, PCI_COMMAND.MEMORY | PCI_COMMAND.IO);
    assert.equal(f.barAddress(1), 0x1040);
    assert.equal(f.barAddress(2), undefined);
  });

  it('refuses BARs no bus could size', () => {
    assert.throws(
      () => new PciFunction({ vendorId: 1, deviceId: 1, classCode: 0, bars: [{ kind: 'memory', size: 24 }] }),
    );
    assert.throws(
      () => new PciFunction({ vendorId: 1, deviceId: 1, classCode: 0, bars: [{ kind: 'io', size: 2 }] }),
    );
  });

  it('property: whatever is written, identity and BAR kind bits never change', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            offset: fc.integer({ min: 0, max: 63 }),
            size: fc.constantFrom(1 as const, 2 as const, 4 as const),
            value: fc.integer({ min: 0, max: 0xffffffff }),
          }),
        ),
        (writes) => {
          const f = fn();
          for (const w of writes) f.writeConfig(w.offset & ~(w.size - 1), w.size, w.value);
          assert.equal(f.readConfig(PCI_CFG.VENDOR_ID, 4), 0xabcd1234);
          assert.equal(f.readConfig(PCI_CFG.REVISION, 4), 0x02000000);
          assert.equal(f.readConfig(PCI_CFG.BAR0, 4) & 0xfff, 0);
          assert.equal(f.readConfig(PCI_CFG.BAR0 + 4, 4) & 0x1f, 1);
          assert.equal(f.readConfig(PCI_CFG.INTERRUPT_PIN, 1), 1);
        },
      ),
    );
  });
});
