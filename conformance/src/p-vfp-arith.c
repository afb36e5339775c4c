/* VFPv3-D32: single and double arithmetic, multiply-accumulate forms, square root, conversions,
   comparisons, immediates, the FPSCR flags and rounding modes, flush-to-zero and default NaN. */
#include "fp.h"

static const u32 fvals[] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f7fffff, 0x00800000, 0x00000001,
                            0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x40490fdb, 0xc2f6e979, 0x3eaaaaab,
                            0x4b800001, 0x33800000};
static const u64 dvals[] = {0x0000000000000000ULL, 0x8000000000000000ULL, 0x3ff0000000000000ULL, 0xbff0000000000000ULL,
                            0x7fefffffffffffffULL, 0x0010000000000000ULL, 0x0000000000000001ULL, 0x7ff0000000000000ULL,
                            0xfff0000000000000ULL, 0x7ff8000000000000ULL, 0x7ff0000000000001ULL, 0x400921fb54442d18ULL,
                            0xc05edd2f1a9fbe77ULL, 0x3fd5555555555555ULL, 0x4340000000000001ULL, 0x3ca0000000000000ULL};
#define NF (sizeof fvals / sizeof fvals[0])
#define ND (sizeof dvals / sizeof dvals[0])

#define FOP(name, expr)                                               \
  static float name(float a, float b, float c) {                     \
    (void)b, (void)c;                                                 \
    return expr;                                                      \
  }
#define DOP(name, expr)                                               \
  static double name(double a, double b, double c) {                 \
    (void)b, (void)c;                                                 \
    return expr;                                                      \
  }
FOP(f_add, a + b)
FOP(f_sub, a - b)
FOP(f_mul, a * b)
FOP(f_div, a / b)
FOP(f_nmul, -(a * b))
FOP(f_neg, -a)
FOP(f_abs, __builtin_fabsf(a))
FOP(f_sqrt, __builtin_sqrtf(a))
DOP(d_add, a + b)
DOP(d_sub, a - b)
DOP(d_mul, a * b)
DOP(d_div, a / b)
DOP(d_neg, -a)
DOP(d_abs, __builtin_fabs(a))
DOP(d_sqrt, __builtin_sqrt(a))

static float f_mla(float a, float b, float c) {
  __asm__("vmla.f32 %0, %1, %2" : "+t"(c) : "t"(a), "t"(b));
  return c;
}
static float f_mls(float a, float b, float c) {
  __asm__("vmls.f32 %0, %1, %2" : "+t"(c) : "t"(a), "t"(b));
  return c;
}
static float f_nmla(float a, float b, float c) {
  __asm__("vnmla.f32 %0, %1, %2" : "+t"(c) : "t"(a), "t"(b));
  return c;
}
static float f_nmls(float a, float b, float c) {
  __asm__("vnmls.f32 %0, %1, %2" : "+t"(c) : "t"(a), "t"(b));
  return c;
}
static double d_mla(double a, double b, double c) {
  __asm__("vmla.f64 %P0, %P1, %P2" : "+w"(c) : "w"(a), "w"(b));
  return c;
}
static double d_nmls(double a, double b, double c) {
  __asm__("vnmls.f64 %P0, %P1, %P2" : "+w"(c) : "w"(a), "w"(b));
  return c;
}

typedef float (*ffn)(float, float, float);
typedef double (*dfn)(double, double, double);
static const struct {
  const char *name;
  ffn fn;
} fops[] = {{"f add", f_add}, {"f sub", f_sub}, {"f mul", f_mul},   {"f div", f_div},   {"f nmul", f_nmul},
            {"f neg", f_neg}, {"f abs", f_abs}, {"f sqrt", f_sqrt}, {"f mla", f_mla},   {"f mls", f_mls},
            {"f nmla", f_nmla}, {"f nmls", f_nmls}};
static const struct {
  const char *name;
  dfn fn;
} dops[] = {{"d add", d_add}, {"d sub", d_sub}, {"d mul", d_mul},   {"d div", d_div}, {"d neg", d_neg},
            {"d abs", d_abs}, {"d sqrt", d_sqrt}, {"d mla", d_mla}, {"d nmls", d_nmls}};

int main(void) {
  put_str("vfp arith\n");
  u32 id;
  __asm__ volatile("vmrs %0, fpsid" : "=r"(id));
  show("FPSID", id);
  __asm__ volatile("vmrs %0, mvfr0" : "=r"(id));
  show("MVFR0", id);
  __asm__ volatile("vmrs %0, mvfr1" : "=r"(id));
  show("MVFR1", id);
  __asm__ volatile("vmrs %0, fpexc" : "=r"(id));
  show("FPEXC", id);
  show("FPSCR", fpscr_get());

  for (unsigned k = 0; k < sizeof fops / sizeof fops[0]; k++) {
    u32 h = 0, fl = 0;
    for (unsigned i = 0; i < NF; i++)
      for (unsigned j = 0; j < NF; j++) {
        fpscr_set(0);
        h = mix(h, fbits(fops[k].fn(bitsf(fvals[i]), bitsf(fvals[j]), bitsf(fvals[(i + j) % NF]))));
        fl = mix(fl, fpscr_get());
      }
    put_str(fops[k].name);
    put_str(" ");
    put_hex(h);
    put_str(" flags ");
    put_hex(fl);
    put_str("\n");
  }
  for (unsigned k = 0; k < sizeof dops / sizeof dops[0]; k++) {
    u32 h = 0, fl = 0;
    for (unsigned i = 0; i < ND; i++)
      for (unsigned j = 0; j < ND; j++) {
        fpscr_set(0);
        u64 r = dbits(dops[k].fn(bitsd(dvals[i]), bitsd(dvals[j]), bitsd(dvals[(i + j) % ND])));
        h = mix(mix(h, (u32)r), (u32)(r >> 32));
        fl = mix(fl, fpscr_get());
      }
    put_str(dops[k].name);
    put_str(" ");
    put_hex(h);
    put_str(" flags ");
    put_hex(fl);
    put_str("\n");
  }

  /* conversions */
  u32 h = 0, fl = 0;
  for (unsigned i = 0; i < NF; i++) {
    fpscr_set(0);
    float f = bitsf(fvals[i]);
    h = mix(h, (u32)(s32)f);
    h = mix(h, (u32)f);
    u64 d = dbits((double)f);
    h = mix(mix(h, (u32)d), (u32)(d >> 32));
    fl = mix(fl, fpscr_get());
  }
  for (unsigned i = 0; i < ND; i++) {
    fpscr_set(0);
    double d = bitsd(dvals[i]);
    h = mix(h, (u32)(s32)d);
    h = mix(h, (u32)d);
    h = mix(h, fbits((float)d));
    fl = mix(fl, fpscr_get());
  }
  u32 seed = 77;
  for (int i = 0; i < 32; i++) {
    fpscr_set(0);
    s32 v = (s32)xorshift(&seed) >> (i & 31);
    h = mix(h, fbits((float)v));
    h = mix(h, fbits((float)(u32)v));
    u64 d = dbits((double)v);
    h = mix(mix(h, (u32)d), (u32)(d >> 32));
    fl = mix(fl, fpscr_get());
  }
  show("conversions", h);
  show("conversion flags", fl);

  /* comparisons, including unordered */
  h = 0;
  for (unsigned i = 0; i < NF; i++)
    for (unsigned j = 0; j < NF; j++) {
      float a = bitsf(fvals[i]), b = bitsf(fvals[j]);
      h = mix(h, (u32)((a < b) | (a <= b) << 1 | (a == b) << 2 | (a > b) << 3 | (a >= b) << 4 | (a != b) << 5));
    }
  show("compare f", h);
  fpscr_set(0);
  __asm__ volatile("vcmpe.f64 %P0, %P1\n\tvmrs APSR_nzcv, fpscr" ::"w"(bitsd(dvals[9])), "w"(1.0) : "cc");
  show("vcmpe nan apsr", apsr());
  show("vcmpe nan fpscr", fpscr_get());
  fpscr_set(0);
  __asm__ volatile("vcmp.f32 %0, #0" ::"t"(-0.0f));
  show("vcmp -0 with 0", fpscr_get());

  /* immediates */
  float fi;
  double di;
  __asm__("vmov.f32 %0, #-1.5" : "=t"(fi));
  show("vmov.f32 #-1.5", fbits(fi));
  __asm__("vmov.f64 %P0, #0.125" : "=w"(di));
  show64("vmov.f64 #0.125", dbits(di));
  __asm__("vmov.f32 %0, #31.0" : "=t"(fi));
  show("vmov.f32 #31", fbits(fi));

  /* rounding modes: 1/3 and -1/3, and conversion to int with the current mode */
  static const char *const modes[] = {"rn", "rp", "rm", "rz"};
  for (u32 m = 0; m < 4; m++) {
    fpscr_set(m << 22);
    volatile float third = 1.0f, three = 3.0f;
    float q = third / three, nq = -third / three;
    s32 conv;
    float x = 2.5f;
    __asm__ volatile("vcvtr.s32.f32 %0, %1" : "=t"(fi) : "t"(x));
    __asm__ volatile("vmov %0, %1" : "=r"(conv) : "t"(fi));
    put_str(modes[m]);
    put_str(" ");
    put_hex(fbits(q));
    put_str(" ");
    put_hex(fbits(nq));
    put_str(" ");
    put_hex((u32)conv);
    put_str("\n");
  }

  /* flush-to-zero and default NaN */
  fpscr_set(1 << 24);
  volatile float tiny = bitsf(0x00400000), one = 1.0f;
  show("fz tiny*1", fbits(tiny * one));
  show("fz fpscr", fpscr_get());
  fpscr_set(1 << 25);
  volatile float snan = bitsf(0x7f800123);
  show("dn nan+1", fbits(snan + one));
  show("dn fpscr", fpscr_get());
  fpscr_set(0);
  show("nan+1", fbits(snan + one));
  show("fpscr", fpscr_get());
  fpscr_set(0xffffffff);
  show("fpscr all ones", fpscr_get());
  fpscr_set(0);
  return 0;
}
