import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as wait } from 'node:timers/promises';
import { ManualClock, realClock, sleep } from './clock.ts';

test('a manual clock fires its timers in order, each at its own time, only when moved', () => {
  const clock = new ManualClock(1000);
  const seen: string[] = [];
  clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
  clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
  const every = clock.setInterval(() => seen.push(`i@${clock.now()}`), 15);
  clock.setTimeout(() => seen.push('never'), 100).cancel();
  assert.deepEqual(seen, []);
  clock.advance(30);
  assert.equal(clock.now(), 1030);
  assert.deepEqual(seen, ['a@1010', 'i@1015', 'b@1020', 'i@1030']);
  every.cancel();
  assert.equal(clock.pending, 0);
  assert.equal(clock.next(), false);
});

test('sleep on a manual clock ends when the clock reaches it, or when aborted', async () => {
  const clock = new ManualClock();
  let done = false;
  const slept = sleep(clock, 50).then(() => (done = true));
  clock.advance(49);
  await Promise.resolve();
  assert.equal(done, false);
  assert.equal(clock.next(), true);
  await slept;
  assert.equal(clock.now(), 50);
  const ac = new AbortController();
  const aborted = sleep(clock, 1e9, ac.signal);
  ac.abort();
  await aborted;
  assert.equal(clock.pending, 0, 'the aborted sleep left no timer behind');
});

test('the real clock runs a timer after its delay, and holds one longer than setTimeout can', async () => {
  let near = false;
  let far = false;
  let cancelled = false;
  realClock.setTimeout(() => (near = true), 5).unref();
  const farTimer = realClock.setTimeout(() => (far = true), 4_000_000 * 1000).unref(); // ~46 days
  const cancelledTimer = realClock.setTimeout(() => (cancelled = true), 2 ** 31 + 10);
  cancelledTimer.cancel(); // cancelled while waiting in its first step
  await wait(40);
  farTimer.cancel();
  assert.deepEqual({ near, far, cancelled }, { near: true, far: false, cancelled: false });
});
