/* MMU permissions seen from PL0: AP[2:0] per page (no access, read-only, read/write for user),
   a user write to a read-only page, user execute of an XN page, and LDRT/STRT from PL1. */
#include "runtime.h"

#ifdef __thumb__
#define LDR "ldr.w"
#define STR "str.w"
#else
#define LDR "ldr"
#define STR "str"
#endif

static u32 l1[4096] __attribute__((aligned(16384)));
static u32 l2[256] __attribute__((aligned(1024)));
#define DATA_PA 0x40800000u
#define SMALL(pa, ap, xn) ((pa) | (((ap) & 3) << 4) | (((ap) >> 2) << 9) | 0xc | 2 | (xn))

void on_data_abort(struct frame *f) {
  u32 dfsr, dfar;
  __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(dfsr));
  __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(dfar));
  put_str("  abort from mode ");
  put_hex(f->spsr & 0x1f);
  put_str(" dfsr=");
  put_hex(dfsr);
  put_str(" dfar=");
  put_hex(dfar);
  uart_putc('\n');
  f->r[0] = 0xdead;
  f->lr -= 4;
}

void on_svc(struct frame *f) { f->spsr = (f->spsr & ~0x1fu) | 0x13; }

static u32 rd(u32 va) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile(LDR " %0, [%1]" : "+r"(r0) : "r"(va) : "memory");
  return r0;
}
static u32 wr(u32 va, u32 v) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile(STR " %1, [%2]" : "+r"(r0) : "r"(v), "r"(va) : "memory");
  return r0;
}
static u32 rdt(u32 va) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("ldrt %0, [%1]" : "+r"(r0) : "r"(va) : "memory");
  return r0;
}
static u32 wrt(u32 va, u32 v) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("strt %1, [%2]" : "+r"(r0) : "r"(v), "r"(va) : "memory");
  return r0;
}

int main(void) {
  put_str("mmu user\n");
  volatile u32 *data = (volatile u32 *)DATA_PA;
  for (u32 i = 0; i < 0x2000; i++) data[i] = 0x33330000 + i;
  for (u32 i = 0; i < 16; i++) l1[0x400 + i] = (0x40000000 + (i << 20)) | (3 << 10) | 0xc | 2;
  l1[0x090] = 0x09000000 | (3 << 10) | 0x10 | 2;
  l1[0x900] = (u32)l2 | 1;
  l2[0] = SMALL(DATA_PA + 0x0000, 1, 0); /* PL1 only */
  l2[1] = SMALL(DATA_PA + 0x1000, 2, 0); /* user read-only */
  l2[2] = SMALL(DATA_PA + 0x2000, 3, 0); /* user read/write */
  l2[3] = SMALL(DATA_PA + 0x3000, 7, 0); /* read-only for everyone */
  __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" ::"r"(1u));
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" ::"r"(0u));
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"((u32)l1));
  __asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 0\n\tdsb\n\tisb" ::"r"(0));
  u32 sctlr;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | 1) : "memory");

  put_str("pl1\n");
  for (u32 p = 0; p < 4; p++) {
    show("  read", rd(0x90000000 + p * 0x1000));
    show("  write", wr(0x90000004 + p * 0x1000, p));
  }
  put_str("ldrt/strt\n");
  for (u32 p = 0; p < 4; p++) {
    show("  read", rdt(0x90000008 + p * 0x1000));
    show("  write", wrt(0x9000000c + p * 0x1000, p));
  }
  put_str("pl0\n");
  __asm__ volatile("cps #0x10" ::: "memory");
  for (u32 p = 0; p < 4; p++) {
    show("  read", rd(0x90000010 + p * 0x1000));
    show("  write", wr(0x90000014 + p * 0x1000, p));
  }
  __asm__ volatile("svc #0" ::: "memory", "lr");
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr) : "memory");
  u32 h = 0;
  for (u32 i = 0; i < 0x1000; i++) h = mix(h, data[i]);
  show("memory", h);
  return 0;
}
