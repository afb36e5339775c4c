/* VFP data movement: VLDR/VSTR, VLDM/VSTM in both directions with writeback, VPUSH/VPOP, VMOV
   between core registers and singles, doubles, pairs and scalars, VMRS/VMSR FPSCR. */
#include "runtime.h"

static u32 mem[64] __attribute__((aligned(8)));
static u32 out[64] __attribute__((aligned(8)));

int main(void) {
  put_str("vfp ldst\n");
  for (u32 i = 0; i < 64; i++) mem[i] = 0x01010101 * i ^ 0x80000000;
  u32 *p = mem, *q = out;
  __asm__ volatile("vldmia %0!, {d0-d7}\n\tvldmia %0!, {s16-s23}\n\tvstmdb %1!, {d4-d7}\n\t" ::"r"(p), "r"(q + 40) : "memory");
  __asm__ volatile("vldmia %0, {d8-d15}\n\tvpush {d8-d11}\n\tvpop {d12-d15}\n\tvstmia %1, {d12-d15}" ::"r"(mem + 24), "r"(out)
                   : "memory", "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15");
  __asm__ volatile("vldr d16, [%0, #8]\n\tvldr s1, [%0, #-4]\n\tvstr d16, [%1, #64]\n\tvstr s1, [%1, #76]" ::"r"(mem + 32),
                   "r"(out)
                   : "memory", "d16", "s1");
  u32 a, b, c, d;
  __asm__ volatile("vmov s2, %2\n\tvmov %0, s2\n\tvmov d17, %2, %3\n\tvmov %1, %0, d17" : "=&r"(a), "=&r"(b) : "r"(0x11223344), "r"(0x55667788)
                   : "s2", "d17");
  __asm__ volatile("vmov s4, s5, %2, %3\n\tvmov %0, %1, s4, s5" : "=&r"(c), "=&r"(d) : "r"(0xaaaa5555), "r"(0x5555aaaa) : "s4", "s5");
  u32 e, f;
  __asm__ volatile("vmov.32 d18[1], %2\n\tvmov.32 d18[0], %3\n\tvmov.32 %0, d18[1]\n\tvmov.32 %1, d18[0]"
                   : "=&r"(e), "=&r"(f)
                   : "r"(0xcafe0001), "r"(0xbeef0002)
                   : "d18");
  show("d17 hi (read back over s2)", a);
  show("d17 lo", b);
  show("s4", c);
  show("s5", d);
  show("d18[1]", e);
  show("d18[0]", f);
  u32 h = 0;
  for (u32 i = 0; i < 64; i++) h = mix(h, out[i]);
  show("stored", h);
  u32 fpscr;
  __asm__ volatile("vmsr fpscr, %1\n\tvmrs %0, fpscr" : "=r"(fpscr) : "r"(0x03c00000));
  show("fpscr", fpscr);
  __asm__ volatile("vmsr fpscr, %0" ::"r"(0));
  return 0;
}
