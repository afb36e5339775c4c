/* Benchmark: quicksort and a merge sort of 100,000 words, several rounds. */
#include "runtime.h"

#define N 100000
static u32 a[N];
static u32 tmp[N];

static void quick(u32 *v, int lo, int hi) {
  while (lo < hi) {
    u32 p = v[(lo + hi) >> 1];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < p) i++;
      while (v[j] > p) j--;
      if (i <= j) {
        u32 t = v[i];
        v[i++] = v[j];
        v[j--] = t;
      }
    }
    if (j - lo < hi - i) {
      quick(v, lo, j);
      lo = i;
    } else {
      quick(v, i, hi);
      hi = j;
    }
  }
}

static void merge_sort(u32 *v, u32 n) {
  for (u32 width = 1; width < n; width *= 2) {
    for (u32 i = 0; i < n; i += 2 * width) {
      u32 mid = i + width < n ? i + width : n;
      u32 end = i + 2 * width < n ? i + 2 * width : n;
      u32 l = i, r = mid, k = i;
      while (l < mid && r < end) tmp[k++] = v[l] <= v[r] ? v[l++] : v[r++];
      while (l < mid) tmp[k++] = v[l++];
      while (r < end) tmp[k++] = v[r++];
    }
    for (u32 i = 0; i < n; i++) v[i] = tmp[i];
  }
}

int main(void) {
  u32 seed = 0xdeadbeef, sum = 0;
  for (u32 round = 0; round < 4; round++) {
    for (u32 i = 0; i < N; i++) a[i] = xorshift(&seed) % 1000003;
    if (round & 1) merge_sort(a, N);
    else quick(a, 0, N - 1);
    for (u32 i = 1; i < N; i++) {
      if (a[i - 1] > a[i]) {
        show("unsorted at", i);
        return 1;
      }
    }
    sum = sum * 33 + a[N / 2] + a[N / 7] + a[N - 1];
  }
  show("sorted", sum);
  return 0;
}
