/* Where exceptions go: handlers in Thumb state when SCTLR.TE is set (a Thumb vector table), and
   the high vector table at 0xffff0000 (SCTLR.V), mapped there by the MMU. */
#include "runtime.h"

extern u32 thumb_vectors[];
extern u32 arm_vectors[];
static volatile u32 hits, last_spsr, last_cpsr;

/* Called by both tables' SVC entries with the SPSR; notes the state the handler runs in. */
void note_svc(u32 spsr) {
  u32 cpsr;
  __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
  hits++;
  last_spsr = spsr;
  last_cpsr = cpsr;
}

__asm__(".syntax unified\n"
        ".balign 32\n"
        ".global thumb_vectors\n"
        ".thumb\n"
        "thumb_vectors:\n"
        "  b.w .\n  b.w .\n  b.w tsvc\n  b.w .\n  b.w .\n  b.w .\n  b.w .\n  b.w .\n"
        ".thumb_func\n"
        "tsvc:\n"
        "  push {r0-r3, r12, lr}\n"
        "  mrs r0, spsr\n"
        "  bl note_svc\n"
        "  pop {r0-r3, r12, lr}\n"
        "  subs pc, lr, #0\n"
        ".balign 4096\n"
        ".global arm_vectors\n"
        ".arm\n"
        "arm_vectors:\n"
        "  b .\n  b .\n  b asvc\n  b .\n  b .\n  b .\n  b .\n  b .\n"
        "asvc:\n"
        "  push {r0-r3, r12, lr}\n"
        "  mrs r0, spsr\n"
        "  bl note_svc\n"
        "  pop {r0-r3, r12, lr}\n"
        "  movs pc, lr\n"
#ifdef __thumb__
        ".thumb\n"
#endif
);

static u32 l1[4096] __attribute__((aligned(16384)));
static u32 l2[256] __attribute__((aligned(1024)));

int main(void) {
  put_str("vectors\n");
  u32 sctlr, vbar;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
  __asm__ volatile("mrc p15, 0, %0, c12, c0, 0" : "=r"(vbar));

  /* Thumb handlers */
  __asm__ volatile("mcr p15, 0, %0, c12, c0, 0" ::"r"(thumb_vectors));
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | (1u << 30)));
  __asm__ volatile("svc #1" ::: "memory", "lr");
  show("thumb handler cpsr", last_cpsr & 0x3f);
  show("spsr", last_spsr & 0x3f);
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr));

  /* high vectors: map 0xffff0000 onto a page holding a copy of the ARM table */
  for (u32 i = 0; i < 16; i++) l1[0x400 + i] = (0x40000000 + (i << 20)) | (3 << 10) | 0xc | 2;
  l1[0x090] = 0x09000000 | (3 << 10) | 0x10 | 2;
  l1[0xfff] = (u32)l2 | 1;
  l2[0xf0] = (u32)arm_vectors | (3 << 4) | 0xc | 2; /* the table starts a page */
  __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" ::"r"(1u));
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" ::"r"(0u));
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"((u32)l1));
  __asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 0\n\tdsb\n\tisb" ::"r"(0));
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | 1 | (1u << 13)));
  __asm__ volatile("svc #2" ::: "memory", "lr");
  show("high vector handler cpsr", last_cpsr & 0x3f);
  show("spsr", last_spsr & 0x3f);
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr));
  __asm__ volatile("mcr p15, 0, %0, c12, c0, 0" ::"r"(vbar));
  show("svc hits", hits);
  return 0;
}
