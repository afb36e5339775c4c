import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type PoolItem, WorkerPool } from './worker-pool.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

class Item implements PoolItem {
  poolFlags = 0;
  runs = 0;
  running = 0;
  readonly work: () => Promise<void> | void;
  readonly log: { concurrent: number; max: number; overlap: boolean };
  constructor(work: () => Promise<void> | void, log: { concurrent: number; max: number; overlap: boolean }) {
    this.work = work;
    this.log = log;
  }
  runWork(): Promise<void> | void {
    this.runs++;
    if (++this.running > 1) this.log.overlap = true;
    this.log.max = Math.max(this.log.max, ++this.log.concurrent);
    const done = () => {
      this.running--;
      this.log.concurrent--;
    };
    const r = this.work();
    if (r instanceof Promise) return r.finally(done);
    done();
  }
}

test('sizes are checked', () => {
  assert.throws(() => new WorkerPool({ minWorkers: 0, onError: () => {} }), RangeError);
  assert.throws(() => new WorkerPool({ minWorkers: 5, maxWorkers: 4, onError: () => {} }), RangeError);
  const p = new WorkerPool({ onError: () => {} });
  assert.deepEqual([p.minWorkers, p.maxWorkers], [4, 32]);
});

test('repeated enqueues merge; an enqueue during a run runs the item once more', async () => {
  const log = { concurrent: 0, max: 0, overlap: false };
  const pool = new WorkerPool({ onError: (e) => assert.fail(String(e)) });
  let requeued = false;
  const item: Item = new Item(async () => {
    await tick();
    if (!requeued) {
      requeued = true;
      pool.enqueue(item);
      pool.enqueue(item);
    }
  }, log);
  assert.equal(pool.enqueue(item), true);
  assert.equal(pool.enqueue(item), false);
  await pool.drain();
  assert.equal(item.runs, 2);
  assert.equal(log.overlap, false);
});

test('property: never two workers on one item, never more than max at once, everything runs', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.record({ item: fc.nat(9), delay: fc.nat(3) }), { minLength: 1, maxLength: 80 }),
      async (max, plan) => {
        const log = { concurrent: 0, max: 0, overlap: false };
        const pool = new WorkerPool({
          minWorkers: 1,
          maxWorkers: max,
          onError: (e) => assert.fail(String(e)),
        });
        const items = Array.from({ length: 10 }, () => {
          let delay = 0;
          const it = new Item(async () => {
            for (let i = 0; i < delay; i++) await tick();
          }, log);
          return { it, setDelay: (d: number) => (delay = d) };
        });
        const wanted = new Set<number>();
        for (const step of plan) {
          items[step.item]!.setDelay(step.delay);
          pool.enqueue(items[step.item]!.it);
          wanted.add(step.item);
          if (step.delay === 0) await tick();
        }
        await pool.drain();
        assert.equal(log.overlap, false);
        assert.ok(log.max <= max, `${log.max} > ${max}`);
        for (const i of wanted) assert.ok(items[i]!.it.runs >= 1);
        assert.ok(pool.workers <= max);
      },
    ),
    { numRuns: 200 },
  );
});

test('a throwing item is reported and the pool keeps going', async () => {
  const errors: unknown[] = [];
  const pool = new WorkerPool({ minWorkers: 1, maxWorkers: 1, onError: (e) => errors.push(e) });
  const log = { concurrent: 0, max: 0, overlap: false };
  const bad = new Item(() => {
    throw new Error('boom');
  }, log);
  const good = new Item(() => {}, log);
  pool.enqueue(bad);
  pool.enqueue(good);
  await pool.drain();
  assert.equal(errors.length, 1);
  assert.equal(good.runs, 1);
});
