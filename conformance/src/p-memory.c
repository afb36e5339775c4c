/* Loads and stores: every size and sign, immediate and register offsets with shifts, pre/post
   indexing with writeback, unaligned word and halfword access, LDRD/STRD, LDM/STM in each mode. */
#include "runtime.h"

static u32 buf[64] __attribute__((aligned(8)));
static unsigned char *const bytes = (unsigned char *)buf;

static void fill(void) {
  for (int i = 0; i < 256; i++) bytes[i] = (unsigned char)(i * 37 + 11);
}

static u32 sum(void) {
  u32 h = 0;
  for (int i = 0; i < 64; i++) h = mix(h, buf[i]);
  return h;
}

int main(void) {
  put_str("memory\n");
  fill();
  u32 r, base, h = 0;

  /* sizes and signs through C: the compiler picks the forms */
  for (int i = 0; i < 256; i += 7) {
    h = mix(h, bytes[i]);
    h = mix(h, (u32)(s32)(signed char)bytes[i]);
  }
  for (int i = 0; i < 128; i += 5) {
    h = mix(h, ((unsigned short *)buf)[i]);
    h = mix(h, (u32)(s32)((short *)buf)[i]);
  }
  show("c loads", h);

  /* pre-indexed with writeback, post-indexed, negative offsets */
  base = (u32)&buf[8];
  __asm__ volatile("ldr %0, [%1, #4]!" : "=r"(r), "+r"(base));
  show("ldr pre wb", r);
  show("base", base - (u32)buf);
  __asm__ volatile("ldr %0, [%1], #-12" : "=r"(r), "+r"(base));
  show("ldr post", r);
  show("base", base - (u32)buf);
  __asm__ volatile("ldrb %0, [%1, #-3]!" : "=r"(r), "+r"(base));
  show("ldrb pre wb", r);
  show("base", base - (u32)buf);
  __asm__ volatile("ldrsh %0, [%1], #6" : "=r"(r), "+r"(base));
  show("ldrsh post", r);
  show("base", base - (u32)buf);
  __asm__ volatile("ldrsb %0, [%1, #1]!" : "=r"(r), "+r"(base));
  show("ldrsb pre wb", r);
  __asm__ volatile("ldrh %0, [%1, #-1]" : "=r"(r) : "r"(base));
  show("ldrh unaligned", r);
  __asm__ volatile("ldr %0, [%1, #1]" : "=r"(r) : "r"(base));
  show("ldr unaligned", r);

  /* register offsets, shifted */
  u32 idx = 3;
  base = (u32)buf;
  __asm__ volatile("ldr %0, [%1, %2, lsl #2]" : "=r"(r) : "r"(base), "r"(idx));
  show("ldr reg lsl2", r);
  __asm__ volatile("ldrb %0, [%1, %2]" : "=r"(r) : "r"(base), "r"(idx));
  show("ldrb reg", r);
#ifndef __thumb__
  __asm__ volatile("ldr %0, [%1, -%2, lsl #1]" : "=r"(r) : "r"(base + 64), "r"(idx));
  show("ldr -reg lsl1", r);
  __asm__ volatile("ldr %0, [%1, %2, lsr #1]!" : "=r"(r), "+r"(base) : "r"(idx * 8));
  show("ldr reg lsr wb", r);
  show("base", base - (u32)buf);
  __asm__ volatile("ldrsh %0, [%1], -%2" : "=r"(r), "+r"(base) : "r"(idx));
  show("ldrsh post -reg", r);
  show("base", base - (u32)buf);
  __asm__ volatile("ldr %0, [%1], %2, asr #1" : "=r"(r), "+r"(base) : "r"(-8));
  show("ldr post asr", r);
  show("base", base - (u32)buf);
#endif

  /* stores of each size */
  base = (u32)&buf[16];
  __asm__ volatile("str %1, [%0, #4]!\n\tstrh %1, [%0, #6]\n\tstrb %1, [%0], #9\n\tstrh %1, [%0], #-2"
                   : "+r"(base)
                   : "r"(0xa1b2c3d4)
                   : "memory");
  show("store base", base - (u32)buf);
  __asm__ volatile("str %1, [%0, #1]\n\tstrh %1, [%0, #7]" : : "r"(&buf[24]), "r"(0x11223344) : "memory");
  show("stores", sum());

  /* doublewords */
  register u32 lo __asm__("r4");
  register u32 hi __asm__("r5");
  base = (u32)&buf[4];
  __asm__ volatile("ldrd %0, %1, [%2, #8]!" : "=&r"(lo), "=&r"(hi), "+r"(base));
  show("ldrd lo", lo);
  show("ldrd hi", hi);
  show("base", base - (u32)buf);
  lo = 0xcafef00d;
  hi = 0x8badf00d;
  __asm__ volatile("strd %1, %2, [%0], #-16" : "+r"(base) : "r"(lo), "r"(hi) : "memory");
  show("strd base", base - (u32)buf);
  show("after strd", sum());

  /* multiple: increment after/before, decrement after/before, writeback, push/pop */
  register u32 a0 __asm__("r0");
  register u32 a1 __asm__("r1");
  register u32 a2 __asm__("r2");
  register u32 a3 __asm__("r3");
  base = (u32)&buf[32];
  __asm__ volatile("ldmia %4!, {%0, %1, %2, %3}" : "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3), "+r"(base));
  show("ldmia", a0 ^ (a1 << 1) ^ (a2 << 2) ^ (a3 << 3));
  show("base", base - (u32)buf);
  __asm__ volatile("ldmdb %4!, {%0, %1, %2, %3}" : "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3), "+r"(base));
  show("ldmdb", a0 ^ (a1 << 1) ^ (a2 << 2) ^ (a3 << 3));
  show("base", base - (u32)buf);
#ifndef __thumb__
  __asm__ volatile("ldmib %4, {%0, %1, %2, %3}" : "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3) : "r"(base));
  show("ldmib", a0 ^ (a1 << 1) ^ (a2 << 2) ^ (a3 << 3));
  __asm__ volatile("ldmda %4, {%0, %1, %2, %3}" : "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3) : "r"(base));
  show("ldmda", a0 ^ (a1 << 1) ^ (a2 << 2) ^ (a3 << 3));
  base = (u32)&buf[48];
  a1 = 1;
  a2 = 2;
  a3 = 3;
  __asm__ volatile("stmib %0!, {%1, %2}\n\tstmda %0!, {%1, %2, %3}" : "+r"(base) : "r"(a1), "r"(a2), "r"(a3) : "memory");
  show("stm base", base - (u32)buf);
#endif
  base = (u32)&buf[56];
  a1 = 7;
  a2 = 8;
  a3 = 9;
  __asm__ volatile("stmdb %0!, {%1, %2, %3}\n\tstmia %0, {%2, %3}" : "+r"(base) : "r"(a1), "r"(a2), "r"(a3) : "memory");
  show("stm base", base - (u32)buf);
  show("after stm", sum());

  /* memcpy-like loop and a byte-reversal the compiler turns into loads and stores */
  for (int i = 0; i < 32; i++) buf[32 + i] = buf[i] ^ (u32)i;
  for (int i = 0; i < 64; i++) {
    unsigned char t = bytes[i];
    bytes[i] = bytes[255 - i];
    bytes[255 - i] = t;
  }
  show("final", sum());
  return 0;
}
