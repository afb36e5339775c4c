/* Hints and barriers execute without effect: NOP, YIELD, SEV, WFE after SEV, DMB/DSB/ISB in their
   forms, PLD/PLI, and CLREX; a sum over a loop containing them proves they were passed. */
#include "runtime.h"

int main(void) {
  put_str("hints\n");
  u32 s = 0;
  for (u32 i = 0; i < 10; i++) {
    __asm__ volatile("nop\n\tyield\n\tsev\n\twfe\n\tdmb ish\n\tdsb sy\n\tisb\n\tdmb ishst\n\tdsb nsh\n\tclrex" ::: "memory");
    __asm__ volatile("pld [%0]\n\tpli [%0, #64]\n\tpldw [%0, #32]" ::"r"(&s) : "memory");
    s += i * i;
  }
  show("sum", s);
  return 0;
}
