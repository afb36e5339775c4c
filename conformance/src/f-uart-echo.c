/* Reads a line from the PL011 (polling FR.RXFE, FIFOs left off as at reset) and echoes it in
   capitals, then reports the count and the flags once the receiver is empty again. The input
   is given on the terminal: the Makefile pipes "hello, uart\n" in. */
#include "runtime.h"

#define UART ((volatile u32 *)0x09000000)
#define DR 0x00
#define FR 0x18
#define RIS 0x3c
#define FR_RXFE 0x10

static u32 reg(u32 off) { return UART[off / 4]; }

void boot_main(u32 r0, u32 r1, u32 r2, u32 cpsr) {
  (void)r0, (void)r1, (void)r2, (void)cpsr;
  put_str("echo: ");
  int count = 0;
  for (;;) {
    while (reg(FR) & FR_RXFE) {
    }
    char c = (char)(reg(DR) & 0xff);
    if (c == '\n') break;
    uart_putc(c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
    count++;
  }
  put_str("\nreceived ");
  put_dec(count);
  put_str(" characters before the newline\n");
  show("FR", reg(FR));
  show("RIS & (RX | RT)", reg(RIS) & 0x50);
}
