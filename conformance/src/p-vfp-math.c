/* Floating-point library-style code: exp, log, sin, cos and atan by series and range reduction,
   in double and float, plus a Mandelbrot row count and an integration. */
#include "fp.h"

static double my_exp(double x) {
  int k = (int)(x / 0.6931471805599453 + (x < 0 ? -0.5 : 0.5));
  double r = x - k * 0.6931471805599453, term = 1, sum = 1;
  for (int i = 1; i < 20; i++) sum += term *= r / i;
  while (k > 0) sum *= 2, k--;
  while (k < 0) sum /= 2, k++;
  return sum;
}

static double my_log(double x) {
  int e = 0;
  while (x > 2) x /= 2, e++;
  while (x < 1) x *= 2, e--;
  double y = (x - 1) / (x + 1), y2 = y * y, sum = 0, p = y;
  for (int i = 1; i < 40; i += 2) sum += p / i, p *= y2;
  return 2 * sum + e * 0.6931471805599453;
}

static double my_sin(double x) {
  const double pi = 3.141592653589793;
  while (x > pi) x -= 2 * pi;
  while (x < -pi) x += 2 * pi;
  double term = x, sum = x;
  for (int i = 1; i < 12; i++) sum += term *= -x * x / ((2 * i) * (2 * i + 1));
  return sum;
}

static float f_atan(float x) {
  int inv = x > 1 || x < -1;
  if (inv) x = 1 / x;
  float x2 = x * x, sum = 0, p = x;
  for (int i = 0; i < 30; i++) sum += (i & 1 ? -p : p) / (2 * i + 1), p *= x2;
  return inv ? (x > 0 ? 1.5707963f : -1.5707963f) - sum : sum;
}

int main(void) {
  put_str("vfp math\n");
  u32 h = 0;
  for (int i = -20; i <= 20; i++) h = mix(h, dbits32(my_exp(i * 0.37)));
  show("exp", h);
  h = 0;
  for (int i = 1; i <= 40; i++) h = mix(h, dbits32(my_log(i * 1.73)));
  show("log", h);
  h = 0;
  for (int i = -30; i <= 30; i++) h = mix(h, dbits32(my_sin(i * 0.21)));
  show("sin", h);
  h = 0;
  for (int i = -25; i <= 25; i++) h = mix(h, fbits(f_atan(i * 0.3f)));
  show("atan f", h);
  u32 inside = 0;
  for (int py = 0; py < 12; py++)
    for (int px = 0; px < 32; px++) {
      double cr = -2.0 + px * (2.5 / 32), ci = -1.0 + py * (2.0 / 12), zr = 0, zi = 0;
      int n = 0;
      while (n < 50 && zr * zr + zi * zi < 4) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        n++;
      }
      inside += n == 50;
    }
  show("mandelbrot inside", inside);
  float area = 0;
  for (int i = 0; i < 1000; i++) {
    float x = (i + 0.5f) / 1000;
    area += 4.0f / (1 + x * x) / 1000;
  }
  show("pi by integration", fbits(area));
  return 0;
}
