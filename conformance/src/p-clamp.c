/* Saturating and clamping C idioms the compiler turns into SSAT/USAT, conditional moves or IT
   blocks, and the ACLE saturating intrinsics, over image-like data. */
#include <arm_acle.h>
#include "runtime.h"

static s32 pixels[256];

__attribute__((noinline)) static u32 to_u8(s32 v) { return v < 0 ? 0 : v > 255 ? 255 : (u32)v; }
__attribute__((noinline)) static s32 to_s16(s32 v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : v; }

int main(void) {
  put_str("clamp\n");
  u32 seed = 1234, h = 0;
  for (u32 i = 0; i < 256; i++) pixels[i] = (s32)(xorshift(&seed) % 1200) - 300;
  for (u32 i = 0; i < 256; i++) h = mix(h, to_u8(pixels[i] * 3 / 2 + 10));
  show("to_u8", h);
  h = 0;
  for (u32 i = 0; i < 256; i++) h = mix(h, (u32)to_s16(pixels[i] * 97));
  show("to_s16", h);
  h = 0;
  for (u32 i = 0; i < 256; i++) {
    s32 v = pixels[i] * 0x40000;
    h = mix(h, (u32)__ssat(v, 20));
    h = mix(h, __usat(v, 9));
    h = mix(h, (u32)__qadd(v, 0x7ff00000));
    h = mix(h, (u32)__qsub(-v, 0x7ff00000));
  }
  show("acle", h);
  u32 f;
  __asm__ volatile("mrs %0, apsr" : "=r"(f));
  show("q flag", f >> 27 & 1);
  return 0;
}
