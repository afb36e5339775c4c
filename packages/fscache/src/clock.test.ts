import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, sleep } from './clock.ts';

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
