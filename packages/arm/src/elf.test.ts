import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ElfError, parseElf } from './elf.ts';

/** Builds an ELF32 ARM file with the given PT_LOAD segments (and one PT_NOTE to be skipped). */
function makeElf(entry: number, segs: { paddr: number; data: number[]; memsz: number }[]): Uint8Array {
  const phnum = segs.length + 1;
  const dataStart = 52 + 32 * phnum;
  const total = dataStart + segs.reduce((n, s) => n + s.data.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, 40, true);
  v.setUint32(24, entry, true);
  v.setUint32(28, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, phnum, true);
  v.setUint32(52, 4, true); // PT_NOTE first
  let off = dataStart;
  segs.forEach((s, i) => {
    const at = 52 + 32 * (i + 1);
    v.setUint32(at, 1, true);
    v.setUint32(at + 4, off, true);
    v.setUint32(at + 8, s.paddr + 0x1000, true); // vaddr differs: the loader must use paddr
    v.setUint32(at + 12, s.paddr, true);
    v.setUint32(at + 16, s.data.length, true);
    v.setUint32(at + 20, s.memsz, true);
    out.set(s.data, off);
    off += s.data.length;
  });
  return out;
}

describe('parseElf', () => {
  test('returns the entry and the PT_LOAD segments at their physical addresses', () => {
    const img = parseElf(
      makeElf(0x40000001, [
        { paddr: 0x40000000, data: [1, 2, 3, 4], memsz: 4 },
        { paddr: 0x40001000, data: [9], memsz: 16 },
      ]),
    );
    assert.equal(img.entry, 0x40000001);
    assert.equal(img.segments.length, 2);
    assert.equal(img.segments[0]!.paddr, 0x40000000);
    assert.deepEqual([...img.segments[0]!.data], [1, 2, 3, 4]);
    assert.equal(img.segments[1]!.paddr, 0x40001000);
    assert.equal(img.segments[1]!.memsz, 16);
  });

  test('refuses what is not a little-endian ARM ELF32, with a stable code', () => {
    const good = makeElf(0, []);
    const bad = (mutate: (b: Uint8Array) => void) => {
      const b = good.slice();
      mutate(b);
      assert.throws(
        () => parseElf(b),
        (e: unknown) => e instanceof ElfError && e.code === 'ARM_BAD_ELF',
      );
    };
    bad((b) => {
      b[0] = 0;
    });
    bad((b) => {
      b[4] = 2;
    });
    bad((b) => {
      b[18] = 3;
    });
    bad((b) => {
      b[44] = 200;
    });
  });
});
