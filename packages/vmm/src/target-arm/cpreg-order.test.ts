import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { cp15Reg32Id, cp15Reg64Id, KvmRegId, vfpDRegId } from '@armvm/kvm';
import { compareU64, isStrictlyAscending } from './cpreg-order.ts';

/** The 2013 comparator (the difference truncated to an int), here only to show what it got wrong. */
function compareU64Truncated(a: bigint, b: bigint): number {
  return Number(BigInt.asIntN(32, a - b));
}

/** Random cp15 ids of both sizes, as a kernel would list them. */
const cp15Id = fc.oneof(
  fc
    .tuple(fc.nat(15), fc.nat(15), fc.nat(7), fc.nat(7))
    .map(([crn, crm, opc1, opc2]) => cp15Reg32Id(crn, crm, opc1, opc2)),
  fc.tuple(fc.nat(15), fc.nat(15)).map(([crm, opc1]) => cp15Reg64Id(crm, opc1)),
);

describe('cpreg ordering', () => {
  test('sorting with compareU64 gives a strictly ascending list with 32- and 64-bit ids mixed', () => {
    fc.assert(
      fc.property(fc.uniqueArray(cp15Id, { minLength: 2, maxLength: 60 }), (ids) => {
        const sorted = [...ids].sort(compareU64);
        assert.ok(isStrictlyAscending(sorted));
        assert.equal(sorted.length, ids.length);
      }),
    );
  });

  test('the 2013 comparator puts TTBR0 (64-bit) below SCTLR (32-bit) and breaks the order', () => {
    assert.ok(KvmRegId.TTBR0 > KvmRegId.SCTLR);
    assert.ok(compareU64Truncated(KvmRegId.TTBR0, KvmRegId.SCTLR) < 0);
    assert.equal(compareU64(KvmRegId.TTBR0, KvmRegId.SCTLR), 1);
    const buggy = [KvmRegId.TTBR0, KvmRegId.SCTLR, KvmRegId.TTBR1, KvmRegId.DACR].sort(compareU64Truncated);
    assert.equal(isStrictlyAscending(buggy), false);
  });

  test('the 2013 comparator calls ids equal in the low word equal; compareU64 does not', () => {
    const a = vfpDRegId(0);
    const b = a & 0xffffffffn; // same low word, other size and architecture bits
    assert.equal(compareU64Truncated(a, b), 0);
    assert.equal(compareU64(a, b), 1);
  });

  test('isStrictlyAscending rejects repeats', () => {
    assert.equal(isStrictlyAscending([1n, 2n, 2n]), false);
    assert.equal(isStrictlyAscending([1n, 2n, 3n]), true);
  });
});
