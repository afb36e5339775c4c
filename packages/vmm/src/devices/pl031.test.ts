import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@armvm/fscache';
import { RecordingIrqLine } from './irq-line.ts';
import { PL031_ID, PL031_REG, Pl031 } from './pl031.ts';

const R = PL031_REG;
const EPOCH_MS = Date.UTC(2026, 0, 1);

function rtc(): { r: Pl031; irq: RecordingIrqLine; clock: ManualClock } {
  const irq = new RecordingIrqLine();
  const clock = new ManualClock(EPOCH_MS + 250);
  return { r: new Pl031(irq, clock), irq, clock };
}

describe('PL031', () => {
  it('counts seconds since the epoch on the injected clock', () => {
    const { r, clock } = rtc();
    assert.equal(r.read(R.DR, 4), EPOCH_MS / 1000);
    clock.advance(1750);
    assert.equal(r.read(R.DR, 4), EPOCH_MS / 1000 + 2);
    assert.equal(r.read(R.CR, 4), 1);
  });

  it('LR sets the count, which then keeps running', () => {
    const { r, clock } = rtc();
    r.write(R.LR, 4, 1000);
    assert.equal(r.read(R.LR, 4), 1000);
    assert.equal(r.read(R.DR, 4), 1000);
    clock.advance(3000);
    assert.equal(r.read(R.DR, 4), 1003);
  });

  it('raises the match interrupt when the count reaches MR, masked by IMSC, cleared by ICR', () => {
    const { r, irq, clock } = rtc();
    r.write(R.LR, 4, 100);
    r.write(R.MR, 4, 103);
    assert.equal(r.read(R.MR, 4), 103);
    clock.advance(2700);
    assert.equal(r.read(R.RIS, 4), 0, 'not yet');
    clock.advance(100);
    assert.equal(r.read(R.DR, 4), 103);
    assert.equal(r.read(R.RIS, 4), 1);
    assert.equal(r.read(R.MIS, 4), 0);
    assert.equal(irq.level, false);
    r.write(R.IMSC, 4, 0xff);
    assert.equal(r.read(R.IMSC, 4), 1);
    assert.equal(r.read(R.MIS, 4), 1);
    assert.equal(irq.level, true);
    r.write(R.ICR, 4, 1);
    assert.equal(r.read(R.RIS, 4), 0);
    assert.equal(irq.level, false);
  });

  it('a match equal to the current count fires at once', () => {
    const { r } = rtc();
    r.write(R.MR, 4, r.count());
    assert.equal(r.read(R.RIS, 4), 1);
  });

  it('answers its IDs and ignores writes to CR and read-only registers', () => {
    const { r } = rtc();
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => r.read(0xfe0 + 4 * i, 4)),
      [...PL031_ID],
    );
    assert.equal(PL031_ID[0], 0x31);
    const before = r.read(R.DR, 4);
    r.write(R.DR, 4, 5);
    r.write(R.CR, 4, 0);
    assert.equal(r.read(R.DR, 4), before);
    assert.equal(r.read(R.CR, 4), 1);
    r.dispose();
  });
});
