/* Benchmark: SHA-256 of a 2 MiB buffer, twice over (the second pass hashes the first digest in). */
#include "runtime.h"
#include "sha256-block.h"

static unsigned char buf[2 << 20];

int main(void) {
  u32 seed = 0x9e3779b9;
  for (u32 i = 0; i < sizeof buf; i++) buf[i] = xorshift(&seed);
  u32 h[8];
  for (int pass = 0; pass < 2; pass++) {
    h[0] = 0x6a09e667, h[1] = 0xbb67ae85, h[2] = 0x3c6ef372, h[3] = 0xa54ff53a;
    h[4] = 0x510e527f, h[5] = 0x9b05688c, h[6] = 0x1f83d9ab, h[7] = 0x5be0cd19;
    for (u32 off = 0; off < sizeof buf; off += 64) sha256_block(h, buf + off);
    for (int i = 0; i < 32; i++) buf[i] ^= h[i & 7] >> (i & 24);
  }
  for (int i = 0; i < 8; i++) show("h", h[i]);
  return 0;
}
