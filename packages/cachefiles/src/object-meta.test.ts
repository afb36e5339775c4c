import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeMeta, encodeMeta, isInlineRecordHead, NO_BLOCK, type ObjectMeta } from './object-meta.ts';

const metaArb: fc.Arbitrary<ObjectMeta> = fc.record({
  type: fc.constantFrom('index', 'data', 'special'),
  dirty: fc.boolean(),
  blockSize: fc.integer({ min: 512, max: 1 << 20 }),
  objectSize: fc.integer({ min: 0, max: 2 ** 40 }),
  identity: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  key: fc.uint8Array({ maxLength: 300 }),
  aux: fc.uint8Array({ maxLength: 300 }),
  blocks: fc
    .array(fc.oneof(fc.constant(NO_BLOCK), fc.nat()), { maxLength: 200 })
    .map((a) => Uint32Array.from(a)),
}) as fc.Arbitrary<ObjectMeta>;

const inlineArb: fc.Arbitrary<ObjectMeta> = fc
  .tuple(metaArb, fc.option(fc.uint8Array({ minLength: 1, maxLength: 5000 }), { nil: null }))
  .map(([m, data]) => ({ ...m, blocks: data ? Uint32Array.of(7) : new Uint32Array(0), inline: data }));

test('property: metadata round-trips', () => {
  fc.assert(
    fc.property(metaArb, (m) => {
      const d = decodeMeta(encodeMeta(m));
      assert.ok(d.ok);
      assert.deepEqual({ ...d.meta }, { ...m });
    }),
  );
});

test('property: inline objects round-trip with their data', () => {
  fc.assert(
    fc.property(inlineArb, (m) => {
      const d = decodeMeta(encodeMeta(m));
      assert.ok(d.ok);
      assert.deepEqual({ ...d.meta }, { ...m });
    }),
  );
});

test('property: any single corrupted byte or truncation is refused, never misread', () => {
  fc.assert(
    fc.property(fc.oneof(metaArb, inlineArb), fc.nat(), fc.integer({ min: 1, max: 255 }), (m, at, flip) => {
      const buf = encodeMeta(m);
      const bad = Buffer.from(buf);
      bad[at % bad.length]! ^= flip;
      assert.equal(decodeMeta(bad).ok, false);
      assert.equal(decodeMeta(buf.subarray(0, at % buf.length)).ok, false);
    }),
  );
});

test('foreign bytes are refused with a reason', () => {
  assert.deepEqual(decodeMeta(new Uint8Array(3)), { ok: false, problem: 'short' });
  assert.deepEqual(
    decodeMeta(Buffer.from('{"json": "not ours", "padding": "......................................"}')),
    {
      ok: false,
      problem: 'magic',
    },
  );
});

test('an inline record is recognised from its first bytes; other metadata and data are not', () => {
  const base = {
    type: 'data',
    dirty: false,
    blockSize: 4096,
    objectSize: 3,
    identity: new Uint8Array(32),
    key: new Uint8Array(0),
    aux: new Uint8Array(0),
  } as const;
  assert.ok(
    isInlineRecordHead(encodeMeta({ ...base, blocks: Uint32Array.of(1), inline: Uint8Array.of(1, 2, 3) })),
  );
  assert.ok(!isInlineRecordHead(encodeMeta({ ...base, blocks: new Uint32Array(0) })));
  assert.ok(!isInlineRecordHead(new Uint8Array(4096).fill(7)));
  assert.ok(!isInlineRecordHead(new Uint8Array(3)));
});
