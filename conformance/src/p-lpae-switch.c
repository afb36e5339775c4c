/* Switching translation formats at run time: alignment faults with the MMU off report in the format
   TTBCR.EAE selects; the MMU runs short-descriptor tables, then long-descriptor ones, then short
   ones again, each with its own fault status format and its own view of DACR. Each switch is one
   TTBCR write with the MMU on: the long format's TTBR1 (T0SZ = 7, T1SZ = 0: everything above
   32 MiB) maps the code as the short format's TTBR0 does. Finally a TTBR0 range of 1 GiB whose walk
   starts at level 2 (T0SZ = 2). */
#include "mmu.h"

static u32 short_l1[4096] __attribute__((aligned(16384)));
static u64 long_l1[4] __attribute__((aligned(32)));
static u64 long_l2_low[512] __attribute__((aligned(4096))); /* 0-1 GiB */
static u64 long_l2_ram[512] __attribute__((aligned(4096))); /* 1-2 GiB */
static u64 long_l2_high[512] __attribute__((aligned(4096))); /* 2-3 GiB */

void on_data_abort(struct frame *f) {
  put_data_abort("  data abort");
  fail_probe(f);
}

int main(void) {
  put_str("lpae switch\n");
  volatile u32 *data = (volatile u32 *)DATA_PA;
  for (u32 i = 0; i < 4; i++) data[i * 0x40000] = 0x5a000000 + i; /* at DATA_PA + i MiB */
  u32 sctlr = read_sctlr();

  put_str("mmu off\n");
  set_ttbcr(0);
  set_sctlr(sctlr | 2);
  show("  short format alignment", rd(0x40800001));
  set_ttbcr(EAE);
  show("  long format alignment", rd(0x40800001));
  set_ttbcr(0);
  set_sctlr(sctlr);

  /* the short-descriptor tables: RAM identity, the UART, 0x80000000 -> DATA_PA + 1 MiB */
  short_map_ram_and_uart(short_l1);
  short_l1[0x800] = SECTION(DATA_PA + 0x100000, 3, 1, 0); /* domain 1 */
  /* the long-descriptor ones: the same, but 0x80000000 -> DATA_PA + 2 MiB */
  long_l1[0] = (u32)long_l2_low | TABLE;
  long_l1[1] = (u32)long_l2_ram | TABLE;
  long_l1[2] = (u32)long_l2_high | TABLE;
  long_map_uart(long_l2_low);
  long_l2_low[0x10000000 >> 21] = (DATA_PA + 0x200000) | BLOCK | NORMAL; /* for the level-2 start */
  long_map_ram(long_l2_ram);
  long_l2_high[0] = (DATA_PA + 0x200000) | BLOCK | NORMAL;
  __asm__ volatile("mcr p15, 0, %0, c10, c2, 0" ::"r"(0x000004ffu)); /* MAIR0 */

  put_str("short descriptors\n");
  set_dacr(5); /* domains 0 and 1: client */
  set_ttbr0_64((u32)short_l1);
  set_ttbr1_64((u32)long_l1); /* unused by the short format */
  tlbiall();
  set_sctlr(sctlr | 1);
  show("  alias", rd(0x80000000));
  show("  unmapped", rd(0xb0000000));

  put_str("long descriptors, switched on with the mmu on\n");
  set_ttbcr(EAE | 7);
  tlbiall();
  show("  alias", rd(0x80000000));
  show("  unmapped at level 2", rd(0xb0000000));
  show("  unmapped at level 1", rd(0xc0000000));
  set_dacr(0);
  show("  dacr 0: alias", rd(0x80000000));

  set_dacr(1); /* domain 0 client (the code), domain 1 (the alias) no access */
  put_str("short descriptors again\n");
  set_ttbcr(0);
  tlbiall();
  show("  domain 1 no access: alias", rd(0x80000000));
  set_dacr(5);
  show("  domain 1 client: alias", rd(0x80000000));
  show("  unmapped", rd(0xb0000000));

  put_str("long descriptors: ttbr0 from level 2, ttbr1 for the rest\n");
  set_sctlr(sctlr);
  set_ttbr0_64((u32)long_l2_low);
  set_ttbcr(EAE | 2); /* T0SZ = 2: 0-1 GiB; T1SZ = 0: TTBR1 from 1 GiB up */
  tlbiall();
  set_sctlr(sctlr | 1);
  show("  ttbr0 block", rd(0x10000000));
  show("  ttbr1 alias", rd(0x80000000));
  show("  ttbr0 unmapped", rd(0x20000000));

  set_sctlr(sctlr);
  set_ttbcr(0);
  put_str("done\n");
  return 0;
}
