import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeA32Entry } from '../isa/a32/a32-decoder.ts';
import { FuzzRng } from './fuzz-rng.ts';
import { NEON_FUZZ_ROWS, neonToThumb, randomNeonInstruction } from './fuzz-neon.ts';
import { decodeT32Entry } from '../isa/thumb/thumb-decoder.ts';

describe('NEON fuzz instructions', () => {
  test('are reproducible and decode to NEON rows or the core/scalar moves in both instruction sets', () => {
    const a = new FuzzRng(11);
    const b = new FuzzRng(11);
    const names = new Set([...NEON_FUZZ_ROWS.map((r) => r.name), 'VDUP(core)', 'VMOV(core, scalar)']);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const w = randomNeonInstruction(a);
      assert.equal(w, randomNeonInstruction(b));
      const name = decodeA32Entry(w).name;
      assert.ok(names.has(name), `0x${(w >>> 0).toString(16)} decodes to ${name}`);
      assert.equal(decodeT32Entry(neonToThumb(w)).name, name);
      seen.add(name);
    }
    assert.equal(seen.size, names.size); // every group is drawn
  });

  test('keep the destination of data processing in d0-d7', () => {
    const rng = new FuzzRng(5);
    for (let i = 0; i < 2000; i++) {
      const w = randomNeonInstruction(rng);
      if (w >>> 28 !== 0xf) continue; // the core moves are checked by their own encodings
      assert.equal(w & 0x00408000, 0, `0x${(w >>> 0).toString(16)}: Vd is D0-D7`);
    }
  });
});
