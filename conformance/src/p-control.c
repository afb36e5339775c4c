/* Control flow as compilers emit it: switch tables (TBB/TBH in Thumb), IT blocks and conditional
   execution, loops with early exits, recursion, and flag-setting inside IT blocks. */
#include "runtime.h"

__attribute__((noinline)) static u32 small_switch(u32 x) {
  switch (x) {
  case 0: return 10;
  case 1: return 21;
  case 2: return 0x33;
  case 3: return 47;
  case 4: return 5;
  case 5: return 0x66;
  case 6: return 700;
  case 7: return 8;
  case 9: return 99;
  default: return 1;
  }
}

__attribute__((noinline)) static u32 wide_switch(u32 x) {
  switch (x) {
  case 0: return x * 3;
  case 1: return x + 100;
  case 2: return small_switch(x + 5);
  case 3: return 3;
  case 10: return 1000;
  case 20: return wide_switch(3) + 7;
  case 40: return 0xdead;
  case 80: return 0xbeef;
  case 160: return 160 * 160;
  case 200: return 2;
  case 250: return 0x250;
  case 300: return 0x300;
  default: return x ^ 0xffff;
  }
}

__attribute__((noinline)) static s32 clamp(s32 v, s32 lo, s32 hi) { return v < lo ? lo : v > hi ? hi : v; }
__attribute__((noinline)) static u32 umax3(u32 a, u32 b, u32 c) {
  u32 m = a > b ? a : b;
  return m > c ? m : c;
}
__attribute__((noinline)) static u32 gcd(u32 a, u32 b) { return b ? gcd(b, a % b) : a; }
__attribute__((noinline)) static u32 ackermann(u32 m, u32 n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

int main(void) {
  put_str("control\n");
  u32 h = 0;
  for (u32 i = 0; i < 12; i++) h = mix(h, small_switch(i));
  show("small switch", h);
  h = 0;
  for (u32 i = 0; i < 320; i++) h = mix(h, wide_switch(i));
  show("wide switch", h);
  h = 0;
  for (s32 v = -40; v < 40; v += 3) h = mix(h, (u32)clamp(v * 7, -100, 120));
  show("clamp", h);
  u32 seed = 5;
  h = 0;
  for (int i = 0; i < 100; i++) h = mix(h, umax3(xorshift(&seed), xorshift(&seed), xorshift(&seed)));
  show("max3", h);
  h = 0;
  for (u32 a = 1; a < 60; a += 7)
    for (u32 b = 1; b < 90; b += 11) h = mix(h, gcd(a * 12, b * 18));
  show("gcd", h);
  show("ackermann(2,3)", ackermann(2, 3));
  /* early exits */
  u32 found = 0xffffffff;
  for (u32 i = 0; i < 1000; i++)
    if ((i * i) % 97 == 42) {
      found = i;
      break;
    }
  show("first square = 42 mod 97", found);
#ifdef __thumb__
  /* flags inside an IT block: 16-bit ADDS does not exist there, ADD does not set flags */
  u32 a = 1, b, f;
  __asm__ volatile("movs %0, #0\n\tcmp %0, #0\n\tite eq\n\taddeq %0, %0, #5\n\taddne %0, %0, #9\n\tmrs %1, apsr\n\tmov %2, %0"
                   : "+l"(a), "=r"(f), "=r"(b)
                   :
                   : "cc");
  show("it result", b);
  show("it flags", f & 0xf0000000);
  __asm__ volatile("movs %0, #3\n\tcmp %0, #2\n\titttt hi\n\tmovhi %0, #1\n\taddhi %0, %0, #1\n\tlslhi %0, %0, #3\n\t"
                   "subhi %0, %0, #1\n\tmrs %1, apsr"
                   : "=l"(a), "=r"(f)
                   :
                   : "cc");
  show("itttt", a);
  show("itttt flags", f & 0xf0000000);
#else
  u32 a = 0, f;
  __asm__ volatile("cmp %0, #0\n\taddeq %0, %0, #5\n\taddne %0, %0, #9\n\tmrs %1, apsr" : "+r"(a), "=r"(f)::"cc");
  show("cond result", a);
  show("cond flags", f & 0xf0000000);
#endif
  return 0;
}
