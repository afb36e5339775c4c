/* Self-modifying code: a routine is rewritten in RAM between calls, with the cache maintenance a
   careful program performs (clean to PoU, invalidate the I-cache, barriers), in both states. */
#include "runtime.h"

static u32 code[8] __attribute__((aligned(32)));

static void sync_code(void) {
  __asm__ volatile("dsb\n\tmcr p15, 0, %0, c7, c11, 1\n\tdsb\n\tmcr p15, 0, %1, c7, c5, 0\n\tdsb\n\tisb" ::"r"(code), "r"(0)
                   : "memory");
}

typedef u32 (*fn)(u32);

int main(void) {
  put_str("selfmod\n");
  fn f = (fn)(void *)code;
  u32 h = 0;
  for (u32 k = 0; k < 16; k++) {
    code[0] = 0xe2800000 | k;        /* add r0, r0, #k */
    code[1] = 0xe1a00080 | (k & 3) << 7; /* lsl r0, r0, #(k & 3) (mov r0, r0, lsl #n) */
    code[2] = 0xe12fff1e;            /* bx lr */
    sync_code();
    h = mix(h, f(100 + k));
  }
  show("arm routine", h);
  unsigned short *t = (unsigned short *)code;
  fn g = (fn)(void *)((u32)code | 1);
  h = 0;
  for (u32 k = 0; k < 16; k++) {
    t[0] = (unsigned short)(0x3000 | k); /* adds r0, #k */
    t[1] = (unsigned short)(0x0040 | (k & 7) << 6); /* lsls r0, r0, #(k & 7) */
    t[2] = 0x4770;                        /* bx lr */
    sync_code();
    h = mix(h, g(7 * k));
  }
  show("thumb routine", h);
  return 0;
}
