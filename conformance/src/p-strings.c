/* String and memory routines as freestanding code writes them: byte, halfword and word copies at
   every alignment, memset, strlen, strcmp, reversal, number formatting and parsing. */
#include "runtime.h"

static unsigned char src[300], dst[300];

static void *copy(void *d, const void *s, u32 n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  if ((((u32)dp | (u32)sp) & 3) == 0) {
    while (n >= 4) {
      *(u32 *)dp = *(const u32 *)sp;
      dp += 4;
      sp += 4;
      n -= 4;
    }
  }
  while (n--) *dp++ = *sp++;
  return d;
}

static void fill(void *d, int c, u32 n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
}

static u32 length(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (u32)(p - s);
}

static int compare(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

static void reverse(char *s) {
  u32 n = length(s);
  for (u32 i = 0; i < n / 2; i++) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}

static void format(char *out, s32 v, u32 base) {
  u32 u = v < 0 && base == 10 ? -(u32)v : (u32)v;
  char *p = out;
  do {
    *p++ = "0123456789abcdefghijklmnopqrstuvwxyz"[u % base];
    u /= base;
  } while (u);
  if (v < 0 && base == 10) *p++ = '-';
  *p = 0;
  reverse(out);
}

static s32 parse(const char *s) {
  s32 sign = 1, v = 0;
  if (*s == '-') sign = -1, s++;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return sign * v;
}

static u32 sum(const unsigned char *p, u32 n) {
  u32 h = 0;
  for (u32 i = 0; i < n; i++) h = mix(h, p[i]);
  return h;
}

int main(void) {
  put_str("strings\n");
  for (u32 i = 0; i < sizeof src; i++) src[i] = (unsigned char)(i * 7 + 3);
  u32 h = 0;
  for (u32 so = 0; so < 4; so++)
    for (u32 d = 0; d < 4; d++) {
      fill(dst, 0xee, sizeof dst);
      copy(dst + d, src + so, 200 + so + d);
      h = mix(h, sum(dst, sizeof dst));
    }
  show("copies", h);
  fill(dst + 3, 0x5a, 77);
  show("fill", sum(dst, sizeof dst));
  static const char *const words[] = {"", "a", "arm", "armv7", "cortex-a15", "thumb-2", "vfpv3-d32", "armada"};
  h = 0;
  for (u32 i = 0; i < 8; i++) {
    h = mix(h, length(words[i]));
    for (u32 j = 0; j < 8; j++) h = mix(h, (u32)compare(words[i], words[j]));
  }
  show("strlen/strcmp", h);
  char buf[40];
  static const s32 nums[] = {0, 1, -1, 42, -12345, 2147483647, -2147483647 - 1, 65535};
  for (u32 i = 0; i < 8; i++) {
    format(buf, nums[i], 10);
    put_str(buf);
    uart_putc(' ');
    format(buf, nums[i], 16);
    put_str(buf);
    uart_putc(' ');
    format(buf, nums[i], 36);
    put_str(buf);
    uart_putc(' ');
    format(buf, nums[i], 10);
    put_dec(parse(buf));
    uart_putc('\n');
  }
  return 0;
}
