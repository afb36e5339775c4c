/* Exclusive access: LDREX/STREX in word, byte, halfword and doubleword sizes, a failing STREX
   without a reservation, CLREX, and an atomic counter built from them. */
#include "runtime.h"

static u32 word __attribute__((aligned(8)));
static u64 dword __attribute__((aligned(8)));
static unsigned char byte;
static unsigned short half;

int main(void) {
  put_str("exclusive\n");
  u32 v, st;
  word = 41;
  __asm__ volatile("ldrex %0, [%2]\n\tadd %0, %0, #1\n\tstrex %1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(&word) : "memory");
  show("strex ok", st);
  show("word", word);
  __asm__ volatile("strex %0, %1, [%2]" : "=&r"(st) : "r"(7), "r"(&word) : "memory");
  show("strex without ldrex", st);
  show("word", word);
  __asm__ volatile("ldrex %0, [%2]\n\tclrex\n\tstrex %1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(&word) : "memory");
  show("strex after clrex", st);

  byte = 0xfe;
  __asm__ volatile("ldrexb %0, [%2]\n\tadd %0, %0, #3\n\tstrexb %1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(&byte) : "memory");
  show("strexb", st);
  show("byte", byte);
  half = 0xfffe;
  __asm__ volatile("ldrexh %0, [%2]\n\tadd %0, %0, #5\n\tstrexh %1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(&half) : "memory");
  show("strexh", st);
  show("half", half);

  register u32 lo __asm__("r4");
  register u32 hi __asm__("r5");
  dword = 0x00000001ffffffffULL;
  __asm__ volatile("ldrexd %0, %1, [%3]\n\tadds %0, %0, #1\n\tadc %1, %1, #0\n\tstrexd %2, %0, %1, [%3]"
                   : "=&r"(lo), "=&r"(hi), "=&r"(st)
                   : "r"(&dword)
                   : "memory", "cc");
  show("strexd", st);
  show64("dword", dword);

  /* a reservation survives an ordinary load in between */
  __asm__ volatile("ldrex %0, [%2]\n\tldr %0, [%2]\n\tstrex %1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(&word) : "memory");
  show("strex after ldr", st);

  /* a compiler-built atomic counter */
  for (int i = 0; i < 100; i++) __atomic_fetch_add(&word, 3, __ATOMIC_SEQ_CST);
  show("atomic", word);
  u32 expected = word;
  int ok = __atomic_compare_exchange_n(&word, &expected, 5, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  show("cas ok", (u32)ok);
  expected = 99;
  ok = __atomic_compare_exchange_n(&word, &expected, 6, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  show("cas fail", (u32)ok);
  show("cas saw", expected);
  return 0;
}
