import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AddressSpace } from './address-space.ts';
import type { MemoryRegionSection } from './flat-view.ts';
import type { MemoryListener } from './memory-listener.ts';
import { MemoryError, MemoryRegion, type MmioOps } from './memory-region.ts';

/** A device that records its accesses and answers reads with offset + 0x100·size. */
function recorder(log: string[]): MmioOps {
  return {
    read: (offset, size) => {
      log.push(`r${size}@${offset}`);
      return offset + 0x100 * size;
    },
    write: (offset, size, value) => {
      log.push(`w${size}@${offset}=${value.toString(16)}`);
    },
  };
}

function describeSection(s: MemoryRegionSection): string {
  return `${s.region.name}@${s.offsetWithinAddressSpace.toString(16)}+${s.size.toString(16)}/${s.offsetWithinRegion.toString(16)}`;
}

function logListener(log: string[]): MemoryListener {
  return {
    regionAdd: (s) => log.push(`add ${describeSection(s)}`),
    regionDel: (s) => log.push(`del ${describeSection(s)}`),
  };
}

/** A 0x10-byte device at 0x10 in a 0x100-byte root, with a listener whose log starts empty. */
function loggedDevice(): { root: MemoryRegion; dev: MemoryRegion; as: AddressSpace; log: string[] } {
  const root = MemoryRegion.container('root', 0x100);
  const dev = MemoryRegion.reservation('dev', 0x10);
  root.addSubregion(0x10, dev);
  const as = new AddressSpace(root);
  const log: string[] = [];
  as.addListener(logListener(log));
  log.length = 0; // the replay of what was mapped before the listener came
  return { root, dev, as, log };
}

describe('MemoryRegion', () => {
  it('rejects bad sizes, double mapping, offsets outside the parent and strangers', () => {
    assert.throws(() => MemoryRegion.container('x', 0), { code: 'MEMORY_BAD_SIZE' });
    assert.throws(() => MemoryRegion.container('x', 2 ** 32 + 1), { code: 'MEMORY_BAD_SIZE' });
    assert.throws(() => MemoryRegion.ram('r', 16, new Uint8Array(8)), { code: 'MEMORY_BAD_SIZE' });
    const root = MemoryRegion.container('root', 0x100);
    const child = MemoryRegion.reservation('child', 0x10);
    assert.throws(() => root.addSubregion(0x100, child), { code: 'MEMORY_BAD_OFFSET' });
    root.addSubregion(0x10, child);
    assert.throws(
      () => root.addSubregion(0x20, child),
      (e) => e instanceof MemoryError && e.code === 'MEMORY_ALREADY_MAPPED',
    );
    assert.throws(() => root.removeSubregion(MemoryRegion.container('other', 1)), {
      code: 'MEMORY_NOT_A_SUBREGION',
    });
    assert.equal(child.parent, root);
    assert.equal(child.root(), root);
  });

  it('RAM may share a SharedArrayBuffer with other parties', () => {
    const shared = new SharedArrayBuffer(16);
    const ram = MemoryRegion.ram('ram', 16, shared);
    const root = MemoryRegion.container('root', 0x100);
    root.addSubregion(0x40, ram);
    const as = new AddressSpace(root);
    as.dispatchWrite(0x44, 4, 0xdeadbeef);
    assert.deepEqual([...new Uint8Array(shared, 4, 4)], [0xef, 0xbe, 0xad, 0xde]);
  });
});

describe('AddressSpace dispatch', () => {
  it('reads and writes RAM little-endian and MMIO at the offset within the region', () => {
    const log: string[] = [];
    const root = MemoryRegion.container('root', 0x1000);
    root.addSubregion(0x100, MemoryRegion.ram('ram', 0x100));
    root.addSubregion(0x800, MemoryRegion.mmio('dev', 0x10, recorder(log)));
    const as = new AddressSpace(root);
    as.dispatchWrite(0x104, 4, 0x11223344);
    assert.equal(as.dispatchRead(0x104, 4), 0x11223344);
    assert.equal(as.dispatchRead(0x105, 2), 0x2233);
    assert.equal(as.dispatchRead(0x107, 1), 0x11);
    as.dispatchWrite(0x104, 1, 0x1ff); // only the low byte lands
    assert.equal(as.dispatchRead(0x104, 4), 0x112233ff);
    assert.equal(as.dispatchRead(0x808, 4), 0x408);
    as.dispatchWrite(0x80c, 2, 0x12345);
    assert.deepEqual(log, ['r4@8', 'w2@12=2345']);
  });

  it('answers unassigned reads with 0, drops unassigned writes, counts and traces both', () => {
    const root = MemoryRegion.container('root', 0x1000);
    root.addSubregion(0x100, MemoryRegion.ram('ram', 0x10));
    root.addSubregion(0x200, MemoryRegion.reservation('gic', 0x10));
    const as = new AddressSpace(root);
    const trace: string[] = [];
    as.onUnassigned = (kind, address, size) => trace.push(`${kind} ${address.toString(16)}/${size}`);
    assert.equal(as.dispatchRead(0x50, 4), 0);
    as.dispatchWrite(0x204, 4, 7);
    assert.equal(as.dispatchRead(0x10e, 4), 0, 'an access running past the end of a section');
    assert.deepEqual(as.unassigned, { reads: 2, writes: 1 });
    assert.deepEqual(trace, ['read 50/4', 'write 204/4', 'read 10e/4']);
    assert.throws(() => as.dispatchRead(0x100, 3), { code: 'MEMORY_BAD_ACCESS' });
  });

  it('completes MMIO exits from bytes, an 8-byte access as two 4-byte halves, low word first', () => {
    const log: string[] = [];
    const root = MemoryRegion.container('root', 0x1000);
    root.addSubregion(0x800, MemoryRegion.mmio('dev', 0x10, recorder(log)));
    const as = new AddressSpace(root);
    const data = new Uint8Array(8);
    as.dispatchBytes(0x800, 8, data, false);
    assert.deepEqual([...data], [0x00, 0x04, 0, 0, 0x04, 0x04, 0, 0]);
    as.dispatchBytes(0x808, 8, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), true);
    // Only `size` bytes of a longer exit buffer count.
    as.dispatchBytes(0x802, 2, Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0, 0, 0, 0), true);
    const buffer = new Uint8Array(8).fill(0xee);
    as.dispatchBytes(0x80c, 1, buffer, false);
    assert.deepEqual([...buffer], [0x0c, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
    assert.deepEqual(log, ['r4@0', 'r4@4', 'w4@8=4030201', 'w4@12=8070605', 'w2@2=bbaa', 'r1@12']);
    assert.throws(() => as.dispatchBytes(0x800, 4, new Uint8Array(2), false), { code: 'MEMORY_BAD_ACCESS' });
  });
});

describe('AddressSpace flat view and listeners', () => {
  it('lets a higher priority hide a lower one, and the later of equals win', () => {
    const root = MemoryRegion.container('root', 0x100);
    const low = MemoryRegion.reservation('low', 0x40);
    const high = MemoryRegion.reservation('high', 0x10);
    const late = MemoryRegion.reservation('late', 0x40);
    root.addSubregion(0x00, low);
    root.addSubregion(0x10, high, 1);
    const as = new AddressSpace(root);
    assert.deepEqual(as.flatView.sections.map(describeSection), [
      'low@0+10/0',
      'high@10+10/0',
      'low@20+20/20',
    ]);
    root.addSubregion(0x20, late);
    assert.deepEqual(as.flatView.sections.map(describeSection), [
      'low@0+10/0',
      'high@10+10/0',
      'late@20+40/0',
    ]);
  });

  it('clips subregions to their container', () => {
    const root = MemoryRegion.container('root', 0x100);
    const box = MemoryRegion.container('box', 0x20);
    box.addSubregion(0x10, MemoryRegion.reservation('wide', 0x40));
    root.addSubregion(0x80, box);
    assert.deepEqual(new AddressSpace(root).flatView.sections.map(describeSection), ['wide@90+10/0']);
  });

  it('tells a late listener of every existing section, and a removed one that all are gone', () => {
    const root = MemoryRegion.container('root', 0x100);
    root.addSubregion(0x10, MemoryRegion.reservation('a', 0x10));
    root.addSubregion(0x40, MemoryRegion.reservation('b', 0x10));
    const as = new AddressSpace(root);
    const log: string[] = [];
    const listener = logListener(log);
    as.addListener(listener);
    assert.deepEqual(log, ['add a@10+10/0', 'add b@40+10/0']);
    as.removeListener(listener);
    assert.deepEqual(log.slice(2), ['del a@10+10/0', 'del b@40+10/0']);
  });

  it('reports a move as a deletion then an addition, and disable/enable likewise', () => {
    const { root, dev, log } = loggedDevice();
    dev.setAddress(0x30);
    dev.setAddress(0x30); // no change, no news
    dev.setEnabled(false);
    dev.setEnabled(true);
    root.removeSubregion(dev);
    assert.deepEqual(log, [
      'del dev@10+10/0',
      'add dev@30+10/0',
      'del dev@30+10/0',
      'add dev@30+10/0',
      'del dev@30+10/0',
    ]);
  });

  it('defers updates to the end of a transaction, so listeners see one diff', () => {
    const { dev, as, log } = loggedDevice();
    as.transaction(() => {
      dev.setAddress(0x50);
      dev.setAddress(0x10);
    });
    assert.deepEqual(log, [], 'moved away and back: nothing changed');
    as.transaction(() => dev.setAddress(0x60));
    assert.deepEqual(log, ['del dev@10+10/0', 'add dev@60+10/0']);
  });

  it('follows changes deep in the tree', () => {
    const root = MemoryRegion.container('root', 0x1000);
    const box = MemoryRegion.container('box', 0x100);
    root.addSubregion(0x100, box);
    const as = new AddressSpace(root);
    box.addSubregion(0x20, MemoryRegion.reservation('inner', 0x10));
    assert.deepEqual(as.flatView.sections.map(describeSection), ['inner@120+10/0']);
    box.setAddress(0x200);
    assert.deepEqual(as.flatView.sections.map(describeSection), ['inner@220+10/0']);
  });
});

// ---- Properties: random region trees against a brute-force per-address model ----

interface NodeSpec {
  kind: 'ram' | 'reservation' | 'container';
  size: number;
  offset: number;
  priority: number;
  enabled: boolean;
  children: NodeSpec[];
}

const ROOT_SIZE = 96;

const nodeSpec: fc.Memo<NodeSpec> = fc.memo((depth) =>
  fc.record({
    kind: fc.constantFrom<NodeSpec['kind']>('ram', 'reservation', 'container'),
    size: fc.integer({ min: 1, max: 48 }),
    offset: fc.integer({ min: 0, max: 47 }),
    priority: fc.integer({ min: -2, max: 2 }),
    enabled: fc.boolean(),
    children: depth > 1 ? fc.array(nodeSpec(depth - 1), { maxLength: 3 }) : fc.constant([]),
  }),
);

interface Built {
  region: MemoryRegion;
  spec: NodeSpec;
  children: Built[];
}

/** Builds the tree, dropping children whose offset falls outside their parent (the API refuses those). */
function build(spec: NodeSpec, name: string): Built {
  const region =
    spec.kind === 'ram'
      ? MemoryRegion.ram(name, spec.size)
      : spec.kind === 'reservation'
        ? MemoryRegion.reservation(name, spec.size)
        : MemoryRegion.container(name, spec.size);
  if (!spec.enabled) region.setEnabled(false);
  const children: Built[] = [];
  spec.children.forEach((c, i) => {
    if (c.offset >= spec.size) return;
    const child = build(c, `${name}.${i}`);
    region.addSubregion(c.offset, child.region, c.priority);
    children.push(child);
  });
  return { region, spec, children };
}

/** What answers at `address` (relative to `node`), by walking the specs alone: region and offset. */
function model(node: Built, address: number): [MemoryRegion, number] | undefined {
  if (!node.region.enabled || address >= node.spec.size) return undefined;
  // Highest priority first; among equal priorities, the one added last.
  const order = node.children
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.region.priority - a.c.region.priority || b.i - a.i);
  for (const { c } of order) {
    const start = c.region.address;
    if (address >= start && address < start + c.spec.size) {
      const hit = model(c, address - start);
      if (hit !== undefined) return hit;
    }
  }
  return node.spec.kind === 'container' ? undefined : [node.region, address];
}

function all(node: Built): Built[] {
  return [node, ...node.children.flatMap(all)];
}

function checkAgainstModel(root: Built, as: AddressSpace): void {
  const sections = as.flatView.sections;
  for (let i = 1; i < sections.length; i++) {
    const prev = sections[i - 1]!;
    assert.ok(
      prev.offsetWithinAddressSpace + prev.size <= sections[i]!.offsetWithinAddressSpace,
      'sorted, disjoint',
    );
  }
  for (let address = 0; address < ROOT_SIZE; address++) {
    const expected = model(root, address);
    const s = as.flatView.lookup(address);
    if (expected === undefined) {
      assert.equal(s, undefined, `address ${address} should be unassigned`);
    } else {
      assert.ok(s !== undefined, `address ${address} should be ${expected[0].name}`);
      assert.equal(s.region, expected[0], `address ${address}`);
      assert.equal(
        address - s.offsetWithinAddressSpace + s.offsetWithinRegion,
        expected[1],
        `offset at ${address}`,
      );
    }
  }
}

describe('AddressSpace properties', () => {
  it('the flat view matches a per-address walk of the tree', () => {
    fc.assert(
      fc.property(fc.array(nodeSpec(3), { maxLength: 5 }), (children) => {
        const root = build(
          { kind: 'container', size: ROOT_SIZE, offset: 0, priority: 0, enabled: true, children },
          'r',
        );
        checkAgainstModel(root, new AddressSpace(root.region));
      }),
      { numRuns: 300 },
    );
  });

  it('after random moves and toggles, the view matches the model and listeners hold exactly the view', () => {
    const op = fc.record({
      target: fc.nat(),
      kind: fc.constantFrom('move', 'toggle', 'priority-move'),
      value: fc.nat({ max: 47 }),
    });
    fc.assert(
      fc.property(
        fc.array(nodeSpec(3), { maxLength: 5 }),
        fc.array(op, { maxLength: 8 }),
        fc.boolean(),
        (children, ops, batch) => {
          const root = build(
            { kind: 'container', size: ROOT_SIZE, offset: 0, priority: 0, enabled: true, children },
            'r',
          );
          const as = new AddressSpace(root.region);
          const held = new Map<string, MemoryRegionSection>();
          const key = (s: MemoryRegionSection) => describeSection(s);
          as.addListener({
            regionAdd: (s) => {
              assert.ok(!held.has(key(s)), `added twice: ${key(s)}`);
              held.set(key(s), s);
            },
            regionDel: (s) => {
              assert.ok(held.delete(key(s)), `deleted without being added: ${key(s)}`);
            },
          });
          const nodes = all(root).slice(1);
          const apply = () => {
            for (const o of ops) {
              if (nodes.length === 0) return;
              const n = nodes[o.target % nodes.length]!;
              if (o.kind === 'toggle') n.region.setEnabled(!n.region.enabled);
              else if (o.value < n.region.parent!.size) n.region.setAddress(o.value);
            }
          };
          if (batch) as.transaction(apply);
          else apply();
          checkAgainstModel(root, as);
          assert.deepEqual([...held.keys()].sort(), as.flatView.sections.map(key).sort());
        },
      ),
      { numRuns: 300 },
    );
  });
});
