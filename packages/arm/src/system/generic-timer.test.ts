import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GenericTimer, TimerCtl } from './generic-timer.ts';

describe('GenericTimer', () => {
  test('counts from the injected clock; the virtual count subtracts the offset', () => {
    let now = 1000n;
    const t = new GenericTimer(() => now);
    t.virtualOffset = 400n;
    assert.equal(t.physicalCount, 1000n);
    assert.equal(t.virtualCount, 600n);
    now = 2000n;
    assert.equal(t.virtualCount, 1600n);
  });

  test('ISTATUS, IMASK and the interrupt level follow CVAL against the count', () => {
    let now = 100n;
    const t = new GenericTimer(() => now);
    t.writeCtl(t.virtual, TimerCtl.enable);
    t.writeTval(t.virtual, 50);
    assert.equal(t.virtual.cval, 150n);
    assert.equal(t.readCtl(t.virtual), TimerCtl.enable);
    assert.equal(t.irqLevel(t.virtual), false);
    now = 150n;
    assert.equal(t.readCtl(t.virtual), TimerCtl.enable | TimerCtl.istatus);
    assert.equal(t.irqLevel(t.virtual), true);
    assert.equal(t.readTval(t.virtual), 0);
    t.writeCtl(t.virtual, TimerCtl.enable | TimerCtl.imask);
    assert.equal(t.irqLevel(t.virtual), false, 'masked');
    now = 160n;
    assert.equal(t.readTval(t.virtual), -10, 'TVAL is signed');
    t.writeCtl(t.virtual, 0);
    assert.equal(t.readCtl(t.virtual), 0, 'no ISTATUS while disabled');
  });

  test('PL0 access obeys CNTKCTL', () => {
    const t = new GenericTimer(() => 5n);
    assert.equal(t.read64(1, true), undefined);
    assert.equal(t.read(0, 0, true), undefined);
    t.write(1, 0, 0x102, false); // PL0VCTEN and PL0VTEN
    assert.equal(t.read64(1, true), 5n);
    assert.equal(t.read(0, 0, true), 62_500_000);
    assert.equal(t.write(3, 1, 1, true), true);
    assert.equal(t.write(2, 1, 1, true), false, 'physical timer still denied');
  });
});
