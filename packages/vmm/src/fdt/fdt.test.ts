import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FdtError } from './fdt-error.ts';
import { cells, cells64, FdtNode, strings } from './fdt-node.ts';
import { propCells, propStrings, readFdt } from './fdt-reader.ts';
import { FDT_MAGIC, writeFdt } from './fdt-writer.ts';

/** A plain picture of a tree, for deep comparison. */
interface Shape {
  name: string;
  props: [string, number[]][];
  children: Shape[];
}

function shape(node: FdtNode): Shape {
  return {
    name: node.name,
    props: [...node.properties].map(([k, v]) => [k, [...v]]),
    children: node.children.map(shape),
  };
}

function build(s: Shape): FdtNode {
  const node = new FdtNode(s.name);
  const fill = (n: FdtNode, sh: Shape) => {
    for (const [k, v] of sh.props) n.set(k, Uint8Array.from(v));
    for (const c of sh.children) fill(n.add(c.name), c);
  };
  fill(node, s);
  return node;
}

const nameArb = fc.stringMatching(/^[a-z][a-z0-9,._+-]{0,12}(@[0-9a-f]{1,8})?$/);
const propNameArb = fc.stringMatching(/^#?[a-z][a-z0-9,._+-]{0,16}$/);
const shapeArb: fc.Memo<Shape> = fc.memo((depth) =>
  fc.record({
    name: nameArb,
    props: fc.uniqueArray(
      fc.tuple(propNameArb, fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 24 })),
      {
        selector: (p) => p[0],
        maxLength: 5,
      },
    ),
    children:
      depth > 1
        ? fc.uniqueArray(shapeArb(depth - 1), { selector: (c) => c.name, maxLength: 3 })
        : fc.constant([]),
  }),
);

describe('FDT writer', () => {
  it('writes a version 17 header whose offsets and sizes describe the blob', () => {
    const root = new FdtNode('').set('compatible', 'test').set('#address-cells', 2);
    root.add('node@1').set('reg', [1, 2]).set('empty', null);
    const blob = writeFdt(root, { reservations: [{ address: 0x40000000, size: 0x1000 }], bootCpuId: 3 });
    const v = new DataView(blob.buffer);
    assert.equal(v.getUint32(0), FDT_MAGIC);
    assert.equal(v.getUint32(4), blob.length);
    assert.equal(v.getUint32(16), 40, 'reservations right after the header');
    assert.equal(v.getUint32(8), 40 + 32, 'one entry and the terminator');
    assert.equal(v.getUint32(20), 17);
    assert.equal(v.getUint32(24), 16);
    assert.equal(v.getUint32(28), 3);
    assert.equal(v.getUint32(12), v.getUint32(8) + v.getUint32(36));
    assert.equal(v.getUint32(12) + v.getUint32(32), blob.length);
    const parsed = readFdt(blob);
    assert.deepEqual(parsed.reservations, [{ address: 0x40000000, size: 0x1000 }]);
    assert.equal(parsed.bootCpuId, 3);
    assert.deepEqual(propCells(parsed.root.find('/node@1')?.get('reg')), [1, 2]);
    assert.equal(parsed.root.find('/node@1')?.get('empty')?.length, 0);
  });

  it('stores each property name once in the strings block', () => {
    const root = new FdtNode('');
    for (let i = 0; i < 10; i++) root.add(`n${i}`).set('compatible', 'x');
    const blob = writeFdt(root);
    const v = new DataView(blob.buffer);
    assert.equal(v.getUint32(32), 'compatible\0'.length);
  });

  it('pads to a minimum size', () => {
    const blob = writeFdt(new FdtNode(''), { minSize: 4096 });
    assert.equal(blob.length, 4096);
    assert.equal(readFdt(blob).totalSize, 4096);
  });

  it('encodes cells, 64-bit pairs and string lists big-endian', () => {
    assert.deepEqual([...cells(0x01020304, 0xffffffff)], [1, 2, 3, 4, 255, 255, 255, 255]);
    assert.deepEqual(cells64(0x1_4000_0000), [1, 0x40000000]);
    assert.deepEqual(propStrings(strings('a', 'bc')), ['a', 'bc']);
    assert.throws(() => cells(2 ** 32), { code: 'FDT_BAD_VALUE' });
    assert.throws(() => new FdtNode('bad name'), { code: 'FDT_BAD_NAME' });
    assert.throws(() => new FdtNode('').add('x').set('has space', 1), { code: 'FDT_BAD_NAME' });
    const dup = new FdtNode('');
    dup.add('a');
    assert.throws(() => dup.add('a'), { code: 'FDT_BAD_NAME' });
  });

  it('round-trips random trees through writer and reader', () => {
    fc.assert(
      fc.property(
        shapeArb(4),
        fc.array(fc.record({ address: fc.nat(), size: fc.nat() }), { maxLength: 3 }),
        (s, rsv) => {
          const root = build({ ...s, name: '' });
          const reservations = rsv
            .filter((r) => r.address !== 0 || r.size !== 0)
            .map((r) => ({ address: r.address, size: r.size }));
          const parsed = readFdt(writeFdt(root, { reservations }));
          assert.deepEqual(shape(parsed.root), shape(root));
          assert.deepEqual(parsed.reservations, reservations);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('FDT reader', () => {
  it('rejects damaged blobs with FDT_BAD_BLOB', () => {
    const good = writeFdt(new FdtNode('').set('a', 1));
    const expectBad = (blob: Uint8Array) =>
      assert.throws(
        () => readFdt(blob),
        (e) => e instanceof FdtError && e.code === 'FDT_BAD_BLOB',
      );
    expectBad(good.subarray(0, 20));
    const noMagic = good.slice();
    noMagic[0] = 0;
    expectBad(noMagic);
    expectBad(good.subarray(0, good.length - 1));
    const badToken = good.slice();
    new DataView(badToken.buffer).setUint32(new DataView(good.buffer).getUint32(8), 7);
    expectBad(badToken);
  });

  it('never throws anything but FdtError on random corruption', () => {
    const good = writeFdt(
      build({
        name: '',
        props: [['x', [1, 2, 3]]],
        children: [{ name: 'c', props: [['y', []]], children: [] }],
      }),
    );
    fc.assert(
      fc.property(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const blob = good.slice();
        blob[at] = byte;
        try {
          readFdt(blob);
        } catch (e) {
          assert.ok(e instanceof FdtError, String(e));
        }
      }),
    );
  });
});
