import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressSpace } from '../../memory/address-space.ts';
import { DmaMemory } from '../../memory/dma-memory.ts';
import { MemoryRegion } from '../../memory/memory-region.ts';
import { gather, scatter, VIRTQ_DESC_F, Virtqueue } from './virtqueue.ts';

const BASE = 0x40000000;
const NUM = 4;
const DESC = BASE;
const AVAIL = BASE + 0x100;
const USED = BASE + 0x200;
const DATA = BASE + 0x1000;

function setup(): { mem: DmaMemory; q: Virtqueue } {
  const root = MemoryRegion.container('system', 2 ** 32);
  root.addSubregion(BASE, MemoryRegion.ram('ram', 0x10000));
  const mem = new DmaMemory(new AddressSpace(root));
  return { mem, q: new Virtqueue(mem, { num: NUM, desc: DESC, driver: AVAIL, device: USED }) };
}

function desc(mem: DmaMemory, i: number, addr: number, len: number, flags: number, next = 0): void {
  mem.writeU32(DESC + 16 * i, addr);
  mem.writeU32(DESC + 16 * i + 4, 0);
  mem.writeU32(DESC + 16 * i + 8, len);
  mem.writeU16(DESC + 16 * i + 12, flags);
  mem.writeU16(DESC + 16 * i + 14, next);
}

function offer(mem: DmaMemory, heads: number[], startIdx = 0): void {
  heads.forEach((h, k) => mem.writeU16(AVAIL + 4 + 2 * ((startIdx + k) % NUM), h));
  mem.writeU16(AVAIL + 2, (startIdx + heads.length) & 0xffff);
}

describe('Virtqueue', () => {
  it('follows NEXT links in any order and splits readable from writable buffers', () => {
    const { mem, q } = setup();
    mem.write(DATA, Buffer.from('head'));
    desc(mem, 2, DATA, 4, VIRTQ_DESC_F.NEXT, 0);
    desc(mem, 0, DATA + 0x10, 8, VIRTQ_DESC_F.NEXT | VIRTQ_DESC_F.WRITE, 3);
    desc(mem, 3, DATA + 0x20, 1, VIRTQ_DESC_F.WRITE);
    offer(mem, [2]);
    assert.equal(q.hasAvailable(), true);
    const e = q.pop()!;
    assert.equal(e.head, 2);
    assert.equal(Buffer.from(gather(e.readable)).toString(), 'head');
    assert.deepEqual(
      e.writable.map((b) => b.length),
      [8, 1],
    );
    assert.equal(scatter(e.writable, Buffer.from('0123456789')), 9);
    assert.equal(Buffer.from(mem.read(DATA + 0x10, 8)).toString(), '01234567');
    assert.equal(mem.read(DATA + 0x20, 1)[0], 0x38);
    assert.equal(q.pop(), undefined);
    q.push(e, 9);
    assert.equal(mem.readU16(USED + 2), 1);
    assert.deepEqual([mem.readU32(USED + 4), mem.readU32(USED + 8)], [2, 9]);
  });

  it('wraps its ring positions modulo the queue size and indices modulo 2^16', () => {
    const { mem, q } = setup();
    for (let i = 0; i < NUM; i++) desc(mem, i, DATA + i, 1, 0);
    let seen = 0;
    // Drive 70000 chains through so the 16-bit indices wrap.
    for (let round = 0; round < 70000 / NUM; round++) {
      offer(mem, [0, 1, 2, 3], seen);
      for (let k = 0; k < NUM; k++) {
        const e = q.pop()!;
        assert.equal(e.head, k);
        q.push(e, 0);
        seen = (seen + 1) & 0xffff;
      }
    }
    assert.equal(mem.readU16(USED + 2), 70000 & 0xffff);
  });

  it('refuses chains that loop, leave the table, put readable after writable, or use indirect tables', () => {
    const check = (prepare: (mem: DmaMemory) => void, pattern: RegExp) => {
      const { mem, q } = setup();
      prepare(mem);
      offer(mem, [0]);
      assert.throws(
        () => q.pop(),
        (e: unknown) => (e as { code?: string }).code === 'VIRTIO_BAD_QUEUE' && pattern.test(String(e)),
      );
    };
    check((mem) => desc(mem, 0, DATA, 1, VIRTQ_DESC_F.NEXT, 0), /loops/);
    check((mem) => desc(mem, 0, DATA, 1, VIRTQ_DESC_F.NEXT, 9), /outside a queue of 4/);
    check((mem) => {
      desc(mem, 0, DATA, 1, VIRTQ_DESC_F.NEXT | VIRTQ_DESC_F.WRITE, 1);
      desc(mem, 1, DATA, 1, 0);
    }, /readable descriptor after a writable/);
    check((mem) => desc(mem, 0, DATA, 16, VIRTQ_DESC_F.INDIRECT), /indirect/);
    check((mem) => desc(mem, 0, 0x09000000, 4, 0), /not RAM/);
  });

  it('honours the driver asking for no interrupts', () => {
    const { mem, q } = setup();
    assert.equal(q.wantsInterrupt(), true);
    mem.writeU16(AVAIL, 1);
    assert.equal(q.wantsInterrupt(), false);
  });
});
