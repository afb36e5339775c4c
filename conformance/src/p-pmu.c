/* The performance monitors a kernel probes: PMCR (counter count, enables, resets), the enable and
   overflow sets, PMUSERENR, PMSELR and the cycle counter, which counts up while enabled and holds
   while disabled. Prints registers and relations, never raw counts. */
#include "runtime.h"

static volatile u32 undef;
void on_undefined(struct frame *f) {
  undef++;
  f->r[0] = 0xbad;
  skip_thumb32(f);
}

/* Reads a CP15 register, showing it when it has a name; 0xbad where it is undefined. */
#define RD(name, crn, op1, crm, op2)              \
  ({                                              \
    u32 v_ = MRC(p15, op1, crn, crm, op2);        \
    if (name) show(name, v_);                     \
    v_;                                           \
  })
#define WR(crn, op1, crm, op2, v) MCR(p15, op1, crn, crm, op2, v)

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
