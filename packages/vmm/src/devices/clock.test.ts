import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostClock } from './clock.ts';

describe('hostClock', () => {
  it('runs a timer after its delay', async () => {
    let fired = false;
    hostClock.schedule(5, () => (fired = true));
    await sleep(40);
    assert.equal(fired, true);
  });

  it('does not fire a timer beyond what setTimeout can hold at once (a far RTC match)', async () => {
    let fired = false;
    const far = hostClock.schedule(4_000_000 * 1000, () => (fired = true)); // ~46 days
    await sleep(40);
    far.cancel();
    assert.equal(fired, false);
  });

  it('cancels a long timer that is waiting in one of its steps', async () => {
    let fired = false;
    const t = hostClock.schedule(2 ** 31 + 10, () => (fired = true));
    t.cancel();
    await sleep(20);
    assert.equal(fired, false);
  });
});
