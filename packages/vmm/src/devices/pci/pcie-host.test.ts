import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PCI_CFG, PCI_COMMAND } from './pci-function.ts';
import { PCI_DEVICE_REDHAT_PCIE_HOST, PCI_VENDOR_REDHAT, PcieHost } from './pcie-host.ts';
import { PCI_DEVICE_REDHAT_TEST, PciTestdev } from './pci-testdev.ts';

const ecam = (device: number, reg: number, bus = 0) => (bus << 20) | (device << 15) | reg;

describe('PCIe host bridge', () => {
  it('is function 00:00.0, a host bridge; empty slots and other buses read all ones', () => {
    const host = new PcieHost(0x10000000);
    assert.equal(host.ecamOps.read(ecam(0, 0), 4), (PCI_DEVICE_REDHAT_PCIE_HOST << 16) | PCI_VENDOR_REDHAT);
    assert.equal(host.ecamOps.read(ecam(0, 0x08), 4) >>> 8, 0x060000);
    assert.equal(host.ecamOps.read(ecam(1, 0), 4), 0xffffffff);
    assert.equal(host.ecamOps.read(ecam(1, 0), 2), 0xffff);
    assert.equal(host.ecamOps.read(ecam(0, 0, 1), 4), 0xffffffff);
    assert.equal(host.ecamOps.read(ecam(0, 0) | (1 << 12), 4), 0xffffffff, 'function 1 is absent');
  });

  it('places devices at the next free number and routes BAR accesses through both windows', () => {
    const host = new PcieHost(0x10000000);
    const dev = new PciTestdev();
    host.attach(host.freeDevice(), dev);
    assert.equal(host.ecamOps.read(ecam(1, 0), 4), (PCI_DEVICE_REDHAT_TEST << 16) | PCI_VENDOR_REDHAT);
    host.ecamOps.write(ecam(1, PCI_CFG.BAR0), 4, 0x10004000);
    host.ecamOps.write(ecam(1, PCI_CFG.BAR0 + 4), 4, 0x100);
    // nothing decodes until COMMAND enables it: a master abort reads all ones
    assert.equal(host.memoryOps.read(0x4001, 1), 0xff);
    host.ecamOps.write(ecam(1, PCI_CFG.COMMAND), 2, PCI_COMMAND.MEMORY | PCI_COMMAND.IO);
    assert.equal(host.memoryOps.read(0x4001, 1), 1, 'test 0 writes bytes');
    assert.equal(host.ioOps.read(0x101, 1), 1);
    assert.equal(host.ioOps.read(0x200, 4), 0xffffffff, 'past the I/O BAR');
    assert.throws(() => host.attach(1, new PciTestdev()), /taken/);
  });
});
