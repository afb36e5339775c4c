/* Half-precision and fixed-point conversions: VCVTB/VCVTT between single and half precision (IEEE
   and the alternative format, every rounding mode, flush-to-zero, default NaN), the NEON
   VCVT.F16.F32 and VCVT.F32.F16 (standard FPSCR value, but FPSCR.AHP applies), and VFP VCVT between
   single/double precision and 16/32-bit signed/unsigned fixed point, in place. Each line shows the
   result and the flags raised. */
#include "fp.h"

static u32 mode;

static void result(const char *name, u32 in, u32 out) {
  u32 flags = fpscr_get() & 0x9f;
  put_str(name);
  uart_putc(' ');
  put_hex(in);
  put_str(" -> ");
  put_hex(out);
  put_str(" flags=");
  put_hex(flags);
  uart_putc('\n');
  fpscr_set(mode);
}
static void result64(const char *name, u64 in, u64 out) {
  u32 flags = fpscr_get() & 0x9f;
  put_str(name);
  uart_putc(' ');
  put_hex64(in);
  put_str(" -> ");
  put_hex64(out);
  put_str(" flags=");
  put_hex(flags);
  uart_putc('\n');
  fpscr_set(mode);
}

static const u32 singles[] = {
    0x00000000, 0x80000000, 0x3f800000, 0x477fe000, 0x477fefff, 0x477ff000, 0x477fffff, 0x47800000, 0x47ffe000,
    0x47fff000, 0x48000000, 0x38800000, 0x33800000, 0x33000000, 0x33400000, 0xb3000001, 0x2edbe6ff, 0x00000001,
    0x807fffff, 0x7f800000, 0xff800000, 0x7fc12345, 0xff812345, 0x3eaaaaab, 0xc6c35000, 0x387fc000, 0x38800fff};
static const u32 halves[] = {0x0000, 0x8000, 0x3c00, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x7d01, 0xfe3f,
                             0x0001, 0x83ff, 0x3555, 0xfbff, 0x7fff, 0x7c01, 0x0400};
#define NS (sizeof singles / sizeof singles[0])
#define NH (sizeof halves / sizeof halves[0])

static void half_vfp(void) {
  for (u32 i = 0; i < NS; i++) {
    u32 b = 0xdead0000, t = 0x0000beef, in = singles[i];
    __asm__ volatile("vmov s0, %1\n\tvmov s2, %0\n\tvcvtb.f16.f32 s2, s0\n\tvmov %0, s2" : "+r"(b) : "r"(in) : "s0", "s2");
    result("vcvtb.f16.f32", in, b);
    __asm__ volatile("vmov s0, %1\n\tvmov s3, %0\n\tvcvtt.f16.f32 s3, s0\n\tvmov %0, s3" : "+r"(t) : "r"(in) : "s0", "s3");
    result("vcvtt.f16.f32", in, t);
  }
  for (u32 i = 0; i < NH; i++) {
    u32 in = halves[i] | (halves[(i + 5) % NH] << 16), b, t;
    __asm__ volatile("vmov s1, %2\n\tvcvtb.f32.f16 s4, s1\n\tvmov %0, s4" : "=r"(b) : "r"(0), "r"(in) : "s1", "s4");
    result("vcvtb.f32.f16", in, b);
    __asm__ volatile("vmov s1, %2\n\tvcvtt.f32.f16 s5, s1\n\tvmov %0, s5" : "=r"(t) : "r"(0), "r"(in) : "s1", "s5");
    result("vcvtt.f32.f16", in, t);
  }
}

static void half_neon(void) {
  for (u32 i = 0; i + 4 <= NS; i += 4) {
    u32 lo, hi;
    __asm__ volatile("vld1.32 {d2-d3}, [%2]\n\tvcvt.f16.f32 d0, q1\n\tvmov %0, %1, d0" : "=r"(lo), "=r"(hi) : "r"(singles + i)
                     : "d0", "d2", "d3", "memory");
    result("vcvt.f16.f32 lo", singles[i], lo);
    result("vcvt.f16.f32 hi", singles[i + 2], hi);
  }
  for (u32 i = 0; i + 4 <= NH; i += 4) {
    u32 lo = halves[i] | halves[i + 1] << 16, hi = halves[i + 2] | halves[i + 3] << 16, r[4];
    __asm__ volatile("vmov d2, %0, %1\n\tvcvt.f32.f16 q0, d2\n\tvst1.32 {d0-d1}, [%2]" ::"r"(lo), "r"(hi), "r"(r)
                     : "d0", "d1", "d2", "memory");
    for (int k = 0; k < 4; k++) result("vcvt.f32.f16", k < 2 ? lo : hi, r[k]);
  }
}

static const u32 fixin[] = {0x00000000, 0x3f000000, 0xbf000000, 0x3fe00000, 0xbfe00000, 0x46fffff0, 0xc7000080,
                            0x477fff80, 0x4f000000, 0xcf000000, 0x4f800000, 0x501502f9, 0xd01502f9, 0x7fc00000,
                            0x7f800000, 0xff800000, 0x00000001, 0x3727c5ac, 0x3eaaaaab, 0xc0200000};
static const u32 ints[] = {0x00000000, 0x00007fff, 0x00008000, 0x0000ffff, 0x12345678, 0x80000000, 0xffffffff,
                           0x00000001, 0x00000003, 0x7fffffff, 0x0123ffff, 0xfffe0001};

#define TOFIX(insn)                                                                                  \
  for (u32 i = 0; i < sizeof fixin / sizeof fixin[0]; i++) {                                     \
    u32 v = fixin[i];                                                                            \
    __asm__ volatile("vmov s6, %0\n\t" insn " s6, s6, #" FB "\n\tvmov %0, s6" : "+r"(v)::"s6");   \
    result(insn " #" FB, fixin[i], v);                                                           \
  }
#define FROMFIX(insn)                                                                                \
  for (u32 i = 0; i < sizeof ints / sizeof ints[0]; i++) {                                       \
    u32 v = ints[i];                                                                             \
    __asm__ volatile("vmov s7, %0\n\t" insn " s7, s7, #" FB "\n\tvmov %0, s7" : "+r"(v)::"s7");   \
    result(insn " #" FB, ints[i], v);                                                            \
  }
#define TOFIXD(insn)                                                                                 \
  for (u32 i = 0; i < sizeof fixin / sizeof fixin[0]; i++) {                                     \
    u64 in, v;                                                                                   \
    __asm__ volatile("vmov s0, %1\n\tvcvt.f64.f32 d9, s0\n\tvmov %Q0, %R0, d9\n\t" insn " d9, d9, #" FB "\n\tvmov %Q1, %R1, d9" \
                     : "=&r"(in), "=r"(v) : "r"(fixin[i]) : "s0", "d9");                          \
    result64(insn " #" FB, in, v);                                                               \
  }
#define FROMFIXD(insn)                                                                               \
  for (u32 i = 0; i < sizeof ints / sizeof ints[0]; i++) {                                       \
    u64 in = (u64)ints[i] | 0xa5a5a5a500000000ULL, v;                                            \
    __asm__ volatile("vmov d10, %Q1, %R1\n\t" insn " d10, d10, #" FB "\n\tvmov %Q0, %R0, d10" : "=r"(v) : "r"(in) : "d10"); \
    result64(insn " #" FB, in, v);                                                               \
  }

static void fixed(void) {
#define FB "1"
  TOFIX("vcvt.s16.f32") TOFIX("vcvt.u32.f32") FROMFIX("vcvt.f32.u16") FROMFIX("vcvt.f32.s32")
#undef FB
#define FB "16"
  TOFIX("vcvt.u16.f32") TOFIX("vcvt.s32.f32") FROMFIX("vcvt.f32.s16") FROMFIX("vcvt.f32.u32") TOFIXD("vcvt.s16.f64")
      FROMFIXD("vcvt.f64.u32")
#undef FB
#define FB "32"
  TOFIX("vcvt.s32.f32") FROMFIX("vcvt.f32.u32") TOFIXD("vcvt.u32.f64") FROMFIXD("vcvt.f64.s32")
#undef FB
#define FB "3"
  TOFIXD("vcvt.s32.f64") TOFIXD("vcvt.u16.f64") FROMFIXD("vcvt.f64.s16") FROMFIXD("vcvt.f64.u16")
#undef FB
}

int main(void) {
  put_str("neon convert\n");
  /* nearest, AHP, default NaN, flush-to-zero, towards +inf, -inf and zero, AHP with flushing */
  static const u32 modes[] = {0x00000000, 0x04000000, 0x02000000, 0x01000000, 0x00400000, 0x00800000, 0x00c00000, 0x05c00000};
  for (u32 m = 0; m < sizeof modes / sizeof modes[0]; m++) {
    mode = modes[m];
    put_str("fpscr ");
    put_hex(mode);
    uart_putc('\n');
    fpscr_set(mode);
    half_vfp();
    half_neon();
    if (m == 0 || m == 3 || m >= 4) fixed();
  }
  return 0;
}
