/* What the VFP and NEON programs share: the bit patterns of floats and doubles, which they print
   and checksum instead of decimal values, and FPSCR access for the flags and modes they test. */
#ifndef FP_H
#define FP_H

#include "runtime.h"

/* A float or double seen as its bits, and back. */
union fp_bits {
  float f;
  u32 w;
  double d;
  u64 dw;
};
static inline u32 fbits(float x) { return (union fp_bits){.f = x}.w; }
static inline u64 dbits(double x) { return (union fp_bits){.d = x}.dw; }
static inline float bitsf(u32 u) { return (union fp_bits){.w = u}.f; }
static inline double bitsd(u64 u) { return (union fp_bits){.dw = u}.d; }
/* A double's two words folded into one, for checksums. */
static inline u32 dbits32(double x) {
  u64 u = dbits(x);
  return (u32)(u >> 32) ^ (u32)u;
}

static inline u32 fpscr_get(void) {
  u32 v;
  __asm__ volatile("vmrs %0, fpscr" : "=r"(v));
  return v;
}
static inline void fpscr_set(u32 v) { __asm__ volatile("vmsr fpscr, %0" ::"r"(v) : "memory"); }

#endif
