/* Nested exceptions: an SVC handler that itself executes an undefined instruction, and an undefined
   handler that makes an SVC (SVC from SVC mode must save LR_svc), checking modes and returns. */
#include "runtime.h"

static volatile u32 depth, trace;

static void mark(u32 v) { trace = trace * 16 + v; }

void on_undefined(struct frame *f) {
  u32 cpsr;
  __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
  mark(2);
  mark(cpsr & 0xf);
  if (f->r[0] == 1) {
    /* an SVC from the undefined handler */
    __asm__ volatile("push {lr}\n\tsvc #9\n\tpop {lr}" ::: "memory", "r0", "r1", "r2", "r3", "r12");
    mark(7);
  }
  skip_thumb32(f);
}

void on_svc(struct frame *f) {
  u32 cpsr;
  __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
  mark(1);
  mark(f->spsr & 0xf);
  if (f->r[0] == 2) {
    /* an undefined instruction inside the SVC handler (SVC mode, so UND saves into LR_und) */
    __asm__ volatile("udf #3" ::: "memory");
    mark(5);
  }
}

int main(void) {
  put_str("nested\n");
  register u32 r0 __asm__("r0");
  r0 = 2;
  __asm__ volatile("svc #1" : "+r"(r0)::"memory", "lr");
  show("trace svc->und", trace);
  trace = 0;
  r0 = 1;
  __asm__ volatile("udf #4" : "+r"(r0)::"memory", "lr");
  show("trace und->svc", trace);
  u32 cpsr;
  __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
  show("cpsr", cpsr & 0x1ff);
  return 0;
}
