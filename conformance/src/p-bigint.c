/* Multi-word arithmetic: 128-bit add/sub with carries (ADDS/ADCS, SUBS/SBCS), 64x64 products from
   UMULL/UMLAL, shifts across words, and a 256-bit factorial printed in hex. */
#include "runtime.h"

#define WORDS 8

static void add(u32 *r, const u32 *a, const u32 *b) {
  u64 c = 0;
  for (int i = 0; i < WORDS; i++) {
    c += (u64)a[i] + b[i];
    r[i] = (u32)c;
    c >>= 32;
  }
}

static void sub(u32 *r, const u32 *a, const u32 *b) {
  s64 br = 0;
  for (int i = 0; i < WORDS; i++) {
    s64 d = (s64)a[i] - b[i] + br;
    r[i] = (u32)d;
    br = d < 0 ? -1 : 0;
  }
}

static void mul_small(u32 *r, u32 m) {
  u64 c = 0;
  for (int i = 0; i < WORDS; i++) {
    c += (u64)r[i] * m;
    r[i] = (u32)c;
    c >>= 32;
  }
}

static void shl(u32 *r, u32 n) {
  for (int i = WORDS - 1; i >= 0; i--) r[i] = (r[i] << n) | (i ? r[i - 1] >> (32 - n) : 0);
}

static void print(const char *name, const u32 *v) {
  put_str(name);
  put_str("=");
  for (int i = WORDS - 1; i >= 0; i--) {
    u32 x = v[i];
    for (int s = 28; s >= 0; s -= 4) uart_putc("0123456789abcdef"[(x >> s) & 0xf]);
  }
  uart_putc('\n');
}

int main(void) {
  put_str("bigint\n");
  u32 f[WORDS] = {1};
  for (u32 i = 2; i <= 50; i++) mul_small(f, i);
  print("50!", f);
  u32 a[WORDS], b[WORDS], r[WORDS];
  u32 seed = 99;
  for (int i = 0; i < WORDS; i++) a[i] = xorshift(&seed), b[i] = xorshift(&seed);
  add(r, a, b);
  print("a+b", r);
  sub(r, a, b);
  print("a-b", r);
  sub(r, b, a);
  print("b-a", r);
  shl(r, 13);
  print("<<13", r);
  u64 x = 0xfedcba9876543210ULL, y = 0x0123456789abcdefULL;
  show64("x*y low", x * y);
  u32 acc_lo = 0, acc_hi = 0;
  for (u32 i = 0; i < 10; i++) {
    u32 p = xorshift(&seed), q = xorshift(&seed);
    __asm__("umlal %0, %1, %2, %3" : "+r"(acc_lo), "+r"(acc_hi) : "r"(p), "r"(q));
  }
  show64("umlal sum", (u64)acc_hi << 32 | acc_lo);
  return 0;
}
