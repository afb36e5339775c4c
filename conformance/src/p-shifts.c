/* Shifts by register amounts 0-40 in all four kinds, with their carry out, and RRX. */
#include "runtime.h"

#define SH(name, op)                                                                          \
  static u32 name(u32 v, u32 n, u32 *flags) {                                                 \
    u32 r, f;                                                                                 \
    __asm__ volatile("msr apsr_nzcvq, %4\n\t" op "s %0, %2, %3\n\tmrs %1, apsr"               \
                     : "=&r"(r), "=&r"(f)                                                     \
                     : "r"(v), "r"(n), "r"(0x20000000)                                        \
                     : "cc");                                                                 \
    *flags = f >> 28;                                                                         \
    return r;                                                                                 \
  }
SH(s_lsl, "lsl")
SH(s_lsr, "lsr")
SH(s_asr, "asr")
SH(s_ror, "ror")

int main(void) {
  put_str("shifts\n");
  static const u32 vals[] = {0x80000001, 0x7fffffff, 0xffffffff, 0x12345678, 1, 0};
  typedef u32 (*fn)(u32, u32, u32 *);
  static const fn ops[] = {s_lsl, s_lsr, s_asr, s_ror};
  static const char *const names[] = {"lsl", "lsr", "asr", "ror"};
  for (u32 k = 0; k < 4; k++) {
    u32 h = 0, fl = 0;
    for (u32 i = 0; i < 6; i++)
      for (u32 n = 0; n <= 40; n++) {
        u32 f;
        h = mix(h, ops[k](vals[i], n | (i << 8), &f));
        fl = (fl << 1 | fl >> 31) ^ f;
      }
    put_str(names[k]);
    put_str(" ");
    put_hex(h);
    put_str(" ");
    put_hex(fl);
    uart_putc('\n');
  }
  u32 r, f;
  __asm__ volatile("msr apsr_nzcvq, %2\n\trrxs %0, %3\n\tmrs %1, apsr" : "=&r"(r), "=&r"(f) : "r"(0x20000000), "r"(0x80000003) : "cc");
  show("rrx", r);
  show("rrx flags", f >> 28);
  return 0;
}
