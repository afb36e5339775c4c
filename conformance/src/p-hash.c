/* Hashing: SHA-256 of a few messages, FNV-1a, a multiply-rotate mixer and CRC-16, exercising
   rotates, shifts, 64-bit arithmetic and table lookups. */
#include "runtime.h"

static const u32 K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static u32 ror(u32 x, u32 n) { return (x >> n) | (x << (32 - n)); }

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
    u32 w[64];
    for (u32 i = 0; i < 16; i++)
      w[i] = (u32)block[4 * i] << 24 | (u32)block[4 * i + 1] << 16 | (u32)block[4 * i + 2] << 8 | block[4 * i + 3];
    for (u32 i = 16; i < 64; i++) {
      u32 s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
      u32 s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (u32 i = 0; i < 64; i++) {
      u32 t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
      u32 t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      k = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
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
