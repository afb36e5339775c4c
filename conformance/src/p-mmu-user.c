/* MMU permissions seen from PL0: AP[2:0] per page (no access, read-only, read/write for user),
   a user write to a read-only page, user execute of an XN page, and LDRT/STRT from PL1. */
#include "mmu.h"

static u32 l1[4096] __attribute__((aligned(16384)));
static u32 l2[256] __attribute__((aligned(1024)));

void on_data_abort(struct frame *f) {
  put_str("  abort from mode ");
  put_hex(f->spsr & 0x1f);
  put_data_abort("");
  fail_probe(f);
}

void on_svc(struct frame *f) { f->spsr = (f->spsr & ~0x1fu) | 0x13; }

int main(void) {
  put_str("mmu user\n");
  volatile u32 *data = (volatile u32 *)DATA_PA;
  for (u32 i = 0; i < 0x2000; i++) data[i] = 0x33330000 + i;
  short_map_ram_and_uart(l1);
  l1[0x900] = (u32)l2 | 1;
  l2[0] = SMALL(DATA_PA + 0x0000, 1, 0); /* PL1 only */
  l2[1] = SMALL(DATA_PA + 0x1000, 2, 0); /* user read-only */
  l2[2] = SMALL(DATA_PA + 0x2000, 3, 0); /* user read/write */
  l2[3] = SMALL(DATA_PA + 0x3000, 7, 0); /* read-only for everyone */
  set_dacr(1); /* domain 0: client */
  set_ttbcr(0);
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"((u32)l1));
  tlbiall();
  u32 sctlr = read_sctlr();
  set_sctlr(sctlr | 1);

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
  set_sctlr(sctlr);
  u32 h = 0;
  for (u32 i = 0; i < 0x1000; i++) h = mix(h, data[i]);
  show("memory", h);
  return 0;
}
