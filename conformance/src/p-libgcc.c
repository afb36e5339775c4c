/* Calls into libgcc (built as Thumb-2 for ARMv7-A): 64-bit division and modulo, shifts, counts. */
#include "runtime.h"

int main(void) {
  put_str("libgcc\n");
  volatile s64 x = -1234567890123LL, y = 987654321;
  volatile u64 ux = 0xfedcba9876543210ULL, uy = 0x12345;
  show64("s64 div", (u64)(x / y));
  show64("s64 mod", (u64)(x % y));
  show64("u64 div", ux / uy);
  show64("u64 mod", ux % uy);
  u32 seed = 99, h = 0;
  for (int i = 0; i < 200; i++) {
    u64 a = ((u64)xorshift(&seed) << 32) | xorshift(&seed);
    u64 b = ((u64)xorshift(&seed) << (xorshift(&seed) & 31)) | 1;
    u64 q = a / b, r = a % b;
    s64 sq = (s64)a / (s64)b;
    h = mix(h, (u32)q);
    h = mix(h, (u32)(q >> 32));
    h = mix(h, (u32)r);
    h = mix(h, (u32)sq);
    h = mix(h, (u32)(sq >> 32));
    h = mix(h, (u32)__builtin_popcountll(a));
    h = mix(h, (u32)__builtin_ctzll(b));
  }
  show("checksum", h);
  return 0;
}
