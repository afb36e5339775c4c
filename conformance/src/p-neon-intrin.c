/* Advanced SIMD integer intrinsics on edge values: saturating arithmetic and FPSCR.QC, halving and
   rounding forms, doubling multiplies, long/wide/narrow forms, shifts by immediate and register,
   bit counts, compares and selects, pairwise operations, multiplies by a scalar, immediates, lanes,
   the core/scalar moves and VDUP; then NEON disabled by FPEXC and by CPACR (undefined), and
   MVFR0/MVFR1. */
#include <arm_neon.h>

#include "fp.h"

#define NOIPA __attribute__((noipa))

static const int8_t e8[16] = {0, 1, -1, 127, -128, 64, -64, 100, -100, 3, -3, 0x55, -0x56, 16, -17, 7};
static const int8_t f8[16] = {-128, 127, 127, 1, -1, 64, -65, 100, 28, -3, 125, -0x56, 0x55, 5, 17, -7};
static const int16_t e16[8] = {0, 1, -1, 32767, -32768, 16384, -12345, 255};
static const int16_t f16[8] = {-32768, 32767, 32767, 1, -1, 16384, 23456, -256};
static const int32_t e32[4] = {0x7fffffff, -0x7fffffff - 1, 1, -65536};
static const int32_t f32[4] = {0x7fffffff, -0x7fffffff - 1, -0x40000000, 0x12345678};
static const int64_t e64[2] = {0x7fffffffffffffffLL, -0x7fffffffffffffffLL - 1};
static const int64_t f64[2] = {1, -1};

NOIPA static int8x16_t ld8(const int8_t *p) { return vld1q_s8(p); }
NOIPA static int16x8_t ld16(const int16_t *p) { return vld1q_s16(p); }
NOIPA static int32x4_t ld32(const int32_t *p) { return vld1q_s32(p); }
NOIPA static int64x2_t ld64(const int64_t *p) { return vld1q_s64(p); }

/* Prints a doubleword and whether the cumulative saturation flag got set since the last print. */
static void pd(const char *name, uint64x1_t v) {
  put_str(name);
  put_str("=");
  put_hex64(vget_lane_u64(v, 0));
  if (fpscr_get() & 0x08000000) put_str(" qc");
  fpscr_set(0);
  uart_putc('\n');
}
static void pq(const char *name, uint64x2_t v) {
  put_str(name);
  put_str("=");
  put_hex64(vgetq_lane_u64(v, 1));
  put_str(":");
  put_hex64(vgetq_lane_u64(v, 0));
  if (fpscr_get() & 0x08000000) put_str(" qc");
  fpscr_set(0);
  uart_putc('\n');
}
#define PD(name, v) pd(name, (uint64x1_t)(v))
#define PQ(name, v) pq(name, (uint64x2_t)(v))

static volatile u32 undef;
void on_undefined(struct frame *f) {
  undef++;
  skip_thumb32(f);
}

static void arithmetic(void) {
  int8x16_t a = ld8(e8), b = ld8(f8);
  int16x8_t h = ld16(e16), k = ld16(f16);
  int32x4_t s = ld32(e32), t = ld32(f32);
  int64x2_t x = ld64(e64), y = ld64(f64);
  PQ("vaddq_s8", vaddq_s8(a, b));
  PQ("vsubq_s16", vsubq_s16(h, k));
  PQ("vqaddq_s8", vqaddq_s8(a, b));
  PQ("vqaddq_u8", vqaddq_u8((uint8x16_t)a, (uint8x16_t)b));
  PQ("vqsubq_s16", vqsubq_s16(h, k));
  PQ("vqsubq_u16", vqsubq_u16((uint16x8_t)h, (uint16x8_t)k));
  PQ("vqaddq_s32", vqaddq_s32(s, t));
  PQ("vqaddq_s64", vqaddq_s64(x, y));
  PQ("vqsubq_u64", vqsubq_u64((uint64x2_t)y, (uint64x2_t)x));
  PQ("vhaddq_s8", vhaddq_s8(a, b));
  PQ("vrhaddq_u8", vrhaddq_u8((uint8x16_t)a, (uint8x16_t)b));
  PQ("vhsubq_s32", vhsubq_s32(s, t));
  PQ("vqdmulhq_s16", vqdmulhq_s16(h, k));
  PQ("vqrdmulhq_s16", vqrdmulhq_s16(h, k));
  PQ("vqdmulhq_s32", vqdmulhq_s32(s, t));
  PQ("vqrdmulhq_s32", vqrdmulhq_s32(s, s));
  PQ("vqdmulhq_n_s16", vqdmulhq_n_s16(h, -32768));
  PQ("vqrdmulhq_lane_s32", vqrdmulhq_lane_s32(s, vget_low_s32(t), 1));
  PQ("vmulq_s16", vmulq_s16(h, k));
  PQ("vmlaq_s32", vmlaq_s32(s, t, s));
  PQ("vmlsq_u8", vmlsq_u8((uint8x16_t)a, (uint8x16_t)b, (uint8x16_t)a));
  PQ("vmulq_p8", vmulq_p8((poly8x16_t)a, (poly8x16_t)b));
  PQ("vmull_p8", vmull_p8((poly8x8_t)vget_low_s8(a), (poly8x8_t)vget_high_s8(b)));
  PQ("vmull_s16", vmull_s16(vget_low_s16(h), vget_high_s16(k)));
  PQ("vmull_u32", vmull_u32((uint32x2_t)vget_low_s32(s), (uint32x2_t)vget_high_s32(t)));
  PQ("vmlal_s8", vmlal_s8(h, vget_low_s8(a), vget_high_s8(b)));
  PQ("vmlsl_u16", vmlsl_u16((uint32x4_t)s, (uint16x4_t)vget_low_s16(h), (uint16x4_t)vget_low_s16(k)));
  PQ("vqdmull_s16", vqdmull_s16(vget_low_s16(h), vget_low_s16(k)));
  PQ("vqdmull_s32", vqdmull_s32(vget_high_s32(s), vget_high_s32(t)));
  PQ("vqdmlal_s16", vqdmlal_s16(s, vget_low_s16(h), vget_low_s16(k)));
  PQ("vqdmlsl_s32", vqdmlsl_s32(x, vget_low_s32(s), vget_low_s32(t)));
  PQ("vqdmlal_lane_s16", vqdmlal_lane_s16(t, vget_high_s16(h), vget_low_s16(k), 0));
  PQ("vmull_lane_u16", vmull_lane_u16((uint16x4_t)vget_low_s16(h), (uint16x4_t)vget_high_s16(k), 3));
  PQ("vmlal_n_s32", vmlal_n_s32(x, vget_low_s32(s), -7));
  PQ("vmulq_lane_s16", vmulq_lane_s16(h, vget_low_s16(k), 2));
  PQ("vmlaq_n_u32", vmlaq_n_u32((uint32x4_t)s, (uint32x4_t)t, 3));
  PQ("vmlsq_lane_s16", vmlsq_lane_s16(h, k, vget_high_s16(h), 1));
  PQ("vqdmulh_lane_s16", vcombine_s16(vqdmulh_lane_s16(vget_low_s16(h), vget_low_s16(k), 1), vdup_n_s16(0)));
  PQ("vaddl_u8", vaddl_u8((uint8x8_t)vget_low_s8(a), (uint8x8_t)vget_high_s8(b)));
  PQ("vaddw_s16", vaddw_s16(s, vget_high_s16(k)));
  PQ("vsubl_s32", vsubl_s32(vget_low_s32(s), vget_high_s32(t)));
  PQ("vsubw_u8", vsubw_u8((uint16x8_t)h, (uint8x8_t)vget_high_s8(a)));
  PD("vaddhn_s16", vaddhn_s16(h, k));
  PD("vraddhn_s32", vraddhn_s32(s, t));
  PD("vsubhn_s64", vsubhn_s64(x, y));
  PD("vrsubhn_u16", vrsubhn_u16((uint16x8_t)h, (uint16x8_t)k));
  PQ("vabsq_s8", vabsq_s8(a));
  PQ("vnegq_s16", vnegq_s16(h));
  PQ("vqabsq_s8", vqabsq_s8(a));
  PQ("vqnegq_s32", vqnegq_s32(s));
  PQ("vabdq_s8", vabdq_s8(a, b));
  PQ("vabdq_u16", vabdq_u16((uint16x8_t)h, (uint16x8_t)k));
  PQ("vabaq_s32", vabaq_s32(s, t, s));
  PQ("vabdl_s8", vabdl_s8(vget_low_s8(a), vget_low_s8(b)));
  PQ("vabal_u16", vabal_u16((uint32x4_t)t, (uint16x4_t)vget_low_s16(h), (uint16x4_t)vget_high_s16(k)));
  PQ("vmaxq_s8", vmaxq_s8(a, b));
  PQ("vminq_u8", vminq_u8((uint8x16_t)a, (uint8x16_t)b));
  PQ("vmaxq_u32", vmaxq_u32((uint32x4_t)s, (uint32x4_t)t));
  PQ("vminq_s16", vminq_s16(h, k));
}

static void pairwise_and_bits(void) {
  int8x16_t a = ld8(e8), b = ld8(f8);
  int16x8_t h = ld16(e16), k = ld16(f16);
  int32x4_t s = ld32(e32), t = ld32(f32);
  PD("vpadd_s8", vpadd_s8(vget_low_s8(a), vget_high_s8(b)));
  PD("vpadd_u16", vpadd_u16((uint16x4_t)vget_low_s16(h), (uint16x4_t)vget_high_s16(k)));
  PD("vpmax_s8", vpmax_s8(vget_low_s8(a), vget_high_s8(a)));
  PD("vpmin_u16", vpmin_u16((uint16x4_t)vget_low_s16(h), (uint16x4_t)vget_high_s16(h)));
  PD("vpmax_u32", vpmax_u32((uint32x2_t)vget_low_s32(s), (uint32x2_t)vget_high_s32(t)));
  PQ("vpaddlq_s8", vpaddlq_s8(a));
  PQ("vpaddlq_u16", vpaddlq_u16((uint16x8_t)h));
  PQ("vpaddlq_s32", vpaddlq_s32(s));
  PQ("vpadalq_u8", vpadalq_u8((uint16x8_t)k, (uint8x16_t)b));
  PQ("vpadalq_s16", vpadalq_s16(t, h));
  PQ("vcntq_u8", vcntq_u8((uint8x16_t)a));
  PQ("vclzq_s8", vclzq_s8(a));
  PQ("vclzq_u16", vclzq_u16((uint16x8_t)k));
  PQ("vclzq_s32", vclzq_s32(t));
  PQ("vclsq_s8", vclsq_s8(b));
  PQ("vclsq_s16", vclsq_s16(h));
  PQ("vclsq_s32", vclsq_s32(t));
  PQ("vmvnq_u8", vmvnq_u8((uint8x16_t)a));
  PQ("vandq", vandq_s8(a, b));
  PQ("vbicq", vbicq_s16(h, k));
  PQ("vorrq", vorrq_s32(s, t));
  PQ("vornq", vornq_s8(a, b));
  PQ("veorq", veorq_s8(a, b));
  PQ("vbslq", vbslq_s8((uint8x16_t)b, a, vdupq_n_s8(0x5a)));
  PQ("vceqq_s8", vceqq_s8(a, b));
  PQ("vcgeq_s16", vcgeq_s16(h, k));
  PQ("vcgtq_u32", vcgtq_u32((uint32x4_t)s, (uint32x4_t)t));
  PQ("vcleq_u8", vcleq_u8((uint8x16_t)a, (uint8x16_t)b));
  PQ("vcltq_s32", vcltq_s32(s, t));
  PQ("vtstq_s16", vtstq_s16(h, k));
  PQ("vtstq_u8", vtstq_u8((uint8x16_t)a, (uint8x16_t)b));
}

static void shifts(void) {
  int8x16_t a = ld8(e8), b = ld8(f8);
  int16x8_t h = ld16(e16), k = ld16(f16);
  int32x4_t s = ld32(e32), t = ld32(f32);
  int64x2_t x = ld64(e64), y = ld64(f64);
  int8x16_t by = vshrq_n_s8(b, 3); /* shift counts from -16 to 15 */
  PQ("vshlq_s8", vshlq_s8(a, by));
  PQ("vshlq_u8", vshlq_u8((uint8x16_t)a, by));
  PQ("vrshlq_s8", vrshlq_s8(a, by));
  PQ("vqshlq_s8", vqshlq_s8(a, by));
  PQ("vqshlq_u8", vqshlq_u8((uint8x16_t)a, by));
  PQ("vqrshlq_s16", vqrshlq_s16(h, vshrq_n_s16(k, 11)));
  PQ("vrshlq_u32", vrshlq_u32((uint32x4_t)s, vshrq_n_s32(t, 26)));
  PQ("vshlq_s64", vshlq_s64(x, vdupq_n_s64(-63)));
  PQ("vqshlq_s64", vqshlq_s64(y, vdupq_n_s64(62)));
  PQ("vqrshlq_u64", vqrshlq_u64((uint64x2_t)x, vdupq_n_s64(-1)));
  PQ("vshrq_n_s8", vshrq_n_s8(a, 7));
  PQ("vshrq_n_u16", vshrq_n_u16((uint16x8_t)h, 16));
  PQ("vrshrq_n_s32", vrshrq_n_s32(s, 31));
  PQ("vrshrq_n_u64", vrshrq_n_u64((uint64x2_t)x, 64));
  PQ("vsraq_n_s16", vsraq_n_s16(k, h, 3));
  PQ("vrsraq_n_u8", vrsraq_n_u8((uint8x16_t)a, (uint8x16_t)b, 1));
  PQ("vshlq_n_s32", vshlq_n_s32(s, 31));
  PQ("vqshlq_n_s8", vqshlq_n_s8(a, 2));
  PQ("vqshlq_n_u16", vqshlq_n_u16((uint16x8_t)h, 4));
  PQ("vqshluq_n_s16", vqshluq_n_s16(h, 1));
  PQ("vqshluq_n_s64", vqshluq_n_s64(x, 0));
  PQ("vsliq_n_s8", vsliq_n_s8(a, b, 3));
  PQ("vsriq_n_u16", vsriq_n_u16((uint16x8_t)h, (uint16x8_t)k, 5));
  PQ("vsriq_n_u32", vsriq_n_u32((uint32x4_t)s, (uint32x4_t)t, 32));
  PQ("vsliq_n_u64", vsliq_n_u64((uint64x2_t)x, (uint64x2_t)y, 63));
  PD("vshrn_n_s16", vshrn_n_s16(h, 4));
  PD("vrshrn_n_u32", vrshrn_n_u32((uint32x4_t)s, 16));
  PD("vqshrn_n_s16", vqshrn_n_s16(h, 2));
  PD("vqshrn_n_u32", vqshrn_n_u32((uint32x4_t)t, 3));
  PD("vqrshrn_n_s64", vqrshrn_n_s64(x, 1));
  PD("vqshrun_n_s16", vqshrun_n_s16(k, 1));
  PD("vqrshrun_n_s32", vqrshrun_n_s32(s, 9));
  PD("vmovn_s32", vmovn_s32(t));
  PD("vqmovn_s16", vqmovn_s16(h));
  PD("vqmovn_u32", vqmovn_u32((uint32x4_t)s));
  PD("vqmovn_s64", vqmovn_s64(x));
  PD("vqmovun_s16", vqmovun_s16(k));
  PD("vqmovun_s32", vqmovun_s32(s));
  PQ("vmovl_s8", vmovl_s8(vget_low_s8(a)));
  PQ("vmovl_u16", vmovl_u16((uint16x4_t)vget_high_s16(h)));
  PQ("vshll_n_s8", vshll_n_s8(vget_high_s8(b), 8));
  PQ("vshll_n_u16", vshll_n_u16((uint16x4_t)vget_low_s16(k), 5));
  PQ("vshll_n_s32", vshll_n_s32(vget_low_s32(t), 32));
}

static void moves(void) {
  int8x16_t a = ld8(e8), b = ld8(f8);
  int16x8_t h = ld16(e16);
  int32x4_t s = ld32(e32);
  PQ("vrev64q_s8", vrev64q_s8(a));
  PQ("vrev32q_s16", vrev32q_s16(h));
  PQ("vrev16q_u8", vrev16q_u8((uint8x16_t)b));
  PQ("vrev64q_s32", vrev64q_s32(s));
  PQ("vextq_s8", vextq_s8(a, b, 13));
  PD("vext_s16", vext_s16(vget_low_s16(h), vget_high_s16(h), 3));
  uint8x8x2_t tab2 = {{(uint8x8_t)vget_low_s8(a), (uint8x8_t)vget_high_s8(b)}};
  uint8x8x4_t tab4 = {{(uint8x8_t)vget_low_s8(a), (uint8x8_t)vget_high_s8(a), (uint8x8_t)vget_low_s8(b),
                       (uint8x8_t)vget_high_s8(b)}};
  uint8x8_t idx = vcreate_u8(0x1f0e2001ff07080fULL);
  PD("vtbl1", vtbl1_u8((uint8x8_t)vget_low_s8(b), idx));
  PD("vtbl2", vtbl2_u8(tab2, idx));
  PD("vtbl4", vtbl4_u8(tab4, idx));
  PD("vtbx2", vtbx2_u8(vdup_n_u8(0xee), tab2, idx));
  uint8x8x3_t tab3 = {{(uint8x8_t)vget_low_s8(a), (uint8x8_t)vget_high_s8(a), (uint8x8_t)vget_low_s8(b)}};
  PD("vtbx3", vtbx3_u8(vdup_n_u8(0x11), tab3, idx));
  int8x16x2_t z = vzipq_s8(a, b);
  PQ("vzipq_s8.0", z.val[0]);
  PQ("vzipq_s8.1", z.val[1]);
  int16x8x2_t u = vuzpq_s16(h, vreinterpretq_s16_s8(b));
  PQ("vuzpq_s16.0", u.val[0]);
  PQ("vuzpq_s16.1", u.val[1]);
  int32x4x2_t tr = vtrnq_s32(s, vreinterpretq_s32_s8(a));
  PQ("vtrnq_s32.0", tr.val[0]);
  PQ("vtrnq_s32.1", tr.val[1]);
  int8x8x2_t z8 = vzip_s8(vget_low_s8(a), vget_high_s8(a));
  PD("vzip_s8.0", z8.val[0]);
  PD("vzip_s8.1", z8.val[1]);
  int16x4x2_t t16 = vtrn_s16(vget_low_s16(h), vget_high_s16(h));
  PD("vtrn_s16.0", t16.val[0]);
  PD("vtrn_s16.1", t16.val[1]);
  uint32x2x2_t u32v = vuzp_u32((uint32x2_t)vget_low_s32(s), (uint32x2_t)vget_high_s32(s));
  PD("vuzp_u32.0", u32v.val[0]);
  PQ("vdupq_n_u8", vdupq_n_u8(e8[4] + 1));
  PQ("vdupq_lane_s16", vdupq_lane_s16(vget_high_s16(h), 2));
  PD("vdup_lane_s32", vdup_lane_s32(vget_low_s32(s), 1));
  PD("vdup_lane_u8", vdup_lane_u8((uint8x8_t)vget_high_s8(b), 7));
  PQ("vmovq_n_s32", vmovq_n_s32(e32[3]));
  PQ("vsetq_lane_u8", vsetq_lane_u8(0xa5, (uint8x16_t)a, 11));
  PQ("vsetq_lane_s16", vsetq_lane_s16(-2, h, 5));
  show("vgetq_lane_s8", vgetq_lane_s8(a, 4));
  show("vgetq_lane_u8", vgetq_lane_u8((uint8x16_t)a, 4));
  show("vgetq_lane_s16", vgetq_lane_s16(h, 4));
  show("vgetq_lane_u16", vgetq_lane_u16((uint16x8_t)h, 6));
  show("vget_lane_s32", vget_lane_s32(vget_high_s32(s), 1));
  /* VMOV and VMVN immediates of every cmode */
  uint64x2_t imm;
  __asm__("vmov.i32 %q0, #0x00ab0000" : "=w"(imm));
  PQ("vmov.i32 cmode 4", imm);
  __asm__("vmvn.i32 %q0, #0xab00" : "=w"(imm));
  PQ("vmvn.i32 cmode 2", imm);
  __asm__("vmov.i32 %q0, #0x0001ffff" : "=w"(imm));
  PQ("vmov.i32 cmode 13", imm);
  __asm__("vmvn.i32 %q0, #0x0000c4ff" : "=w"(imm));
  PQ("vmvn.i32 cmode 12", imm);
  __asm__("vmov.i16 %q0, #0xf100" : "=w"(imm));
  PQ("vmov.i16 cmode 10", imm);
  __asm__("vmov.i8 %q0, #0x81" : "=w"(imm));
  PQ("vmov.i8", imm);
  __asm__("vmov.i64 %q0, #0xff00ffff000000ff" : "=w"(imm));
  PQ("vmov.i64", imm);
  __asm__("vmov.f32 %q0, #-1.9375" : "=w"(imm));
  PQ("vmov.f32", imm);
  imm = (uint64x2_t)ld32(f32);
  __asm__("vorr.i16 %q0, #0x8800\n\tvbic.i32 %q0, #0x3f000000" : "+w"(imm));
  PQ("vorr/vbic imm", imm);
}

int main(void) {
  put_str("neon intrinsics\n");
  fpscr_set(0);
  arithmetic();
  pairwise_and_bits();
  shifts();
  moves();
  /* with FPEXC.EN clear, Advanced SIMD instructions are undefined like VFP ones */
  u32 fpexc;
  __asm__ volatile("vmrs %0, fpexc" : "=r"(fpexc));
  __asm__ volatile("vmsr fpexc, %0\n\tvadd.i8 d0, d1, d2\n\tvld1.8 {d0}, [sp]\n\tvmov.u8 r0, d0[1]\n\tvmsr fpexc, %1" ::"r"(0),
                   "r"(fpexc)
                   : "d0", "r0", "memory");
  show("undefined while disabled", undef);
  /* and without coprocessor 10/11 access in CPACR */
  u32 cpacr;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 2" : "=r"(cpacr));
  undef = 0;
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 2\n\tisb\n\tvadd.i8 d0, d1, d2\n\tvdup.8 d0, %0\n\tvst1.8 {d0}, [sp]\n\t"
                   "mcr p15, 0, %1, c1, c0, 2\n\tisb" ::"r"(cpacr & ~0x00f00000),
                   "r"(cpacr)
                   : "d0", "memory");
  show("undefined without access", undef);
  u32 mvfr0, mvfr1;
  __asm__ volatile("vmrs %0, mvfr0\n\tvmrs %1, mvfr1" : "=r"(mvfr0), "=r"(mvfr1));
  show("mvfr0", mvfr0);
  show("mvfr1", mvfr1);
  return 0;
}
