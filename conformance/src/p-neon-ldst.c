/* Advanced SIMD loads and stores: VLD1-VLD4 and VST1-VST4 of multiple structures (one to four
   registers, spacing one and two), of single lanes and to all lanes, with alignment hints, no
   writeback, writeback by the transfer size and by a register; alignment faults from the hints
   and, with SCTLR.A set, from element alignment; then structure loads and stores gcc emits for
   interleaved data at -O3. Each line: a checksum of d0-d7 (loads) or of memory (stores) and how far
   the base register moved. */
#include <arm_neon.h>

#include "runtime.h"

static unsigned char src[128] __attribute__((aligned(32)));
static unsigned char dst[128] __attribute__((aligned(32)));
static u64 regs[8];

static void report(const char *name, const unsigned char *p, u32 n, u32 moved) {
  u32 h = 0;
  for (u32 i = 0; i < n; i++) h = mix(h, p[i]);
  put_str(name);
  put_str(" sum=");
  put_hex(h);
  put_str(" moved=");
  put_hex(moved);
  uart_putc('\n');
}

void on_data_abort(struct frame *f) {
  u32 dfar = read_dfar();
  put_fault("  abort", " dfsr=", read_dfsr(), " offset=", dfar - (dfar >= (u32)dst ? (u32)dst : (u32)src));
  f->lr -= 4;
}

#define CLOBBERS "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "memory"
#define CLEAR "vmov.i8 q0, #0\n\tvmov.i8 q1, #0\n\tvmov.i8 q2, #0\n\tvmov.i8 q3, #0\n\t"

/* A load at src + off (%0 is the base, %1 the index register), then d0-d7 summed. */
#define LD(name, insn, off, index)                                                                   \
  do {                                                                                           \
    u32 base = (u32)src + (off);                                                                 \
    __asm__ volatile(CLEAR insn "\n\tvstmia %2, {d0-d7}" : "+r"(base) : "r"(index), "r"(regs) : CLOBBERS); \
    report(name, (const unsigned char *)regs, sizeof regs, base - (u32)src - (off));              \
  } while (0)

/* A store at dst + off of d0-d7 loaded from src + 64, then dst summed. */
#define ST(name, insn, off, index)                                                                   \
  do {                                                                                           \
    for (int i = 0; i < 128; i++) dst[i] = 0;                                                    \
    u32 base = (u32)dst + (off);                                                                 \
    __asm__ volatile("vldmia %2, {d0-d7}\n\t" insn : "+r"(base) : "r"(index), "r"(src + 64) : CLOBBERS); \
    report(name, dst, sizeof dst, base - (u32)dst - (off));                                     \
  } while (0)

static void multiple(void) {
  LD("vld1.8 1", "vld1.8 {d0}, [%0]", 3, 0);
  LD("vld1.16 2 :128!", "vld1.16 {d0-d1}, [%0:128]!", 16, 0);
  LD("vld1.32 3 reg", "vld1.32 {d1-d3}, [%0], %1", 4, 40);
  LD("vld1.64 4 :256!", "vld1.64 {d4-d7}, [%0:256]!", 32, 0);
  LD("vld1.64 4 :128 reg", "vld1.64 {d2-d5}, [%0:128], %1", 16, -8);
  LD("vld2.8", "vld2.8 {d0-d1}, [%0]", 1, 0);
  LD("vld2.16 spaced!", "vld2.16 {d1, d3}, [%0:64]!", 8, 0);
  LD("vld2.32 four", "vld2.32 {d0-d3}, [%0:256], %1", 0, 3);
  LD("vld3.8", "vld3.8 {d0-d2}, [%0]!", 5, 0);
  LD("vld3.16 spaced :64", "vld3.16 {d1, d3, d5}, [%0:64]", 24, 0);
  LD("vld3.32", "vld3.32 {d2-d4}, [%0], %1", 12, 100);
  LD("vld4.8", "vld4.8 {d0-d3}, [%0]!", 7, 0);
  LD("vld4.16 spaced :256", "vld4.16 {d0, d2, d4, d6}, [%0:256]!", 64, 0);
  LD("vld4.32 :128", "vld4.32 {d4-d7}, [%0:128], %1", 48, 16);
  ST("vst1.8 1", "vst1.8 {d0}, [%0]!", 1, 0);
  ST("vst1.16 2", "vst1.16 {d2-d3}, [%0:128], %1", 16, 77);
  ST("vst1.32 3", "vst1.32 {d0-d2}, [%0:64]", 8, 0);
  ST("vst1.64 4!", "vst1.64 {d3-d6}, [%0]!", 5, 0);
  ST("vst2.8", "vst2.8 {d0-d1}, [%0]", 2, 0);
  ST("vst2.16 spaced", "vst2.16 {d0, d2}, [%0:128]!", 32, 0);
  ST("vst2.32 four", "vst2.32 {d4-d7}, [%0], %1", 4, 12);
  ST("vst3.8", "vst3.8 {d0-d2}, [%0]!", 9, 0);
  ST("vst3.32 spaced", "vst3.32 {d1, d3, d5}, [%0:64], %1", 0, 24);
  ST("vst4.16", "vst4.16 {d0-d3}, [%0:256]!", 32, 0);
  ST("vst4.8 spaced", "vst4.8 {d1, d3, d5, d7}, [%0]", 3, 0);
}

static void lanes(void) {
  LD("vld1.8 lane", "vld1.8 {d3[5]}, [%0]!", 9, 0);
  LD("vld1.16 lane :16", "vld1.16 {d1[2]}, [%0:16], %1", 6, 2);
  LD("vld1.32 lane :32", "vld1.32 {d7[1]}, [%0:32]!", 12, 0);
  LD("vld2.8 lane", "vld2.8 {d0[7], d1[7]}, [%0]", 3, 0);
  LD("vld2.16 lane spaced :32", "vld2.16 {d1[3], d3[3]}, [%0:32]!", 4, 0);
  LD("vld2.32 lane :64", "vld2.32 {d4[0], d5[0]}, [%0:64], %1", 8, -4);
  LD("vld3.8 lane", "vld3.8 {d0[1], d1[1], d2[1]}, [%0]!", 11, 0);
  LD("vld3.16 lane spaced", "vld3.16 {d1[0], d3[0], d5[0]}, [%0]", 2, 0);
  LD("vld3.32 lane", "vld3.32 {d0[1], d1[1], d2[1]}, [%0], %1", 20, 8);
  LD("vld4.8 lane :32", "vld4.8 {d0[2], d1[2], d2[2], d3[2]}, [%0:32]!", 8, 0);
  LD("vld4.16 lane spaced :64", "vld4.16 {d0[1], d2[1], d4[1], d6[1]}, [%0:64]", 16, 0);
  LD("vld4.32 lane :128", "vld4.32 {d4[1], d5[1], d6[1], d7[1]}, [%0:128]!", 32, 0);
  LD("vld1.8 all", "vld1.8 {d2[]}, [%0]!", 13, 0);
  LD("vld1.16 all two :16", "vld1.16 {d4[], d5[]}, [%0:16]", 2, 0);
  LD("vld1.32 all :32", "vld1.32 {d0[]}, [%0:32], %1", 4, 4);
  LD("vld2.8 all :16", "vld2.8 {d0[], d1[]}, [%0:16]!", 10, 0);
  LD("vld2.32 all spaced :64", "vld2.32 {d1[], d3[]}, [%0:64]", 24, 0);
  LD("vld3.16 all", "vld3.16 {d2[], d3[], d4[]}, [%0]!", 6, 0);
  LD("vld3.8 all spaced", "vld3.8 {d0[], d2[], d4[]}, [%0], %1", 7, 3);
  LD("vld4.8 all :32", "vld4.8 {d0[], d1[], d2[], d3[]}, [%0:32]!", 4, 0);
  LD("vld4.16 all spaced :64", "vld4.16 {d1[], d3[], d5[], d7[]}, [%0:64]", 8, 0);
  LD("vld4.32 all :128", "vld4.32 {d4[], d5[], d6[], d7[]}, [%0:128]", 16, 0);
  ST("vst1.8 lane", "vst1.8 {d6[3]}, [%0]!", 5, 0);
  ST("vst1.32 lane :32", "vst1.32 {d1[1]}, [%0:32], %1", 8, 4);
  ST("vst2.16 lane", "vst2.16 {d0[2], d1[2]}, [%0]!", 2, 0);
  ST("vst3.8 lane", "vst3.8 {d2[6], d3[6], d4[6]}, [%0]", 1, 0);
  ST("vst4.32 lane spaced", "vst4.32 {d0[0], d2[0], d4[0], d6[0]}, [%0:128]!", 16, 0);
}

static void alignment(void) {
  put_str("alignment hints\n");
  LD("vld1.64 :64 off 4", "vld1.64 {d0}, [%0:64]!", 4, 0);
  LD("vld1.8 :128 off 8", "vld1.8 {d0-d1}, [%0:128]", 8, 0);
  LD("vld2.16 lane :32 off 2", "vld2.16 {d0[1], d1[1]}, [%0:32]", 2, 0);
  LD("vld4.8 all :32 off 1", "vld4.8 {d0[], d1[], d2[], d3[]}, [%0:32]", 1, 0);
  ST("vst1.32 :256 off 16", "vst1.32 {d0-d3}, [%0:256]!", 16, 0);
  put_str("sctlr.a\n");
  u32 sctlr;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | 2));
  LD("vld1.32 off 2", "vld1.32 {d0}, [%0]", 2, 0);
  LD("vld1.8 off 3", "vld1.8 {d0}, [%0]", 3, 0);
  LD("vld1.32 two off 4", "vld1.32 {d0-d1}, [%0]", 4, 0);
  LD("vld1.16 off 2", "vld1.16 {d0}, [%0]!", 2, 0);
  LD("vld2.8 off 1", "vld2.8 {d0-d1}, [%0]", 1, 0);
  ST("vst1.32 off 4", "vst1.32 {d0}, [%0]", 4, 0);
  LD("vld1.16 lane off 1", "vld1.16 {d0[1]}, [%0]", 1, 0);
  ST("vst2.16 off 6", "vst2.16 {d0-d1}, [%0]", 6, 0);
  ST("vst1.64 off 4", "vst1.64 {d0}, [%0]", 4, 0);
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr));
}

/* gcc's own structure loads and stores for interleaved pixels and complex numbers */
__attribute__((noinline)) static void rgb_to_gray(unsigned char *out, const unsigned char *rgb, int n) {
  for (int i = 0; i < n; i++) out[i] = (rgb[3 * i] * 77 + rgb[3 * i + 1] * 150 + rgb[3 * i + 2] * 29) >> 8;
}
__attribute__((noinline)) static void swap_pairs(short *p, int n) {
  for (int i = 0; i < n; i++) {
    short t = p[2 * i];
    p[2 * i] = p[2 * i + 1];
    p[2 * i + 1] = t;
  }
}
__attribute__((noinline)) static void rgba_scale(unsigned char *p, int n) {
  for (int i = 0; i < n; i++) {
    p[4 * i] = p[4 * i + 3];
    p[4 * i + 1] >>= 1;
    p[4 * i + 2] ^= 0x80;
  }
}

int main(void) {
  put_str("neon ldst\n");
  for (int i = 0; i < 128; i++) src[i] = (unsigned char)(i * 7 + 1) ^ (i >> 3);
  multiple();
  lanes();
  alignment();
  static unsigned char rgb[3 * 61], gray[61], rgba[4 * 45];
  static short pairs[2 * 53];
  u32 s = 99;
  for (int i = 0; i < 3 * 61; i++) rgb[i] = xorshift(&s);
  for (int i = 0; i < 2 * 53; i++) pairs[i] = xorshift(&s);
  for (int i = 0; i < 4 * 45; i++) rgba[i] = xorshift(&s);
  rgb_to_gray(gray, rgb, 61);
  report("rgb_to_gray", gray, sizeof gray, 0);
  swap_pairs(pairs, 53);
  report("swap_pairs", (unsigned char *)pairs, sizeof pairs, 0);
  rgba_scale(rgba, 45);
  report("rgba_scale", rgba, sizeof rgba, 0);
  return 0;
}
