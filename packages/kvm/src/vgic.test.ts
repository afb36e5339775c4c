import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GICC_IIDR_VALUE, GICD_IIDR_VALUE, Gicc, Gicd, SPURIOUS_INTID, Vgic } from './vgic.ts';

/** A VGIC with `n` CPUs whose IRQ outputs are recorded. */
function gic(n: number): { g: Vgic; irq: boolean[] } {
  const g = new Vgic();
  const irq: boolean[] = [];
  g.onIrqLevel = (cpu, level) => (irq[cpu] = level);
  for (let i = 0; i < n; i++) g.addCpu();
  return { g, irq };
}

/** Distributor and CPU interfaces enabled, PMR open. */
function enabled(n: number): { g: Vgic; irq: boolean[] } {
  const r = gic(n);
  r.g.writeDist(0, Gicd.CTLR, 4, 1);
  for (let c = 0; c < n; c++) {
    r.g.writeCpu(c, Gicc.CTLR, 4, 1);
    r.g.writeCpu(c, Gicc.PMR, 4, 0xff);
  }
  return r;
}

describe('VGIC distributor', () => {
  test('CTLR, TYPER, IIDR and the peripheral id', () => {
    const { g } = gic(3);
    assert.equal(g.readDist(0, Gicd.CTLR, 4), 0);
    g.writeDist(0, Gicd.CTLR, 4, 0xffffffff);
    assert.equal(g.readDist(0, Gicd.CTLR, 4), 1, 'only EnableGrp0 is writable');
    assert.equal(g.readDist(0, Gicd.TYPER, 4), (2 << 5) | 3, 'three CPUs, 128 interrupts');
    g.writeDist(0, Gicd.TYPER, 4, 0);
    assert.equal(g.readDist(0, Gicd.TYPER, 4), (2 << 5) | 3, 'read-only');
    assert.equal(g.readDist(0, Gicd.IIDR, 4), GICD_IIDR_VALUE);
    assert.equal(g.readDist(0, Gicd.PIDR2, 4), 0x20);
  });

  test('IGROUPR reads as zero and ignores writes (one group)', () => {
    const { g } = gic(1);
    g.writeDist(0, Gicd.IGROUPR + 4, 4, 0xffffffff);
    assert.equal(g.readDist(0, Gicd.IGROUPR + 4, 4), 0);
  });

  test('ISENABLER/ICENABLER: SGIs always on, PPIs banked, SPIs shared', () => {
    const { g } = gic(2);
    assert.equal(g.readDist(0, Gicd.ISENABLER, 4), 0xffff);
    g.writeDist(0, Gicd.ICENABLER, 4, 0xffffffff);
    assert.equal(g.readDist(0, Gicd.ISENABLER, 4), 0xffff, 'SGI enables cannot be cleared');
    g.writeDist(1, Gicd.ISENABLER, 4, 1 << 27);
    assert.equal(g.readDist(1, Gicd.ICENABLER, 4), 0xffff | (1 << 27));
    assert.equal(g.readDist(0, Gicd.ISENABLER, 4), 0xffff, 'CPU 0 has its own PPI enables');
    g.writeDist(0, Gicd.ISENABLER + 4, 4, 0x3);
    assert.equal(g.readDist(1, Gicd.ISENABLER + 4, 4), 0x3, 'SPIs are shared');
    g.writeDist(1, Gicd.ICENABLER + 4, 4, 0x1);
    assert.equal(g.readDist(0, Gicd.ISENABLER + 4, 4), 0x2);
    assert.equal(g.readDist(0, Gicd.ISENABLER + 0x10, 4), 0, 'beyond 128 interrupts');
  });

  test('ISPENDR/ICPENDR: software pending for PPIs and SPIs; SGIs only through SPENDSGIR', () => {
    const { g } = gic(2);
    g.writeDist(0, Gicd.ISPENDR, 4, 0xffffffff);
    assert.equal(g.readDist(0, Gicd.ISPENDR, 4), 0xffff0000, 'SGI bits ignored');
    assert.equal(g.readDist(1, Gicd.ISPENDR, 4), 0, 'banked');
    g.writeDist(0, Gicd.ICPENDR, 4, 0x00010000);
    assert.equal(g.readDist(0, Gicd.ISPENDR, 4), 0xfffe0000);
    g.writeDist(0, Gicd.ISPENDR + 4, 4, 0x80000001);
    assert.equal(g.readDist(1, Gicd.ICPENDR + 4, 4), 0x80000001);
    g.writeDist(0, Gicd.ICPENDR + 4, 4, 0x1);
    assert.equal(g.readDist(0, Gicd.ISPENDR + 4, 4), 0x80000000);
  });

  test('a level-sensitive SPI stays pending while its line is high', () => {
    const { g } = gic(1);
    g.setLine(0, 40, true);
    g.writeDist(0, Gicd.ICPENDR + 4, 4, 1 << 8);
    assert.equal(g.readDist(0, Gicd.ISPENDR + 4, 4), 1 << 8);
    g.setLine(0, 40, false);
    assert.equal(g.readDist(0, Gicd.ISPENDR + 4, 4), 0);
  });

  test('an edge-triggered SPI latches the rising edge', () => {
    const { g } = gic(1);
    g.writeDist(0, Gicd.ICFGR + 8, 4, 2 << 16); // INTID 40 edge
    assert.equal(g.readDist(0, Gicd.ICFGR + 8, 4), 2 << 16);
    g.setLine(0, 40, true);
    g.setLine(0, 40, false);
    assert.equal(g.readDist(0, Gicd.ISPENDR + 4, 4), 1 << 8, 'still pending after the pulse');
  });

  test('ISACTIVER/ICACTIVER set and clear the active state', () => {
    const { g } = gic(2);
    g.writeDist(0, Gicd.ISACTIVER, 4, 0x00010002);
    assert.equal(g.readDist(0, Gicd.ICACTIVER, 4), 0x00010002);
    assert.equal(g.readDist(1, Gicd.ISACTIVER, 4), 0, 'banked');
    g.writeDist(0, Gicd.ICACTIVER, 4, 0x2);
    assert.equal(g.readDist(0, Gicd.ISACTIVER, 4), 0x00010000);
    g.writeDist(1, Gicd.ISACTIVER + 8, 4, 0x4);
    assert.equal(g.readDist(0, Gicd.ISACTIVER + 8, 4), 0x4);
  });

  test('IPRIORITYR keeps 5 bits, takes byte and word accesses, banked for private interrupts', () => {
    const { g } = gic(2);
    g.writeDist(0, Gicd.IPRIORITYR + 32, 4, 0xffeeddcc);
    assert.equal(g.readDist(0, Gicd.IPRIORITYR + 32, 4), 0xf8e8d8c8);
    g.writeDist(0, Gicd.IPRIORITYR + 33, 1, 0x17);
    assert.equal(g.readDist(0, Gicd.IPRIORITYR + 32, 4), 0xf8e810c8, 'a byte write touches one field');
    assert.equal(g.readDist(1, Gicd.IPRIORITYR + 35, 1), 0xf8, 'byte read, SPIs shared');
    g.writeDist(1, Gicd.IPRIORITYR + 27, 1, 0xa0);
    assert.equal(g.readDist(1, Gicd.IPRIORITYR + 24, 4), 0xa0000000);
    assert.equal(g.readDist(0, Gicd.IPRIORITYR + 24, 4), 0, 'PPI priorities are banked');
  });

  test('ITARGETSR: private ones read the CPU itself; SPI targets masked to existing CPUs', () => {
    const { g } = gic(2);
    assert.equal(g.readDist(0, Gicd.ITARGETSR, 4), 0x01010101);
    assert.equal(g.readDist(1, Gicd.ITARGETSR + 28, 4), 0x02020202);
    g.writeDist(0, Gicd.ITARGETSR + 4, 4, 0);
    assert.equal(g.readDist(0, Gicd.ITARGETSR + 4, 4), 0x01010101, 'read-only');
    g.writeDist(0, Gicd.ITARGETSR + 32, 4, 0xff0f0302);
    assert.equal(g.readDist(0, Gicd.ITARGETSR + 32, 4), 0x03030302, 'CPUs 2-7 do not exist');
    g.writeDist(0, Gicd.ITARGETSR + 34, 1, 0x01);
    assert.equal(g.readDist(0, Gicd.ITARGETSR + 32, 4), 0x03010302, 'a byte write sets one interrupt');
    assert.equal(g.readDist(1, Gicd.ITARGETSR + 35, 1), 0x03);
  });

  test('ICFGR: SGIs edge, PPIs level, both fixed; SPIs configurable', () => {
    const { g } = gic(1);
    assert.equal(g.readDist(0, Gicd.ICFGR, 4), 0xaaaaaaaa);
    assert.equal(g.readDist(0, Gicd.ICFGR + 4, 4), 0);
    g.writeDist(0, Gicd.ICFGR, 4, 0);
    g.writeDist(0, Gicd.ICFGR + 4, 4, 0xffffffff);
    assert.equal(g.readDist(0, Gicd.ICFGR, 4), 0xaaaaaaaa);
    assert.equal(g.readDist(0, Gicd.ICFGR + 4, 4), 0);
    g.writeDist(0, Gicd.ICFGR + 8, 4, 0xffffffff);
    assert.equal(g.readDist(0, Gicd.ICFGR + 8, 4), 0xaaaaaaaa, 'bit 0 of each field is reserved');
  });

  test('SGIR target filters; SPENDSGIR/CPENDSGIR hold the source CPUs', () => {
    const { g } = gic(3);
    g.writeDist(0, Gicd.SGIR, 4, (0 << 24) | (0b110 << 16) | 5); // list: CPUs 1 and 2
    assert.equal(g.readDist(1, Gicd.SPENDSGIR + 4, 1), 0, 'SGI 5 is byte 1 of SPENDSGIR1');
    assert.equal(g.readDist(1, Gicd.SPENDSGIR + 5, 1), 0b001, 'from CPU 0');
    assert.equal(g.readDist(2, Gicd.SPENDSGIR + 4, 4), 0b001 << 8);
    assert.equal(g.readDist(0, Gicd.SPENDSGIR + 4, 4), 0);
    g.writeDist(1, Gicd.SGIR, 4, (1 << 24) | 3); // all but self
    assert.equal(g.readDist(0, Gicd.SPENDSGIR, 4), 0b010 << 24);
    assert.equal(g.readDist(2, Gicd.SPENDSGIR, 4), 0b010 << 24);
    assert.equal(g.readDist(1, Gicd.SPENDSGIR, 4), 0);
    g.writeDist(2, Gicd.SGIR, 4, (2 << 24) | 0); // self
    assert.equal(g.readDist(2, Gicd.SPENDSGIR, 1), 0b100);
    g.writeDist(2, Gicd.SGIR, 4, (3 << 24) | 1); // reserved filter: ignored
    assert.equal(g.readDist(2, Gicd.SPENDSGIR, 4), 0b100 | (0b010 << 24));
    g.writeDist(2, Gicd.SGIR, 4, (0 << 24) | (0xf8 << 16) | 2); // only non-existent CPUs
    assert.equal(g.readDist(0, Gicd.SPENDSGIR, 4), 0b010 << 24);
    assert.equal(g.readDist(0, Gicd.ISPENDR, 4), 1 << 3, 'ISPENDR0 shows the SGI pending');
    g.writeDist(0, Gicd.SPENDSGIR + 1, 1, 0xff);
    assert.equal(g.readDist(0, Gicd.CPENDSGIR + 1, 1), 0b111, 'sources masked to existing CPUs');
    g.writeDist(0, Gicd.CPENDSGIR + 1, 1, 0b101);
    assert.equal(g.readDist(0, Gicd.SPENDSGIR + 1, 1), 0b010);
    assert.equal(g.readDist(0, Gicd.SGIR, 4), 0, 'SGIR is write-only');
  });

  test('word-only registers ignore byte and halfword accesses; unaligned accesses are ignored', () => {
    const { g } = gic(1);
    g.writeDist(0, Gicd.ISENABLER + 4, 1, 0xff);
    assert.equal(g.readDist(0, Gicd.ISENABLER + 4, 4), 0);
    g.writeDist(0, Gicd.CTLR, 2, 1);
    assert.equal(g.readDist(0, Gicd.CTLR, 4), 0);
    g.writeDist(0, Gicd.ISENABLER + 4, 4, 0xff);
    assert.equal(g.readDist(0, Gicd.ISENABLER + 4, 1), 0, 'byte read of a word register is zero');
    g.writeDist(0, Gicd.IPRIORITYR + 34, 2, 0xffff);
    assert.equal(g.readDist(0, Gicd.IPRIORITYR + 32, 4), 0, 'no halfword access to IPRIORITYR');
    g.writeDist(0, Gicd.IPRIORITYR + 33, 4, 0xffffffff);
    assert.equal(g.readDist(0, Gicd.IPRIORITYR + 32, 4), 0, 'unaligned word');
  });
});

describe('VGIC CPU interface', () => {
  test('PMR keeps 5 bits, BPR and ABPR have their minimums, IIDR', () => {
    const { g } = gic(1);
    g.writeCpu(0, Gicc.PMR, 4, 0xff);
    assert.equal(g.readCpu(0, Gicc.PMR, 4), 0xf8);
    assert.equal(g.readCpu(0, Gicc.BPR, 4), 2);
    g.writeCpu(0, Gicc.BPR, 4, 0);
    assert.equal(g.readCpu(0, Gicc.BPR, 4), 2);
    g.writeCpu(0, Gicc.BPR, 4, 5);
    assert.equal(g.readCpu(0, Gicc.BPR, 4), 5);
    assert.equal(g.readCpu(0, Gicc.ABPR, 4), 3);
    assert.equal(g.readCpu(0, Gicc.IIDR, 4), GICC_IIDR_VALUE);
    g.writeCpu(0, Gicc.CTLR, 4, 0xffffffff);
    assert.equal(g.readCpu(0, Gicc.CTLR, 4), 0x201);
    assert.equal(g.readCpu(0, Gicc.CTLR, 1), 0, 'word access only');
  });

  test('IAR acknowledges by priority; SGIs carry the source CPU; EOIR drops priority', () => {
    const { g, irq } = enabled(2);
    assert.equal(g.readCpu(0, Gicc.IAR, 4), SPURIOUS_INTID);
    g.writeDist(0, Gicd.ISENABLER + 4, 4, 0x3); // SPIs 32, 33
    g.writeDist(0, Gicd.ITARGETSR + 32, 4, 0x0101);
    g.writeDist(0, Gicd.IPRIORITYR + 32, 4, 0x00008040); // 32: 0x40, 33: 0x80
    g.setLine(0, 33, true);
    assert.equal(irq[0], true);
    assert.equal(irq[1], false, 'SPI 33 targets CPU 0 only');
    assert.equal(g.readCpu(0, Gicc.HPPIR, 4), 33);
    assert.equal(g.readCpu(0, Gicc.IAR, 4), 33);
    assert.equal(g.readCpu(0, Gicc.RPR, 4), 0x80);
    assert.equal(irq[0], false, 'active: not signalled again');
    g.setLine(0, 32, true); // higher priority preempts
    assert.equal(irq[0], true);
    assert.equal(g.readCpu(0, Gicc.IAR, 4), 32);
    assert.equal(g.readCpu(0, Gicc.RPR, 4), 0x40);
    assert.equal(g.readCpu(0, Gicc.APR0, 4), (1 << 8) | (1 << 16));
    g.writeCpu(0, Gicc.EOIR, 4, 32);
    assert.equal(g.readCpu(0, Gicc.RPR, 4), 0x80);
    g.writeCpu(0, Gicc.EOIR, 4, 33);
    assert.equal(g.readCpu(0, Gicc.RPR, 4), 0xff);
    assert.equal(irq[0], true, 'both lines are still high: pending again');
    g.setLine(0, 32, false);
    g.setLine(0, 33, false);
    assert.equal(irq[0], false);

    g.writeDist(1, Gicd.SGIR, 4, (1 << 16) | 7); // CPU 1 sends SGI 7 to CPU 0
    assert.equal(g.readCpu(0, Gicc.IAR, 4), 7 | (1 << 10));
    assert.equal(g.readDist(0, Gicd.ISACTIVER, 4), 1 << 7);
    g.writeCpu(0, Gicc.EOIR, 4, 7 | (1 << 10));
    assert.equal(g.readDist(0, Gicd.ISACTIVER, 4), 0);
  });

  test('PMR and the enables mask delivery; equal priority does not preempt', () => {
    const { g, irq } = enabled(1);
    g.writeDist(0, Gicd.ISENABLER, 4, 1 << 27);
    g.writeDist(0, Gicd.IPRIORITYR + 24, 4, 0xa0a0a0a0);
    g.writeCpu(0, Gicc.PMR, 4, 0xa0);
    g.setLine(0, 27, true);
    assert.equal(irq[0], false, 'priority 0xa0 is not below PMR 0xa0');
    g.writeCpu(0, Gicc.PMR, 4, 0xa8);
    assert.equal(irq[0], true);
    g.writeDist(0, Gicd.CTLR, 4, 0);
    assert.equal(irq[0], false, 'distributor off');
    assert.equal(g.readCpu(0, Gicc.IAR, 4), SPURIOUS_INTID);
    g.writeDist(0, Gicd.CTLR, 4, 1);
    g.writeCpu(0, Gicc.CTLR, 4, 0);
    assert.equal(irq[0], false, 'CPU interface off');
    g.writeCpu(0, Gicc.CTLR, 4, 1);
    assert.equal(g.readCpu(0, Gicc.IAR, 4), 27);
    g.writeDist(0, Gicd.ISENABLER, 4, 1 << 26);
    g.setLine(0, 26, true);
    assert.equal(irq[0], false, 'same priority as the running one');
  });

  test('EOImode 1 splits priority drop from deactivation (DIR)', () => {
    const { g } = enabled(1);
    g.writeCpu(0, Gicc.CTLR, 4, 0x201);
    g.writeDist(0, Gicd.SGIR, 4, (2 << 24) | 1);
    assert.equal(g.readCpu(0, Gicc.IAR, 4), 1);
    g.writeCpu(0, Gicc.EOIR, 4, 1);
    assert.equal(g.readCpu(0, Gicc.RPR, 4), 0xff);
    assert.equal(g.readDist(0, Gicd.ISACTIVER, 4), 1 << 1, 'still active');
    g.writeCpu(0, Gicc.DIR, 4, 1);
    assert.equal(g.readDist(0, Gicd.ISACTIVER, 4), 0);
  });
});
