/* Modes and banked registers: r13/r14/SPSR per mode, the FIQ r8-r12 bank, MRS/MSR (banked forms
   too), CPS, a trip to user mode and back through SVC, and SRS/RFE. */
#include "runtime.h"

#ifdef __thumb__
#define ADR "adr.w"
#define TBIT "0x20"
#else
#define ADR "adr"
#define TBIT "0"
#endif

/* Reads and writes a mode's sp and lr by switching to it (r0-r7 are shared, so values carry). */
#define MODE_SP_LR(mode, name)                                                            \
  do {                                                                                    \
    u32 sp_old, lr_old, sp_now, lr_now;                                                   \
    __asm__ volatile("cps #" #mode "\n\tmov %0, sp\n\tmov %1, lr\n\tmov sp, %4\n\t"          \
                     "mov lr, %5\n\tcps #0x13\n\tcps #" #mode "\n\tmov %2, sp\n\tmov %3, lr\n\t"   \
                     "mov sp, %0\n\tmov lr, %1\n\tcps #0x13"                                \
                     : "=&r"(sp_old), "=&r"(lr_old), "=&r"(sp_now), "=&r"(lr_now)         \
                     : "r"(0x5000 + __LINE__), "r"(0x6000 + __LINE__)                     \
                     : "memory");                                                         \
    put_str(name);                                                                        \
    put_str(" ");                                                                         \
    put_hex(sp_now - 0x5000);                                                             \
    put_str(" ");                                                                         \
    put_hex(lr_now - 0x6000);                                                             \
    uart_putc('\n');                                                                      \
  } while (0)

void on_undefined(struct frame *f) {
  show("undefined from mode", f->spsr & 0x1f);
  f->r[0] = 0xdead;
}

void on_svc(struct frame *f) {
  /* svc from user mode: come back in supervisor mode */
  show("svc from mode", f->spsr & 0x1f);
  f->spsr = (f->spsr & ~0x1fu) | 0x13;
}

int main(void) {
  put_str("modes\n");
  u32 a, b, c;

  /* each mode's sp and lr */
  MODE_SP_LR(0x12, "irq");
  MODE_SP_LR(0x17, "abt");
  MODE_SP_LR(0x1b, "und");
  MODE_SP_LR(0x11, "fiq");
  MODE_SP_LR(0x1f, "sys");

  /* the banked MRS/MSR forms belong to the Virtualization Extensions, which this guest lacks */
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("mrs r0, sp_irq" : "+r"(r0)::"lr", "memory");
  show("mrs banked", r0);

  /* FIQ has its own r8-r12; the others share one set */
  __asm__ volatile("mov r8, #1\n\tmov r12, #2\n\tcps #0x11\n\tmov r8, #0x88\n\tmov r12, #0xcc\n\t"
                   "cps #0x12\n\tmov %0, r8\n\tadd %0, %0, r12\n\tcps #0x11\n\tmov %1, r8\n\tadd %1, %1, r12\n\t"
                   "cps #0x13"
                   : "=&r"(a), "=&r"(b)::"r8", "r12");
  show("irq r8+r12", a);
  show("fiq r8+r12", b);

  /* SPSR per mode */
  __asm__ volatile("msr spsr_fsxc, %2\n\tcps #0x1b\n\tmsr spsr_fsxc, %3\n\tcps #0x13\n\t"
                   "mrs %0, spsr\n\tcps #0x1b\n\tmrs %1, spsr\n\tcps #0x13"
                   : "=&r"(a), "=&r"(b)
                   : "r"(0x800001d2), "r"(0x200001d7));
  show("svc spsr", a);
  show("und spsr", b);

  /* MSR to CPSR fields: mode through the control field, flags and GE */
  __asm__ volatile("mrs %0, cpsr\n\tbic %1, %0, #0x1f\n\torr %1, %1, #0x17\n\tmsr cpsr_c, %1\n\t"
                   "mrs %1, cpsr\n\tmsr cpsr_c, %0"
                   : "=&r"(a), "=&r"(b));
  show("cpsr in abt", b & 0x1ff);
  __asm__ volatile("msr cpsr_f, %1\n\tmrs %0, cpsr" : "=&r"(a) : "r"(0xf80f0000) : "cc");
  show("cpsr_f", a);
  __asm__ volatile("msr apsr_g, %1\n\tmrs %0, apsr" : "=&r"(a) : "r"(0x000a0000) : "cc");
  show("apsr_g", a);
  __asm__ volatile("cpsid if\n\tmrs %0, cpsr\n\tcpsie i\n\tmrs %1, cpsr\n\tcpsid i\n\tcpsie a\n\tmrs %2, cpsr\n\tcpsid a"
                   : "=&r"(a), "=&r"(b), "=&r"(c));
  show("cpsid if", a & 0x1ff);
  show("cpsie i", b & 0x1ff);
  show("cpsie a", c & 0x1ff);
  __asm__ volatile("cpsid if");

  /* user mode: MSR cannot change the mode or masks, CPS does nothing, TPIDRURO is readable */
  __asm__ volatile("mcr p15, 0, %0, c13, c0, 3" ::"r"(0xabcdef01));
  __asm__ volatile("cps #0x10\n\tmrs %0, cpsr\n\tmov %1, #0x1f\n\tmsr cpsr_c, %1\n\tcps #0x13\n\tmrs %1, cpsr\n\t"
                   "mrc p15, 0, %2, c13, c0, 3\n\tsvc #1"
                   : "=&r"(a), "=&r"(b), "=&r"(c)::"lr", "memory");
  show("usr cpsr", a & 0x1ff);
  show("usr after msr/cps", b & 0x1ff);
  show("usr tpidruro", c);
  __asm__ volatile("mrs %0, cpsr" : "=r"(a));
  show("back in", a & 0x1ff);

  /* SRS stores LR and SPSR on a mode's stack; RFE loads them back as PC and CPSR */
  __asm__ volatile(ADR " %0, 1f\n\tmov lr, %0\n\tmrs %1, cpsr\n\torr %1, %1, #" TBIT "\n\t"
                   "bic %1, %1, #0xf0000000\n\torr %1, %1, #0x60000000\n\tmsr spsr_fsxc, %1\n\t"
                   "mov %2, sp\n\tsrsdb sp!, #0x13\n\tmov %0, sp\n\tsub %2, %2, %0\n\trfeia sp!\n\t.balign 4\n1:\n\tmrs %1, cpsr"
                   : "=&r"(a), "=&r"(b), "=&r"(c)::"lr", "memory", "cc");
  show("srs bytes", c);
  show("after rfe", b & 0xf00001ff);
  return 0;
}
