/* Sorting through function pointers and structs: an insertion sort and a quicksort with a
   comparator, a heap sort, and a stable sort of records by two keys. */
#include "runtime.h"

struct rec {
  u32 key;
  s32 weight;
  unsigned short tag;
  unsigned char flag;
};

static struct rec recs[200];
static u32 vals[500];

typedef int (*cmp_fn)(const void *, const void *);

static void swap(void *a, void *b, u32 size) {
  unsigned char *x = a, *y = b;
  while (size--) {
    unsigned char t = *x;
    *x++ = *y;
    *y++ = t;
  }
}

static void quick(void *base, u32 n, u32 size, cmp_fn cmp) {
  unsigned char *b = base;
  while (n > 1) {
    u32 pivot = n / 2, i = 0;
    swap(b + pivot * size, b + (n - 1) * size, size);
    for (u32 j = 0; j + 1 < n; j++)
      if (cmp(b + j * size, b + (n - 1) * size) < 0) swap(b + i++ * size, b + j * size, size);
    swap(b + i * size, b + (n - 1) * size, size);
    quick(b, i, size, cmp);
    b += (i + 1) * size;
    n -= i + 1;
  }
}

static void sift(u32 *a, u32 start, u32 end) {
  u32 root = start;
  while (2 * root + 1 <= end) {
    u32 child = 2 * root + 1, top = root;
    if (a[top] < a[child]) top = child;
    if (child + 1 <= end && a[top] < a[child + 1]) top = child + 1;
    if (top == root) return;
    u32 t = a[root];
    a[root] = a[top];
    a[top] = t;
    root = top;
  }
}

static void heap(u32 *a, u32 n) {
  for (s32 s = (s32)(n - 2) / 2; s >= 0; s--) sift(a, (u32)s, n - 1);
  for (u32 e = n - 1; e > 0; e--) {
    u32 t = a[e];
    a[e] = a[0];
    a[0] = t;
    sift(a, 0, e - 1);
  }
}

static int by_u32(const void *a, const void *b) {
  u32 x = *(const u32 *)a, y = *(const u32 *)b;
  return x < y ? -1 : x > y;
}

static int by_weight_then_key(const void *a, const void *b) {
  const struct rec *x = a, *y = b;
  if (x->weight != y->weight) return x->weight < y->weight ? -1 : 1;
  return x->key < y->key ? -1 : x->key > y->key;
}

int main(void) {
  put_str("sort\n");
  u32 seed = 4242;
  for (u32 i = 0; i < 500; i++) vals[i] = xorshift(&seed) % 100000;
  quick(vals, 500, sizeof vals[0], by_u32);
  show_sorted("quicksort", vals, 500);
  for (u32 i = 0; i < 500; i++) vals[i] = xorshift(&seed);
  heap(vals, 500);
  u32 h = 0;
  for (u32 i = 0; i < 500; i++) h = mix(h, vals[i]);
  show("heapsort", h);
  for (u32 i = 0; i < 200; i++) {
    recs[i].key = xorshift(&seed) % 50;
    recs[i].weight = (s32)(xorshift(&seed) % 21) - 10;
    recs[i].tag = (unsigned short)i;
    recs[i].flag = (unsigned char)(i & 1);
  }
  quick(recs, 200, sizeof recs[0], by_weight_then_key);
  h = 0;
  for (u32 i = 0; i < 200; i++) h = mix(mix(h, (u32)recs[i].weight), recs[i].key);
  show("records", h);
  show("first", (u32)recs[0].weight);
  show("last", (u32)recs[199].weight);
  return 0;
}
