/* Reads and writes every PL011 register and prints what it sees: reset values, the ID bytes,
   what each register keeps of a write, and the raw and masked interrupt status around a
   transmitted byte. Interrupts stay masked at the CPU; only the device's own status is shown. */
#include "runtime.h"

#define UART ((volatile u32 *)0x09000000)
#define REG(off) UART[(off) / 4]

static const struct {
  const char *name;
  u32 offset;
} regs[] = {
    {"RSR", 0x04}, {"FR", 0x18},   {"ILPR", 0x20}, {"IBRD", 0x24}, {"FBRD", 0x28},
    {"LCR_H", 0x2c}, {"CR", 0x30}, {"IFLS", 0x34}, {"IMSC", 0x38}, {"RIS", 0x3c},
    {"MIS", 0x40}, {"DMACR", 0x48},
};
#define NREGS (sizeof regs / sizeof regs[0])

static void dump(const char *when) {
  put_str(when);
  uart_putc('\n');
  for (unsigned i = 0; i < NREGS; i++) {
    put_str("  ");
    show(regs[i].name, REG(regs[i].offset));
  }
}

/* Writes `value` to a register and prints what reads back. */
static void keep(const char *name, u32 offset, u32 value) {
  REG(offset) = value;
  put_str("  ");
  put_str(name);
  put_str(" <- ");
  put_hex(value);
  put_str(" reads ");
  put_hex(REG(offset));
  uart_putc('\n');
}

void boot_main(u32 r0, u32 r1, u32 r2, u32 cpsr) {
  (void)r0, (void)r1, (void)r2, (void)cpsr;
  dump("reset:");
  put_str("ids:");
  for (u32 off = 0xfe0; off <= 0xffc; off += 4) {
    uart_putc(' ');
    put_hex(REG(off));
  }
  uart_putc('\n');
  show("DR with nothing received", REG(0x00));
  show("hole at 0x4c", REG(0x4c));

  put_str("writes:\n");
  keep("ILPR", 0x20, 0x1ff);
  keep("IBRD", 0x24, 0x10027);
  keep("FBRD", 0x28, 0x7f);
  keep("IFLS", 0x34, 0x3f);
  keep("IMSC", 0x38, 0xffff);
  keep("DMACR", 0x48, 0x0);
  keep("CR", 0x30, 0x301);
  keep("LCR_H", 0x2c, 0x70);
  keep("FR", 0x18, 0x0);
  keep("RIS", 0x3c, 0x7ff);

  REG(0x38) = 0;          /* IMSC: nothing */
  REG(0x44) = 0x7ff;      /* ICR: all */
  show("RIS after ICR", REG(0x3c));
  uart_putc('!');
  uart_putc('\n');
  show("RIS after a byte", REG(0x3c));
  show("MIS with IMSC 0", REG(0x40));
  REG(0x38) = 0x20;
  show("MIS with IMSC TX", REG(0x40));
  REG(0x44) = 0x20;
  show("RIS after ICR TX", REG(0x3c));
  REG(0x04) = 0xff;       /* ECR */
  show("RSR after ECR", REG(0x04));
  dump("end:");
}
