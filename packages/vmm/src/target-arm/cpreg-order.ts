/**
 * Ordering of KVM register ids for the cpreg list, which must be strictly ascending (migration
 * merges two such lists in one pass, and lookups bisect them).
 *
 * The 2013 comparator returned `*(uint64_t *)a - *(uint64_t *)b` as an int: only the low 32 bits
 * of the difference survive, so a 64-bit register (size field 0x3 in bits 55-52) could sort below
 * a 32-bit one whose low word is larger, and ids equal in the low word compared equal. This port
 * compares the whole 64-bit values, as QEMU itself did later.
 */

/** Three-way comparison of two register ids as unsigned 64-bit numbers. */
export function compareU64(a: bigint, b: bigint): number {
  if (a > b) return 1;
  if (a < b) return -1;
  return 0;
}

/** True when every id is greater than the one before it. */
export function isStrictlyAscending(ids: ArrayLike<bigint>): boolean {
  for (let i = 1; i < ids.length; i++) if (!(ids[i]! > ids[i - 1]!)) return false;
  return true;
}
