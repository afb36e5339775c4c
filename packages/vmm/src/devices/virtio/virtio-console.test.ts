import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TestVirtioDriver } from '../../test-support/virtio-driver.ts';
import { VirtioConsole } from './virtio-console.ts';

describe('virtio-console', () => {
  it('passes every readable buffer of each chain to the output, in order', () => {
    const out: string[] = [];
    const d = new TestVirtioDriver(new VirtioConsole((b) => out.push(Buffer.from(b).toString())));
    d.bringUp(2);
    d.post(1, [{ readable: Buffer.from('hello, ') }, { readable: Buffer.from('world') }]);
    d.post(1, [{ readable: Buffer.from('!\n') }]);
    d.notify(1);
    assert.equal(out.join(''), 'hello, world!\n');
    assert.deepEqual(d.used(1), [
      { id: 0, len: 0 },
      { id: 2, len: 0 },
    ]);
  });

  it('holds input until the driver posts buffers, then splits it across them', () => {
    const console = new VirtioConsole(() => {});
    const d = new TestVirtioDriver(console);
    console.input(Buffer.from('early'));
    d.bringUp(2);
    assert.equal(console.pendingInput, 5);
    const [a] = d.post(0, [{ writable: 3 }]);
    const [b] = d.post(0, [{ writable: 8 }]);
    d.notify(0);
    assert.deepEqual(d.used(0), [
      { id: 0, len: 3 },
      { id: 1, len: 2 },
    ]);
    assert.equal(Buffer.from(d.memory.read(a!, 3)).toString(), 'ear');
    assert.equal(Buffer.from(d.memory.read(b!, 2)).toString(), 'ly');
    assert.equal(console.pendingInput, 0);
    assert.equal(d.irq.level, true);
    const [c] = d.post(0, [{ writable: 8 }]);
    console.input(Buffer.from('k'));
    assert.deepEqual(d.used(0), [{ id: 2, len: 1 }]);
    assert.equal(d.memory.read(c!, 1)[0], 0x6b);
  });
});

describe('virtio-console properties', () => {
  it('delivers input chunks whole and in order across buffers of any size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 32 }), { minLength: 1, maxLength: 12 }),
        (chunks, sizes) => {
          const console = new VirtioConsole(() => {});
          const d = new TestVirtioDriver(console);
          d.bringUp(2);
          for (const c of chunks) console.input(c);
          const delivered: number[] = [];
          for (const size of sizes) {
            const [addr] = d.post(0, [{ writable: size }]);
            d.notify(0);
            for (const u of d.used(0)) delivered.push(...d.memory.read(addr!, u.len));
          }
          const all = chunks.flatMap((c) => [...c]);
          assert.deepEqual(delivered, all.slice(0, delivered.length));
          assert.equal(console.pendingInput, all.length - delivered.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
