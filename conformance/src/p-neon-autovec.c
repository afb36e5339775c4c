/* Integer kernels gcc vectorises for Advanced SIMD at -O3: saturating and rounding byte arithmetic,
   widening dot products and sums of absolute differences, min/max reductions, shifts, widening and
   narrowing, compare-and-select, 64-bit lanes, odd lengths that leave scalar tails. */
#include "runtime.h"

#define N 203

static unsigned char a8[N], b8[N], c8[N];
static signed char s8a[N], s8b[N];
static short a16[N], b16[N], c16[N];
static unsigned short u16[N];
static int a32[N], b32[N], c32[N];
static long long a64[N], b64[N];

static u32 seed = 0x2545f491;

/* Mostly random, with the values that make saturation and rounding visible. */
static u32 value(void) {
  static const u32 edges[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff};
  u32 r = xorshift(&seed);
  return (r & 7) == 0 ? edges[(r >> 3) % 11] : xorshift(&seed);
}

static void fill(void) {
  for (int i = 0; i < N; i++) {
    a8[i] = value();
    b8[i] = value();
    s8a[i] = value();
    s8b[i] = value();
    a16[i] = value();
    b16[i] = value();
    u16[i] = value();
    a32[i] = value();
    b32[i] = value();
    c32[i] = value();
    a64[i] = ((u64)value() << 32) | value();
    b64[i] = ((u64)value() << 32) | value();
  }
}

static u32 sum8(const unsigned char *p) {
  u32 h = 0;
  for (int i = 0; i < N; i++) h = mix(h, p[i]);
  return h;
}
static u32 sum16(const short *p) {
  u32 h = 0;
  for (int i = 0; i < N; i++) h = mix(h, (unsigned short)p[i]);
  return h;
}
static u32 sum32(const int *p) {
  u32 h = 0;
  for (int i = 0; i < N; i++) h = mix(h, p[i]);
  return h;
}

#define KERNEL __attribute__((noinline)) static

KERNEL void sat_add_u8(void) {
  for (int i = 0; i < N; i++) {
    int s = a8[i] + b8[i];
    c8[i] = s > 255 ? 255 : s;
  }
}
KERNEL void sat_sub_u8(void) {
  for (int i = 0; i < N; i++) c8[i] = a8[i] > b8[i] ? a8[i] - b8[i] : 0;
}
KERNEL void avg_u8(void) {
  for (int i = 0; i < N; i++) c8[i] = (a8[i] + b8[i] + 1) >> 1;
}
KERNEL void halve_s8(void) {
  for (int i = 0; i < N; i++) c8[i] = (unsigned char)((s8a[i] + s8b[i]) >> 1);
}
KERNEL void sat_add_s16(void) {
  for (int i = 0; i < N; i++) {
    int s = a16[i] + b16[i];
    c16[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
}
KERNEL int dot_s16(void) {
  int s = 0;
  for (int i = 0; i < N; i++) s += a16[i] * b16[i];
  return s;
}
KERNEL u32 sad_u8(void) {
  u32 s = 0;
  for (int i = 0; i < N; i++) s += a8[i] > b8[i] ? a8[i] - b8[i] : b8[i] - a8[i];
  return s;
}
KERNEL u32 max_u8(void) {
  unsigned char m = 0;
  for (int i = 0; i < N; i++) m = a8[i] > m ? a8[i] : m;
  return m;
}
KERNEL int min_s32(void) {
  int m = 0x7fffffff;
  for (int i = 0; i < N; i++) m = a32[i] < m ? a32[i] : m;
  return m;
}
KERNEL void mla_s32(void) {
  for (int i = 0; i < N; i++) c32[i] = a32[i] * b32[i] + c32[i];
}
KERNEL void shifts_s16(void) {
  for (int i = 0; i < N; i++) c16[i] = (short)((a16[i] >> 3) + (short)(b16[i] << 2)) ^ (short)((unsigned short)a16[i] >> 5);
}
KERNEL void widen_u8(void) {
  for (int i = 0; i < N; i++) u16[i] = (unsigned short)(a8[i] * 3 + b8[i]);
}
KERNEL void narrow_u16(void) {
  for (int i = 0; i < N; i++) c8[i] = u16[i] >> 8;
}
KERNEL void select_s32(void) {
  for (int i = 0; i < N; i++) c32[i] = a32[i] > b32[i] ? a32[i] : b32[i] & 0xff;
}
KERNEL void abs_s8(void) {
  for (int i = 0; i < N; i++) c8[i] = (unsigned char)(s8a[i] < 0 ? -s8a[i] : s8a[i]);
}
KERNEL void bits_u32(void) {
  for (int i = 0; i < N; i++) c32[i] = (a32[i] & ~b32[i]) | (a32[i] ^ (b32[i] >> 7));
}
KERNEL u64 add_s64(void) {
  u64 h = 0;
  for (int i = 0; i < N; i++) {
    a64[i] = a64[i] + b64[i] - (b64[i] >> 3);
    h += (u64)a64[i];
  }
  return h;
}
KERNEL int sum_widen_s8(void) {
  int s = 0;
  for (int i = 0; i < N; i++) s += s8a[i] * s8b[i];
  return s;
}
KERNEL void mul_u16(void) {
  for (int i = 0; i < N; i++) c16[i] = (short)(a16[i] * b16[i] + 7);
}
KERNEL void reverse_s32(void) {
  for (int i = 0; i < N; i++) c32[i] = a32[N - 1 - i];
}
KERNEL void clamp_s32_to_u8(void) {
  for (int i = 0; i < N; i++) {
    int v = a32[i] >> 20;
    c8[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

int main(void) {
  put_str("neon autovec\n");
  for (int round = 0; round < 2; round++) {
    fill();
    sat_add_u8();
    show("sat_add_u8", sum8(c8));
    sat_sub_u8();
    show("sat_sub_u8", sum8(c8));
    avg_u8();
    show("avg_u8", sum8(c8));
    halve_s8();
    show("halve_s8", sum8(c8));
    sat_add_s16();
    show("sat_add_s16", sum16(c16));
    show("dot_s16", dot_s16());
    show("sad_u8", sad_u8());
    show("max_u8", max_u8());
    show("min_s32", min_s32());
    mla_s32();
    show("mla_s32", sum32(c32));
    shifts_s16();
    show("shifts_s16", sum16(c16));
    widen_u8();
    show("widen_u8", sum16((short *)u16));
    narrow_u16();
    show("narrow_u16", sum8(c8));
    select_s32();
    show("select_s32", sum32(c32));
    abs_s8();
    show("abs_s8", sum8(c8));
    bits_u32();
    show("bits_u32", sum32(c32));
    show64("add_s64", add_s64());
    show("sum_widen_s8", sum_widen_s8());
    mul_u16();
    show("mul_u16", sum16(c16));
    reverse_s32();
    show("reverse_s32", sum32(c32));
    clamp_s32_to_u8();
    show("clamp_s32_to_u8", sum8(c8));
  }
  return 0;
}
