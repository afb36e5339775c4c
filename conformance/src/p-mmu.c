/* The short-descriptor MMU: sections, a supersection, small and large pages, the TTBR0/TTBR1 split,
   translation, domain and permission faults with their DFSR/DFAR, and an XN prefetch abort. */
#include "mmu.h"

static u32 l1[4096] __attribute__((aligned(16384)));
static u32 l1b[4096] __attribute__((aligned(16384)));
static u32 l2[256] __attribute__((aligned(1024)));

static volatile u32 aborts;

void on_data_abort(struct frame *f) {
  put_data_abort("data abort");
  aborts++;
  fail_probe(f);
}

void on_prefetch_abort(struct frame *f) {
  put_prefetch_abort("prefetch abort");
  resume_at_r0(f);
}

int main(void) {
  put_str("mmu\n");
  volatile u32 *data = (volatile u32 *)DATA_PA;
  for (u32 i = 0; i < 0x8000; i++) data[i] = 0x11110000 + i;

  short_map_ram_and_uart(l1);
  l1[0x800] = SECTION(DATA_PA, 3, 0, 0);                                               /* alias */
  for (u32 i = 0; i < 16; i++) l1[0xa00 + i] = 0x40000000 | (1 << 18) | (3 << 10) | 2; /* supersection */
  l1[0x900] = (u32)l2 | (1 << 5) | 1;                                                  /* pages, domain 1 */
  l1[0xc00] = SECTION(DATA_PA, 3, 3, 0);                                               /* domain 3: no access */
  l1[0xc01] = SECTION(DATA_PA, 7, 0, 0);                                               /* read-only section */
  l2[0] = SMALL(DATA_PA + 0x1000, 3, 0);
  l2[1] = SMALL(DATA_PA + 0x2000, 7, 0); /* read-only */
  l2[2] = SMALL(DATA_PA + 0x3000, 3, 1); /* XN */
  for (u32 i = 0; i < 16; i++) l2[16 + i] = LARGE(DATA_PA + 0x10000, 3); /* 0x90010000: 64K */
  /* the XN page holds "bx lr" */
  data[0x3000 / 4] = 0xe12fff1e;

  set_dacr(0x00000005u); /* domains 0,1 client; 3 none */
  set_ttbcr(0);          /* N=0 */
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"((u32)l1));
  tlbiall();
  u32 sctlr = read_sctlr();
  set_sctlr(sctlr | 1);
  put_str("mmu on\n");

  show("section alias", rd(0x80000010));
  show("supersection", rd(0xa0800020));
  show("small page", rd(0x90000008));
  show("large page", rd(0x9001abc0));
  show("read-only page read", rd(0x90001004));
  show("write via alias", wr(0x80000040, 0xfeedbeef));
  show("seen at supersection", rd(0xa0800040));

  show("unmapped", rd(0xb0000000));
  show("no l2 entry", rd(0x90005010));
  show("domain fault", rd(0xc0000000));
  show("read-only page write", wr(0x90001008, 1));
  show("read-only section write", wr(0xc0100000, 1));
  show("read-only section read", rd(0xc0100004));

  /* execute from an XN page */
  call_probe(0x90002000);
  put_str("back from xn\n");

  /* a change to the tables is seen only after TLB maintenance; TTBR1 takes the top half with N=1 */
  l1b[0x800] = SECTION(DATA_PA + 0x100000, 3, 0, 0);
  data[0x100000 / 4] = 0x22222222;
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 1" ::"r"((u32)l1b));
  set_ttbcr(1);
  tlbiall();
  show("ttbr1 alias", rd(0x80000000));
  show("ttbr0 still", rd(0x40800000));
  set_ttbcr(0);
  tlbiall();
  show("ttbr0 again", rd(0x80000000));

  set_sctlr(sctlr);
  show("aborts", aborts);
  return 0;
}
