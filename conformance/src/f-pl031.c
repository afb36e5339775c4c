/* Reads and writes the PL031 RTC's registers and prints what it sees: the ID bytes, CR, the
   interrupt mask and status, MR and LR read back, and the count following a load. The printed
   values do not depend on the time of day. */
#include "runtime.h"

#define RTC ((volatile u32 *)0x09010000)
#define REG(off) RTC[(off) / 4]
#define DR 0x00
#define MR 0x04
#define LR 0x08
#define CR 0x0c
#define IMSC 0x10
#define RIS 0x14
#define MIS 0x18
#define ICR 0x1c

void boot_main(u32 r0, u32 r1, u32 r2, u32 cpsr) {
  (void)r0, (void)r1, (void)r2, (void)cpsr;
  put_str("ids:");
  for (u32 off = 0xfe0; off <= 0xffc; off += 4) {
    uart_putc(' ');
    put_hex(REG(off));
  }
  uart_putc('\n');
  show("CR", REG(CR));
  REG(CR) = 0;
  show("CR after writing 0", REG(CR));
  show("IMSC", REG(IMSC));
  show("RIS", REG(RIS));
  show("hole at 0x20", REG(0x20));

  REG(LR) = 1000000;
  show("LR", REG(LR));
  u32 since = REG(DR) - 1000000;
  put_str(since <= 1 ? "DR follows LR\n" : "DR does not follow LR\n");

  REG(MR) = REG(DR) + 100;
  show("RIS with a match 100 s away", REG(RIS));
  REG(IMSC) = 0xff;
  show("IMSC after writing 0xff", REG(IMSC));
  show("MIS", REG(MIS));

  REG(MR) = REG(DR); /* a match now fires at once */
  show("RIS with a match now", REG(RIS));
  show("MIS", REG(MIS));
  REG(ICR) = 1;
  show("RIS after ICR", REG(RIS));
  REG(IMSC) = 0;
  show("MIS with IMSC 0", REG(MIS));
  REG(DR) = 5; /* read-only */
  put_str(REG(DR) - 1000000 <= 1 ? "DR ignores writes\n" : "DR took a write\n");
}
