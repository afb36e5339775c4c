/* Variadic functions and a small printf: integers, hex, strings, characters and (in the VFP
   build's register convention) doubles passed through va_arg. */
#include <stdarg.h>
#include "runtime.h"

static void emit(const char *s) { put_str(s); }

static void fmt(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  char buf[24];
  for (; *f; f++) {
    if (*f != '%') {
      uart_putc(*f);
      continue;
    }
    switch (*++f) {
    case 'd': {
      s32 v = va_arg(ap, s32);
      put_dec(v);
      break;
    }
    case 'x':
      put_hex(va_arg(ap, u32));
      break;
    case 's':
      emit(va_arg(ap, const char *));
      break;
    case 'c':
      uart_putc((char)va_arg(ap, int));
      break;
    case 'l': {
      u64 v = va_arg(ap, u64);
      put_hex64(v);
      break;
    }
    case 'f': {
      double d = va_arg(ap, double);
      s32 ip = (s32)d;
      s32 frac = (s32)((d - ip) * 10000);
      if (frac < 0) frac = -frac;
      put_dec(ip);
      uart_putc('.');
      int n = 0;
      do buf[n++] = (char)('0' + frac % 10), frac /= 10;
      while (n < 4);
      while (n) uart_putc(buf[--n]);
      break;
    }
    default:
      uart_putc(*f);
    }
  }
  va_end(ap);
}

static s32 sum(u32 n, ...) {
  va_list ap;
  va_start(ap, n);
  s32 s = 0;
  for (u32 i = 0; i < n; i++) s += va_arg(ap, s32);
  va_end(ap);
  return s;
}

int main(void) {
  put_str("varargs\n");
  fmt("%d %d %x %s %c%c\n", 42, -7, 0xdeadbeef, "word", 'o', 'k');
  fmt("%l %d %l\n", 0x0123456789abcdefULL, 5, 0xfedcba9876543210ULL);
  fmt("%f %f %f\n", 3.14159, -2.5, 1e3 / 7);
  fmt("sum %d %d\n", sum(0), sum(9, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  return 0;
}
