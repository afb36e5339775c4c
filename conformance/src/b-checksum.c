/* Benchmark: Adler-32 and Fletcher-32 over a 1 MiB buffer, many passes. */
#include "runtime.h"

static unsigned char buf[1 << 20];

int main(void) {
  u32 seed = 0x12345678;
  for (u32 i = 0; i < sizeof buf; i += 4) {
    u32 x = xorshift(&seed);
    buf[i] = x;
    buf[i + 1] = x >> 8;
    buf[i + 2] = x >> 16;
    buf[i + 3] = x >> 24;
  }
  u32 total = 0;
  for (u32 pass = 0; pass < 12; pass++) {
    u32 a = 1, b = 0, f1 = 0, f2 = 0;
    for (u32 i = 0; i < sizeof buf; i++) {
      a += buf[i];
      b += a;
      if ((i & 4095) == 4095) {
        a %= 65521;
        b %= 65521;
      }
      f1 = (f1 + buf[i] + pass) & 0xffff;
      f2 = (f2 + f1) & 0xffff;
    }
    a %= 65521;
    b %= 65521;
    total = (total * 31) ^ ((b << 16) | a) ^ ((f2 << 16) | f1);
    buf[pass * 977] ^= (unsigned char)total;
  }
  show("checksum", total);
  return 0;
}
