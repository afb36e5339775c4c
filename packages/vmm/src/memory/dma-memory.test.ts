import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressSpace } from './address-space.ts';
import { DmaMemory } from './dma-memory.ts';
import { MemoryRegion } from './memory-region.ts';

function machine(): { mem: DmaMemory; ram: MemoryRegion } {
  const root = MemoryRegion.container('system', 2 ** 32);
  const ram = MemoryRegion.ram('ram', 0x1000);
  root.addSubregion(0x40000000, ram);
  root.addSubregion(0x09000000, MemoryRegion.reservation('dev', 0x1000));
  return { mem: new DmaMemory(new AddressSpace(root)), ram };
}

describe('DmaMemory', () => {
  it('reads and writes guest RAM at physical addresses, little-endian', () => {
    const { mem, ram } = machine();
    mem.writeU32(0x40000010, 0x11223344);
    mem.writeU16(0x40000014, 0xbeef);
    assert.deepEqual([...ram.ram!.subarray(0x10, 0x16)], [0x44, 0x33, 0x22, 0x11, 0xef, 0xbe]);
    assert.equal(mem.readU32(0x40000010), 0x11223344);
    assert.equal(mem.readU16(0x40000014), 0xbeef);
    mem.writeU32(0x40000020, 0x89abcdef);
    mem.writeU32(0x40000024, 0x1);
    assert.equal(mem.readU64(0x40000020), 0x189abcdef);
    mem.write(0x40000ffe, Uint8Array.of(7, 8));
    assert.deepEqual([...mem.read(0x40000ffe, 2)], [7, 8]);
  });

  it('refuses ranges that leave RAM or touch devices', () => {
    const { mem } = machine();
    assert.throws(() => mem.read(0x40000fff, 2), { code: 'MEMORY_BAD_ACCESS' });
    assert.throws(() => mem.read(0x09000000, 4), { code: 'MEMORY_BAD_ACCESS' });
    assert.throws(() => mem.read(0x3ffffffc, 4), { code: 'MEMORY_BAD_ACCESS' });
    assert.throws(() => mem.read(-1, 4), { code: 'MEMORY_BAD_ACCESS' });
  });
});
