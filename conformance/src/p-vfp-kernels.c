/* Floating-point kernels as a compiler builds them: a dot product, a matrix product, Newton square
   roots, a polynomial, float/double mixing and calls that spill to the callee-saved registers. */
#include "fp.h"

static double a[16][16], b[16][16], c[16][16];
static float vf[256];

__attribute__((noinline)) static double newton(double x) {
  double g = x > 1 ? x / 2 : 1;
  for (int i = 0; i < 30; i++) g = 0.5 * (g + x / g);
  return g;
}

__attribute__((noinline)) static double horner(double x) {
  static const double k[] = {1.0, -0.5, 0.041666666666666664, -0.001388888888888889, 2.48015873015873e-05};
  double x2 = x * x, r = 0;
  for (int i = 4; i >= 0; i--) r = r * x2 + k[i];
  return r;
}

__attribute__((noinline)) static double many_live(double p, double q) {
  double s0 = p, s1 = q, s2 = p * q, s3 = p - q, s4 = p / (q + 3), s5 = s2 + s3, s6 = s4 * s5, s7 = s6 - s0;
  for (int i = 0; i < 8; i++) {
    s0 += horner(s1 * 0.01);
    s1 = s1 * 0.75 + s2;
    s2 = s3 - s4 * 0.5;
    s3 = s5 + s6;
    s4 = s7 * 0.125;
    s5 = s0 - s1;
    s6 = s2 + s3;
    s7 = s4 + s5;
  }
  return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
}

int main(void) {
  put_str("vfp kernels\n");
  u32 seed = 1234;
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++) {
      a[i][j] = (double)(s32)xorshift(&seed) / 65536.0;
      b[i][j] = (double)(xorshift(&seed) & 0xffff) / 1024.0 - 32.0;
    }
  u32 h = 0;
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++) {
      double s = 0;
      for (int k = 0; k < 16; k++) s += a[i][k] * b[k][j];
      c[i][j] = s;
      h = mix(h, dbits32(s));
    }
  show("matmul", h);

  for (int i = 0; i < 256; i++) vf[i] = (float)(s32)(xorshift(&seed) >> 8) * 0.001f;
  float dot = 0;
  for (int i = 0; i < 256; i++) dot += vf[i] * vf[255 - i];
  show("dot", fbits(dot));

  h = 0;
  for (int i = 1; i < 40; i++) h = mix(h, dbits32(newton((double)i * 1.7)));
  show("newton", h);
  h = 0;
  for (int i = -20; i < 20; i++) h = mix(h, dbits32(horner(i * 0.1)));
  show("horner", h);
  show("many live", dbits32(many_live(1.25, -3.5)));

  float fsum = 0;
  double dsum = 0;
  for (int i = 1; i <= 1000; i++) {
    fsum += 1.0f / (float)i;
    dsum += 1.0 / (double)(i * i);
  }
  show("harmonic f", fbits(fsum));
  show("basel d", dbits32(dsum));
  s32 trunc = (s32)(dsum * 1e6);
  show("trunc", (u32)trunc);
  return 0;
}
