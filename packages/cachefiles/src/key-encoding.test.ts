import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { base32, decodeName, encodeKey, MAX_COMPONENT, MAX_KEY_BYTES, TYPE_LETTER } from './key-encoding.ts';

const SAFE = /^[@+A-Za-z0-9._-]+$/;
const types = Object.keys(TYPE_LETTER) as (keyof typeof TYPE_LETTER)[];
const enc = (s: string) => new TextEncoder().encode(s);

test('plain keys stay readable; others are base32; the fan-out directory comes first', () => {
  assert.deepEqual(encodeKey('data', enc('index.html')).slice(1), ['Dpindex.html']);
  assert.equal(encodeKey('index', enc('Example.COM'))[1]![1], 'x', 'upper case is encoded');
  assert.match(encodeKey('data', enc('a'))[0]!, /^@[0-9a-f]{2}$/);
  assert.equal(base32(enc('f')), 'co');
  assert.equal(base32(enc('foobar')), 'cpnmuoj1e8');
});

test('keys with /, .., NUL and huge keys become safe names or a clear error', () => {
  for (const k of ['../../etc/passwd', '..', '.', '/', 'a\0b', 'con', 'A/B\\C']) {
    const parts = encodeKey('data', enc(k));
    for (const p of parts) {
      assert.match(p, SAFE);
      assert.notEqual(p, '.');
      assert.notEqual(p, '..');
    }
  }
  const long = encodeKey('data', new Uint8Array(5000).fill(7));
  assert.equal(long.length, 2);
  assert.match(long[1]!, /^Dh[0-9a-f]{64}$/, 'named by its hash');
  assert.notDeepEqual(encodeKey('data', new Uint8Array(5000).fill(8)), long);
  assert.throws(() => encodeKey('data', new Uint8Array(MAX_KEY_BYTES + 1)), /longer than/);
});

test('property: safe, bounded, and injective even when case is folded', () => {
  const seen = new Map<string, string>();
  fc.assert(
    fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 700 }), (type, key) => {
      const parts = encodeKey(type, key);
      for (const p of parts) {
        assert.match(p, SAFE);
        assert.ok(p.length <= MAX_COMPONENT && p !== '.' && p !== '..');
      }
      const id = `${type}:${Buffer.from(key).toString('hex')}`;
      const folded = parts.join('/').toLowerCase();
      const prev = seen.get(folded);
      assert.ok(prev === undefined || prev === id, `${id} collides with ${prev}`);
      seen.set(folded, id);
    }),
    { numRuns: 3000 },
  );
});

test('property: names decode back to their type and key (hashed names to their type)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 300 }), (type, key) => {
      const name = encodeKey(type, key).at(-1)!;
      const d = decodeName(name);
      assert.ok(d);
      assert.equal(d.type, type);
      if (name[1] === 'h') assert.equal(d.key, null);
      else assert.deepEqual([...d.key!], [...key]);
    }),
  );
  assert.equal(decodeName('@3f'), null);
  assert.equal(decodeName('Dxzz!'), null);
});
