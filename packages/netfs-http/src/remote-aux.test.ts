import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeAux, encodeAux, type RemoteAux, sameVersion } from './remote-aux.ts';

const aux = fc.record({
  etag: fc.option(fc.string(), { nil: null }),
  lastModified: fc.option(fc.string(), { nil: null }),
  length: fc.nat(),
  validatedAt: fc.nat(),
  headers: fc.dictionary(fc.constantFrom('cache-control', 'date', 'etag', 'expires'), fc.string()),
  policy: fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: null }),
}) as fc.Arbitrary<RemoteAux>;

test('property: aux data round-trips, and anything else decodes to null, never throws', () => {
  fc.assert(
    fc.property(aux, (a) =>
      assert.deepEqual(JSON.parse(JSON.stringify(decodeAux(encodeAux(a)))), JSON.parse(JSON.stringify(a))),
    ),
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => void decodeAux(b)));
  assert.equal(decodeAux(new TextEncoder().encode('[1,2,3]')), null);
  assert.equal(decodeAux(new TextEncoder().encode('["e",null,-1,0]')), null);
});

test('versions match by strong ETag, else by Last-Modified, and always by length', () => {
  const base = { etag: '"a"', lastModified: 'x', length: 10, validatedAt: 0 };
  assert.ok(sameVersion(base, { etag: '"a"', lastModified: 'x', length: 10 }));
  assert.ok(sameVersion(base, { etag: '"a"', lastModified: null, length: 10 }));
  assert.ok(
    !sameVersion(base, { etag: '"a"', lastModified: 'y', length: 10 }),
    'the same ETag with a new Last-Modified: the server changed something',
  );
  assert.ok(!sameVersion(base, { etag: '"b"', lastModified: 'x', length: 10 }));
  assert.ok(!sameVersion(base, { etag: '"a"', lastModified: 'x', length: 11 }));
  assert.ok(
    !sameVersion({ ...base, etag: 'W/"a"' }, { etag: 'W/"a"', lastModified: 'x', length: 10 }),
    'weak ETags prove nothing',
  );
  assert.ok(sameVersion({ ...base, etag: null }, { etag: null, lastModified: 'x', length: 10 }));
  assert.ok(
    !sameVersion({ ...base, etag: null, lastModified: null }, { etag: null, lastModified: null, length: 10 }),
  );
});
