/* CP15 as a PL1 guest sees it: identification, cache geometry, control registers at reset, and the
   registers software writes (thread IDs, context ID, VBAR, fault registers, remap registers). */
#include "runtime.h"

#define RD(name, crn, op1, crm, op2) show(name, MRC(p15, op1, crn, crm, op2))
#define WR(crn, op1, crm, op2, value) MCR(p15, op1, crn, crm, op2, value)

int main(void) {
  put_str("cp15\n");
  RD("MIDR", c0, 0, c0, 0);
  RD("CTR", c0, 0, c0, 1);
  RD("TCMTR", c0, 0, c0, 2);
  RD("TLBTR", c0, 0, c0, 3);
  RD("MPIDR", c0, 0, c0, 5);
  RD("REVIDR", c0, 0, c0, 6);
  RD("ID_PFR0", c0, 0, c1, 0);
  RD("ID_PFR1", c0, 0, c1, 1);
  RD("ID_DFR0", c0, 0, c1, 2);
  RD("ID_AFR0", c0, 0, c1, 3);
  RD("ID_MMFR0", c0, 0, c1, 4);
  RD("ID_MMFR1", c0, 0, c1, 5);
  RD("ID_MMFR2", c0, 0, c1, 6);
  RD("ID_MMFR3", c0, 0, c1, 7);
  RD("ID_ISAR0", c0, 0, c2, 0);
  RD("ID_ISAR1", c0, 0, c2, 1);
  RD("ID_ISAR2", c0, 0, c2, 2);
  RD("ID_ISAR3", c0, 0, c2, 3);
  RD("ID_ISAR4", c0, 0, c2, 4);
  RD("ID_ISAR5", c0, 0, c2, 5);
  RD("CLIDR", c0, 1, c0, 1);
  RD("AIDR", c0, 1, c0, 7);
  for (u32 sel = 0; sel < 3; sel++) {
    WR(c0, 2, c0, 0, sel);
    RD("CSSELR", c0, 2, c0, 0);
    RD("CCSIDR", c0, 1, c0, 0);
  }
  RD("SCTLR", c1, 0, c0, 0);
  RD("CPACR", c1, 0, c0, 2);
  /* TTBR0/1, DACR, PRRR and NMRR reset to UNKNOWN values (a KVM host fills them with a marker),
     so they are shown only after being written, below. */
  RD("TTBCR", c2, 0, c0, 2);
  RD("CONTEXTIDR", c13, 0, c0, 1);

  WR(c13, 0, c0, 2, 0x11111111);
  WR(c13, 0, c0, 3, 0x22222222);
  WR(c13, 0, c0, 4, 0x33333333);
  RD("TPIDRURW", c13, 0, c0, 2);
  RD("TPIDRURO", c13, 0, c0, 3);
  RD("TPIDRPRW", c13, 0, c0, 4);
  WR(c13, 0, c0, 1, 0x12345642);
  RD("CONTEXTIDR", c13, 0, c0, 1);
  WR(c2, 0, c0, 2, 0x2);
  RD("TTBCR", c2, 0, c0, 2);
  WR(c2, 0, c0, 2, 0);
  WR(c2, 0, c0, 0, 0x40004059);
  RD("TTBR0", c2, 0, c0, 0);
  WR(c3, 0, c0, 0, 0x55555555);
  RD("DACR", c3, 0, c0, 0);
  WR(c5, 0, c0, 0, 0x00000805);
  WR(c5, 0, c0, 1, 0x0000000d);
  WR(c6, 0, c0, 0, 0xdeadbeef);
  WR(c6, 0, c0, 2, 0xfeedface);
  RD("DFSR", c5, 0, c0, 0);
  RD("IFSR", c5, 0, c0, 1);
  RD("DFAR", c6, 0, c0, 0);
  RD("IFAR", c6, 0, c0, 2);
  WR(c10, 0, c2, 0, 0xff0a81a8);
  WR(c10, 0, c2, 1, 0x40e040e0);
  RD("PRRR", c10, 0, c2, 0);
  RD("NMRR", c10, 0, c2, 1);
  u32 vbar;
  __asm__ volatile("mrc p15, 0, %0, c12, c0, 0" : "=r"(vbar));
  WR(c12, 0, c0, 0, vbar + 0x7f);
  u32 vbar2;
  __asm__ volatile("mrc p15, 0, %0, c12, c0, 0" : "=r"(vbar2));
  show("VBAR low bits", vbar2 - vbar);
  WR(c12, 0, c0, 0, vbar);
  /* cache and TLB maintenance and CP15 barriers are accepted */
  WR(c7, 0, c5, 0, 0);
  WR(c7, 0, c5, 6, 0);
  WR(c7, 0, c10, 4, 0);
  WR(c7, 0, c10, 5, 0);
  WR(c7, 0, c5, 4, 0);
  WR(c7, 0, c14, 1, vbar);
  WR(c7, 0, c11, 1, vbar);
  WR(c8, 0, c7, 0, 0);
  WR(c8, 0, c3, 0, 0);
  WR(c8, 0, c7, 1, vbar);
  WR(c8, 0, c7, 2, 0);
  put_str("maintenance ok\n");
  /* SCTLR: flip the alignment-check bit and read it back */
  u32 sctlr;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
  WR(c1, 0, c0, 0, sctlr | 2);
  RD("SCTLR+A", c1, 0, c0, 0);
  WR(c1, 0, c0, 0, sctlr);
  RD("SCTLR", c1, 0, c0, 0);
  return 0;
}
