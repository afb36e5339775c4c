/* The performance monitors a kernel probes: PMCR (counter count, enables, resets), the enable and
   overflow sets, PMUSERENR, PMSELR and the cycle counter, which counts up while enabled and holds
   while disabled. Prints registers and relations, never raw counts. */
#include "runtime.h"

static volatile u32 undef;
void on_undefined(struct frame *f) {
  undef++;
  f->r[0] = 0xbad;
  if ((f->spsr & 0x20) && *(unsigned short *)(f->lr - 2) >= 0xe800) f->lr += 2;
}

#define RD(name, crn, op1, crm, op2)                                                               \
  ({                                                                                             \
    register u32 r0 __asm__("r0") = 0;                                                           \
    __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "+r"(r0)::"memory");   \
    if (name) show(name, r0);                                                                    \
    r0;                                                                                          \
  })
#define WR(crn, op1, crm, op2, v)                                                                  \
  do {                                                                                           \
    register u32 r0 __asm__("r0") = (v);                                                         \
    __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "+r"(r0)::"memory");   \
  } while (0)

int main(void) {
  put_str("pmu\n");
  u32 pmcr = RD("PMCR", c9, 0, c12, 0);
  RD("PMCNTENSET", c9, 0, c12, 1);
  RD("PMOVSR", c9, 0, c12, 3);
  RD("PMSELR", c9, 0, c12, 5);
  RD("PMCEID0", c9, 0, c12, 6);
  RD("PMCEID1", c9, 0, c12, 7);
  RD("PMUSERENR", c9, 0, c14, 0);
  RD("PMINTENSET", c9, 0, c14, 1);
  WR(c9, 0, c12, 0, pmcr | 1 | 4); /* enable, reset the cycle counter */
  WR(c9, 0, c12, 1, 0x80000000u);  /* enable the cycle counter */
  RD("PMCNTENSET on", c9, 0, c12, 1);
  u32 a = RD(0, c9, 0, c13, 0);
  for (volatile int i = 0; i < 5000; i++) {
  }
  u32 b = RD(0, c9, 0, c13, 0);
  show("cycles advance", b > a);
  WR(c9, 0, c12, 2, 0x80000000u); /* disable it */
  u32 c = RD(0, c9, 0, c13, 0);
  for (volatile int i = 0; i < 5000; i++) {
  }
  u32 d = RD(0, c9, 0, c13, 0);
  show("held while disabled", c == d);
  WR(c9, 0, c13, 0, 0x1234);
  RD("PMCCNTR written", c9, 0, c13, 0);
  WR(c9, 0, c12, 0, pmcr);
  RD("PMCR after", c9, 0, c12, 0);
  WR(c9, 0, c14, 0, 1);
  RD("PMUSERENR set", c9, 0, c14, 0);
  WR(c9, 0, c14, 0, 0);
  show("undefined", undef);
  return 0;
}
