/* UART output and default exception handlers for the conformance programs. */
#include "runtime.h"

#define UART_DR ((volatile u32 *)0x09000000)

void uart_putc(char c) { *UART_DR = (u32)(unsigned char)c; }

void put_str(const char *s) {
  while (*s) uart_putc(*s++);
}

void put_hex(u32 v) {
  put_str("0x");
  for (int i = 28; i >= 0; i -= 4) uart_putc("0123456789abcdef"[(v >> i) & 0xf]);
}

void put_hex64(u64 v) {
  put_hex((u32)(v >> 32));
  for (int i = 28; i >= 0; i -= 4) uart_putc("0123456789abcdef"[((u32)v >> i) & 0xf]);
}

void put_dec(s32 v) {
  char buf[12];
  int n = 0;
  u32 u = v < 0 ? -(u32)v : (u32)v;
  if (v < 0) uart_putc('-');
  do {
    buf[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  while (n) uart_putc(buf[--n]);
}

void show(const char *name, u32 v) {
  put_str(name);
  uart_putc('=');
  put_hex(v);
  uart_putc('\n');
}

void show64(const char *name, u64 v) {
  put_str(name);
  uart_putc('=');
  put_hex64(v);
  uart_putc('\n');
}

static void unexpected(const char *what, struct frame *f) {
  put_str("unexpected ");
  put_str(what);
  put_str(" lr=");
  put_hex(f->lr);
  put_str(" spsr=");
  put_hex(f->spsr);
  uart_putc('\n');
  power_off();
}

__attribute__((weak)) void on_undefined(struct frame *f) { unexpected("undefined", f); }
__attribute__((weak)) void on_svc(struct frame *f) { unexpected("svc", f); }
__attribute__((weak)) void on_prefetch_abort(struct frame *f) { unexpected("prefetch abort", f); }
__attribute__((weak)) void on_data_abort(struct frame *f) { unexpected("data abort", f); }
__attribute__((weak)) void on_irq(struct frame *f) { unexpected("irq", f); }
__attribute__((weak)) void on_fiq(struct frame *f) { unexpected("fiq", f); }

/* The compiler may call these for struct copies and zeroing even in freestanding code. */
void *memset(void *d, int c, unsigned n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *d, const void *s, unsigned n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}
