/* Hashing: SHA-256 of a few messages, FNV-1a, a multiply-rotate mixer and CRC-16, exercising
   rotates, shifts, 64-bit arithmetic and table lookups. */
#include "runtime.h"
#include "sha256-block.h"

static void sha256(const unsigned char *msg, u32 len, u32 out[8]) {
  u32 h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  unsigned char block[64];
  u64 bits = (u64)len * 8;
  u32 total = ((len + 9 + 63) / 64) * 64;
  for (u32 off = 0; off < total; off += 64) {
    for (u32 i = 0; i < 64; i++) {
      u32 p = off + i;
      block[i] = p < len ? msg[p] : p == len ? 0x80 : p >= total - 8 ? (unsigned char)(bits >> (8 * (total - 1 - p))) : 0;
    }
    sha256_block(h, block);
  }
  for (u32 i = 0; i < 8; i++) out[i] = h[i];
}

static u64 fnv1a64(const unsigned char *p, u32 n) {
  u64 h = 0xcbf29ce484222325ULL;
  while (n--) h = (h ^ *p++) * 0x100000001b3ULL;
  return h;
}

typedef unsigned short u16;
static u16 crc16(const unsigned char *p, u32 n) {
  u16 crc = 0xffff;
  while (n--) {
    crc ^= (u16)(*p++ << 8);
    for (int i = 0; i < 8; i++) crc = (u16)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
  }
  return crc;
}

int main(void) {
  put_str("hash\n");
  static const char *const msgs[] = {"", "abc", "The quick brown fox jumps over the lazy dog",
                                     "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"};
  for (u32 m = 0; m < 4; m++) {
    u32 len = 0;
    while (msgs[m][len]) len++;
    u32 out[8];
    sha256((const unsigned char *)msgs[m], len, out);
    for (u32 i = 0; i < 8; i++) {
      u32 v = out[i];
      for (int s = 28; s >= 0; s -= 4) uart_putc("0123456789abcdef"[(v >> s) & 0xf]);
    }
    uart_putc('\n');
    show64("fnv1a", fnv1a64((const unsigned char *)msgs[m], len));
    show("crc16", crc16((const unsigned char *)msgs[m], len));
  }
  u64 x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 100; i++) x = (x ^ (x >> 31)) * 0xbf58476d1ce4e5b9ULL + (u64)i;
  show64("mixer", x);
  return 0;
}
