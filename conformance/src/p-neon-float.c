/* Advanced SIMD single precision: arithmetic, multiply-accumulate (chained and fused), by-scalar
   forms, min/max, absolute difference, pairwise forms, compares, reciprocal and square-root
   estimates and steps, conversions to and from integers and fixed point. NEON ignores FPSCR's
   rounding, flush and NaN controls (it always uses the standard value) but accumulates the flags:
   each line shows the result and the flags raised. Ends with a kernel gcc vectorises itself. */
#include <arm_neon.h>

#include "fp.h"

#define NOIPA __attribute__((noipa))

/* zeros, ones, denormals, limits, infinities, quiet and signalling NaNs, awkward fractions */
static const u32 va[16] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x00000001, 0x807fffff, 0x7f7fffff, 0x00800000,
                           0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x40490fdb, 0xc2f6e979, 0x7e800000, 0x3eaaaaab};
static const u32 vb[16] = {0x80000000, 0x00000000, 0x3f800000, 0x7f800000, 0x00800000, 0x00000003, 0x7f7fffff, 0x80800000,
                           0x00000000, 0xff800000, 0x3f800000, 0x40000000, 0xc0490fdb, 0x4b800001, 0x00800001, 0x7fc00001};

NOIPA static float32x4_t ldf(const u32 *p) { return vreinterpretq_f32_u32(vld1q_u32((const uint32_t *)p)); }

/* FPSCR controls in force for the NEON operations (they must make no difference). */
static u32 controls;

static void pq(const char *name, uint32x4_t v) {
  u32 flags = fpscr_get() & 0x0800009f;
  put_str(name);
  for (int i = 3; i >= 0; i--) {
    uart_putc(' ');
    put_hex(i == 3 ? vgetq_lane_u32(v, 3) : i == 2 ? vgetq_lane_u32(v, 2) : i == 1 ? vgetq_lane_u32(v, 1) : vgetq_lane_u32(v, 0));
  }
  put_str(" flags=");
  put_hex(flags);
  uart_putc('\n');
  fpscr_set(controls);
}
#define PQ(name, v) pq(name, vreinterpretq_u32_f32((float32x4_t)(v)))
#define PI(name, v) pq(name, (uint32x4_t)(v))

/* Every group of four inputs against the matching group of the other table. */
#define EACH(body)                                                                                   \
  for (int g = 0; g < 4; g++) {                                                                      \
    float32x4_t a = ldf(va + 4 * g), b = ldf(vb + 4 * g), c = ldf(vb + 4 * ((g + 1) & 3));           \
    (void)a, (void)b, (void)c;                                                                       \
    body;                                                                                            \
  }

static void arithmetic(void) {
  EACH(PQ("vadd", vaddq_f32(a, b)));
  EACH(PQ("vsub", vsubq_f32(a, b)));
  EACH(PQ("vmul", vmulq_f32(a, b)));
  EACH(PQ("vmla", vmlaq_f32(c, a, b)));
  EACH(PQ("vmls", vmlsq_f32(c, a, b)));
  EACH(PQ("vfma", vfmaq_f32(c, a, b)));
  EACH(PQ("vfms", vfmsq_f32(c, a, b)));
  EACH(PQ("vmul_lane", vmulq_lane_f32(a, vget_low_f32(b), 1)));
  EACH(PQ("vmla_lane", vmlaq_lane_f32(c, a, vget_high_f32(b), 0)));
  EACH(PQ("vmls_n", vmlsq_n_f32(c, a, 3.0f)));
  EACH(PQ("vmax", vmaxq_f32(a, b)));
  EACH(PQ("vmin", vminq_f32(a, b)));
  EACH(PQ("vabd", vabdq_f32(a, b)));
  EACH(PQ("vabs", vabsq_f32(a)));
  EACH(PQ("vneg", vnegq_f32(b)));
  EACH(PQ("vpadd", vcombine_f32(vpadd_f32(vget_low_f32(a), vget_high_f32(b)), vpmax_f32(vget_low_f32(a), vget_high_f32(b)))));
  EACH(PQ("vpmin", vcombine_f32(vpmin_f32(vget_low_f32(a), vget_low_f32(b)), vpmin_f32(vget_high_f32(b), vget_high_f32(a)))));
}

static void compares(void) {
  EACH(PI("vceq", vceqq_f32(a, b)));
  EACH(PI("vcge", vcgeq_f32(a, b)));
  EACH(PI("vcgt", vcgtq_f32(a, b)));
  EACH(PI("vcle", vcleq_f32(a, b)));
  EACH(PI("vclt", vcltq_f32(a, b)));
  EACH(PI("vcage", vcageq_f32(a, b)));
  EACH(PI("vcagt", vcagtq_f32(a, b)));
  EACH(PI("vceqz", vceqq_f32(a, vdupq_n_f32(0))));
  uint32x4_t r;
  EACH(__asm__("vcgt.f32 %q0, %q1, #0" : "=w"(r) : "w"(a)); PI("vcgtz", r));
  EACH(__asm__("vcge.f32 %q0, %q1, #0" : "=w"(r) : "w"(b)); PI("vcgez", r));
  EACH(__asm__("vcle.f32 %q0, %q1, #0" : "=w"(r) : "w"(a)); PI("vclez", r));
  EACH(__asm__("vclt.f32 %q0, %q1, #0" : "=w"(r) : "w"(b)); PI("vcltz", r));
}

static void estimates(void) {
  EACH(PQ("vrecpe", vrecpeq_f32(a)));
  EACH(PQ("vrecpe b", vrecpeq_f32(b)));
  EACH(PQ("vrsqrte", vrsqrteq_f32(a)));
  EACH(PQ("vrsqrte b", vrsqrteq_f32(b)));
  EACH(PQ("vrecps", vrecpsq_f32(a, b)));
  EACH(PQ("vrsqrts", vrsqrtsq_f32(a, b)));
  EACH(PI("vrecpe.u32", vrecpeq_u32(vreinterpretq_u32_f32(a))));
  EACH(PI("vrsqrte.u32", vrsqrteq_u32(vreinterpretq_u32_f32(b))));
  /* Newton-Raphson refinement of 1/x and 1/sqrt(x) as code using the estimates does it */
  float32x4_t x = {3.0f, 0.1f, 1234.5f, 7e-30f};
  float32x4_t r = vrecpeq_f32(x);
  for (int i = 0; i < 3; i++) r = vmulq_f32(r, vrecpsq_f32(x, r));
  PQ("1/x refined", r);
  float32x4_t q = vrsqrteq_f32(x);
  for (int i = 0; i < 3; i++) q = vmulq_f32(q, vrsqrtsq_f32(vmulq_f32(x, q), q));
  PQ("1/sqrt(x) refined", q);
}

static void conversions(void) {
  EACH(PI("vcvt.s32.f32", vcvtq_s32_f32(a)));
  EACH(PI("vcvt.u32.f32", vcvtq_u32_f32(b)));
  EACH(PI("vcvt.s32.f32 #16", vcvtq_n_s32_f32(a, 16)));
  EACH(PI("vcvt.u32.f32 #1", vcvtq_n_u32_f32(b, 1)));
  EACH(PI("vcvt.s32.f32 #32", vcvtq_n_s32_f32(b, 32)));
  EACH(PQ("vcvt.f32.s32", vcvtq_f32_s32(vreinterpretq_s32_f32(a))));
  EACH(PQ("vcvt.f32.u32", vcvtq_f32_u32(vreinterpretq_u32_f32(b))));
  EACH(PQ("vcvt.f32.s32 #8", vcvtq_n_f32_s32(vreinterpretq_s32_f32(a), 8)));
  EACH(PQ("vcvt.f32.u32 #32", vcvtq_n_f32_u32(vreinterpretq_u32_f32(b), 32)));
}

/* gcc's own vectorisation of a float kernel, allowed to use NEON arithmetic by fast-math */
__attribute__((noinline, optimize("Ofast"))) static void saxpy(float *y, const float *x, float k, int n) {
  for (int i = 0; i < n; i++) y[i] = k * x[i] + y[i] * 0.5f - (x[i] > y[i] ? x[i] : y[i]);
}

int main(void) {
  put_str("neon float\n");
  static const u32 modes[] = {0x00000000, 0x03c00000};
  for (int m = 0; m < 2; m++) {
    controls = modes[m];
    put_str("fpscr controls ");
    put_hex(controls);
    uart_putc('\n');
    fpscr_set(controls);
    arithmetic();
    compares();
    estimates();
    conversions();
  }
  static float x[37], y[37];
  u32 s = 12345;
  for (int i = 0; i < 37; i++) {
    x[i] = (float)(s = xorshift(&s)) / 65536.0f - 30000.0f;
    y[i] = (float)(int)xorshift(&s) * 1e-6f;
  }
  fpscr_set(0);
  saxpy(y, x, 1.5f, 37);
  u32 h = 0;
  for (int i = 0; i < 37; i++) {
    union {
      float f;
      u32 u;
    } v = {y[i]};
    h = mix(h, v.u);
  }
  show("saxpy", h);
  show("saxpy flags", fpscr_get() & 0x9f);
  return 0;
}
