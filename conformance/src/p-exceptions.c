/* Exceptions through a vector table in VBAR: SVC with its immediate, undefined instructions, BKPT
   (a prefetch abort), alignment faults (data aborts), with LR offsets, SPSR and fault registers. */
#include "runtime.h"

#ifdef __thumb__
#define ADR "adr.w"
#else
#define ADR "adr"
#endif

static u32 thumb_of(u32 spsr) { return (spsr >> 5) & 1; }

static void report(const char *what, struct frame *f, u32 at) {
  u32 cpsr;
  __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
  put_str(what);
  put_str(" mode=");
  put_hex(cpsr & 0x1ff);
  put_str(" spsr=");
  put_hex(f->spsr);
  put_str(" lr-at=");
  put_hex(f->lr - at);
  uart_putc('\n');
}

static u32 last_svc;

void on_svc(struct frame *f) {
  u32 imm = thumb_of(f->spsr) ? *(unsigned short *)(f->lr - 2) & 0xff : *(u32 *)(f->lr - 4) & 0xffffff;
  last_svc = imm;
  report("svc", f, f->r[1]);
  show("svc imm", imm);
  f->r[0] = f->r[0] * 2 + imm;
}

void on_undefined(struct frame *f) {
  report("undefined", f, f->r[1]);
  f->r[0] = 0x0dd;
}

void on_prefetch_abort(struct frame *f) {
  u32 ifsr = read_ifsr();
  report("prefetch abort", f, f->r[1]);
  show("ifsr", ifsr & 0x40f);
  /* resume after the BKPT */
  f->lr = f->lr - 4 + (thumb_of(f->spsr) ? 2 : 4);
}

void on_data_abort(struct frame *f) {
  u32 dfsr = read_dfsr(), dfar = read_dfar();
  report("data abort", f, f->r[1]);
  show("dfsr", dfsr & 0xc0f);
  show("dfar-base", dfar - f->r[2]);
  /* resume after the faulting instruction (32-bit in both states here) */
  f->lr = f->lr - 8 + 4;
  f->r[0] = 0xabad;
}

static u32 buf[8] __attribute__((aligned(8)));

int main(void) {
  put_str("exceptions\n");
  register u32 r0 __asm__("r0");
  register u32 r1 __asm__("r1");
  register u32 r2 __asm__("r2");

  r0 = 5;
  __asm__ volatile(ADR " %1, 1f\n\tsvc #42\n1:" : "+r"(r0), "=&r"(r1)::"memory", "lr");
  show("svc result", r0);
  r0 = 7;
  __asm__ volatile(ADR " %1, 1f\n\tsvc #0x17\n1:" : "+r"(r0), "=&r"(r1)::"memory", "lr");
  show("svc result", r0);

  r0 = 0;
  __asm__ volatile(ADR " %1, 1f\n\tudf #0x12\n1:" : "+r"(r0), "=&r"(r1)::"memory", "lr");
  show("udf result", r0);

  r0 = 0;
  __asm__ volatile(ADR " %1, 1f\n\tbkpt #3\n1:" : "+r"(r0), "=&r"(r1)::"memory", "lr");
  show("bkpt result", r0);

  /* LDRD and LDM need word alignment, LDREX natural alignment, even with SCTLR.A clear */
  r0 = 0;
  r2 = (u32)buf + 2;
  __asm__ volatile(ADR " %1, 1f\n\t.balign 4\n1: ldrd r4, r5, [%2]" : "+r"(r0), "=&r"(r1) : "r"(r2) : "memory", "r4", "r5", "lr");
  show("ldrd result", r0);
  r0 = 0;
  r2 = (u32)buf + 1;
  __asm__ volatile(ADR " %1, 1f\n\t.balign 4\n1: ldm %2, {r4, r5}" : "+r"(r0), "=&r"(r1) : "r"(r2) : "memory", "r4", "r5", "lr");
  show("ldm result", r0);
  r0 = 0;
  r2 = (u32)buf + 2;
  __asm__ volatile(ADR " %1, 1f\n\t.balign 4\n1: ldrex r4, [%2]" : "+r"(r0), "=&r"(r1) : "r"(r2) : "memory", "r4", "lr");
  show("ldrex result", r0);

  /* the handlers leave the mode and masks as they found them */
  u32 cpsr;
  __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
  show("cpsr", cpsr & 0x1ff);
  show("last svc", last_svc);
  return 0;
}
