/* Compute kernels, the kind of code compilers emit most: CRC-32, an insertion/merge sort, a sieve,
   an integer matrix product and a string hash; each prints its checksum. */
#include "runtime.h"

static u32 data[512];
static u32 tmp[512];
static unsigned char sieve[4096];
static s32 ma[12][12], mb[12][12], mc[12][12];

static u32 crc32(const unsigned char *p, u32 n) {
  u32 c = 0xffffffff;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c;
}

static void merge_sort(u32 *a, u32 *t, int n) {
  if (n < 8) {
    for (int i = 1; i < n; i++) {
      u32 v = a[i];
      int j = i - 1;
      while (j >= 0 && a[j] > v) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = v;
    }
    return;
  }
  int h = n / 2;
  merge_sort(a, t, h);
  merge_sort(a + h, t, n - h);
  int i = 0, j = h, k = 0;
  while (i < h && j < n) t[k++] = a[i] <= a[j] ? a[i++] : a[j++];
  while (i < h) t[k++] = a[i++];
  while (j < n) t[k++] = a[j++];
  for (i = 0; i < n; i++) a[i] = t[i];
}

int main(void) {
  put_str("compute\n");
  u32 seed = 2463534242u;
  for (int i = 0; i < 512; i++) data[i] = xorshift(&seed);
  show("crc32", crc32((const unsigned char *)data, sizeof data));

  merge_sort(data, tmp, 512);
  show_sorted("sort", data, 512);

  u32 primes = 0, last = 0;
  for (int i = 2; i < 4096; i++) {
    if (sieve[i]) continue;
    primes++;
    last = (u32)i;
    for (int j = i * i; j < 4096; j += i) sieve[j] = 1;
  }
  show("primes", primes);
  show("last prime", last);

  for (int i = 0; i < 12; i++)
    for (int j = 0; j < 12; j++) {
      ma[i][j] = (s32)(xorshift(&seed) % 2001) - 1000;
      mb[i][j] = (s32)(xorshift(&seed) % 2001) - 1000;
    }
  u32 h = 0;
  for (int i = 0; i < 12; i++)
    for (int j = 0; j < 12; j++) {
      s32 s = 0;
      for (int k = 0; k < 12; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
      h = mix(h, (u32)s);
    }
  show("matrix", h);

  const char *words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"};
  h = 5381;
  for (int r = 0; r < 50; r++)
    for (unsigned w = 0; w < 8; w++)
      for (const char *p = words[w]; *p; p++) h = h * 33 + (unsigned char)*p + (u32)r;
  show("djb2", h);
  return 0;
}
