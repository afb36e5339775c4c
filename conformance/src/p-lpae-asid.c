/* Address spaces in the long-descriptor format: three "processes" map the same virtual page (not
   global) to their own memory and switch by writing TTBR0 with the ASID in bits 55:48, a global
   page and a TTBR1 "kernel" half (T1SZ) are shared, an ASID is reused after TLBIASID, pages are
   remapped with TLBIMVA and TLBIMVAA, TTBCR.A1 takes the ASID from TTBR1, and the gap between
   the TTBR0 and TTBR1 ranges and TTBCR.EPD1 fault. */
#include "mmu.h"

#define A1 (1u << 22)
#define EPD1 (1u << 23)
#define T1SZ(n) ((u32)(n) << 16)
#define ASID(n) ((u64)(n) << 48)

#define USER_VA 0x10000000u   /* each process's own page */
#define SHARED_VA 0x10001000u /* a global page every process maps alike */
#define KERNEL_VA 0xc0000000u /* TTBR1: the top 1 GiB (T1SZ = 2) */

static u64 proc_l1[3][4] __attribute__((aligned(32)));
static u64 proc_l2[3][512] __attribute__((aligned(4096)));
static u64 proc_l3[3][512] __attribute__((aligned(4096)));
static u64 l2_ram[512] __attribute__((aligned(4096)));
static u64 kernel_l2[512] __attribute__((aligned(4096))); /* TTBR1's first table: level 2 */
static u64 kernel_l3[512] __attribute__((aligned(4096)));

void on_data_abort(struct frame *f) {
  put_data_abort("  data abort");
  fail_probe(f);
}

static void barrier(void) { __asm__ volatile("dsb\n\tisb" ::: "memory"); }
static void tlbiasid(u32 asid) {
  barrier();
  __asm__ volatile("mcr p15, 0, %0, c8, c7, 2" ::"r"(asid) : "memory");
  barrier();
}
static void tlbimva(u32 va, u32 asid) {
  barrier();
  __asm__ volatile("mcr p15, 0, %0, c8, c7, 1" ::"r"((va & ~0xfffu) | asid) : "memory");
  barrier();
}

/* Process p's tables: RAM and the UART shared and global, its own page at USER_VA. */
static void make_process(u32 p, u32 page_pa) {
  proc_l1[p][0] = (u32)proc_l2[p] | TABLE;
  proc_l1[p][1] = (u32)l2_ram | TABLE;
  long_map_uart(proc_l2[p]);
  proc_l2[p][USER_VA >> 21] = (u32)proc_l3[p] | TABLE;
  proc_l3[p][0] = page_pa | TABLE | NORMAL | NG;
  proc_l3[p][1] = (DATA_PA + 0xf000) | TABLE | NORMAL; /* SHARED_VA */
}

static void show_user(const char *name) { show(name, rd(USER_VA)); }

int main(void) {
  put_str("lpae asid\n");
  volatile u32 *data = (volatile u32 *)DATA_PA;
  for (u32 i = 0; i < 16; i++) data[i * 0x400] = 0xa0000000 + i; /* page i starts with 0xa000000i */

  long_map_ram(l2_ram);
  make_process(0, DATA_PA + 0x1000);
  make_process(1, DATA_PA + 0x2000);
  make_process(2, DATA_PA + 0x3000);
  kernel_l2[0] = DATA_PA | BLOCK | NORMAL;               /* 0xc0000000: 2 MiB */
  kernel_l2[511] = (u32)kernel_l3 | TABLE;                /* 0xffe00000: pages */
  kernel_l3[511] = (DATA_PA + 0xe000) | TABLE | NORMAL;   /* 0xfffff000 */

  __asm__ volatile("mcr p15, 0, %0, c10, c2, 0" ::"r"(0x000004ffu)); /* MAIR0 */
  set_ttbcr(EAE | T1SZ(2));
  set_ttbr0_64((u32)proc_l1[0] | ASID(1));
  set_ttbr1_64((u32)kernel_l2);
  tlbiall();
  u32 sctlr = read_sctlr();
  set_sctlr(sctlr | 1);
  put_str("mmu on\n");

  put_str("context switches\n");
  show_user("  asid 1, process 0");
  show("  kernel block", rd(KERNEL_VA + 0x4000));
  show("  kernel page", rd(0xfffff000));
  set_ttbr0_64((u32)proc_l1[1] | ASID(2));
  show_user("  asid 2, process 1");
  show("  shared page", rd(SHARED_VA));
  set_ttbr0_64((u32)proc_l1[0] | ASID(1));
  show_user("  asid 1, process 0 again");
  show("  shared page", rd(SHARED_VA));
  set_ttbr0_64((u32)proc_l1[1] | ASID(2));
  show_user("  asid 2, process 1 again");

  put_str("asid reuse\n");
  set_ttbr0_64((u32)proc_l1[2] | ASID(1));
  tlbiasid(1);
  show_user("  asid 1, process 2");

  put_str("remapping\n");
  proc_l3[2][0] = (DATA_PA + 0x4000) | TABLE | NORMAL | NG;
  tlbimva(USER_VA, 1);
  show_user("  tlbimva, process 2");
  proc_l3[1][0] = (DATA_PA + 0x5000) | TABLE | NORMAL | NG; /* process 1 is not running */
  tlbimvaa(USER_VA);
  set_ttbr0_64((u32)proc_l1[1] | ASID(2));
  show_user("  tlbimvaa, process 1");
  kernel_l3[511] = (DATA_PA + 0xd000) | TABLE | NORMAL;
  tlbimva(0xfffff000, 9); /* a global page: any ASID */
  show("  kernel page", rd(0xfffff000));

  put_str("asid from ttbr1 (a1)\n");
  set_ttbr1_64((u32)kernel_l2 | ASID(7));
  set_ttbcr(EAE | A1 | T1SZ(2));
  tlbiasid(7);
  show_user("  asid 7, process 1's tables");
  set_ttbr0_64((u32)proc_l1[0] | ASID(2)); /* its ASID field is not used now */
  tlbiasid(7);
  show_user("  asid 7, process 0's tables");
  set_ttbr1_64((u32)kernel_l2 | ASID(8));
  set_ttbr0_64((u32)proc_l1[2]);
  show_user("  asid 8, process 2's tables");
  set_ttbr1_64((u32)kernel_l2 | ASID(7));
  set_ttbr0_64((u32)proc_l1[0]);
  show_user("  asid 7 again");
  show64("  ttbr1", read_ttbr1_64());

  put_str("ranges\n");
  set_ttbcr(EAE | 1 | T1SZ(2)); /* TTBR0: 2 GiB, TTBR1: the top 1 GiB */
  set_ttbr0_64((u32)proc_l1[0] | ASID(1));
  tlbiall();
  show_user("  t0sz 1");
  show("  the gap", rd(0x90000000));
  show("  ttbr1", rd(KERNEL_VA + 0x4000));
  set_ttbcr(EAE | EPD1 | T1SZ(2));
  tlbiall();
  show("  epd1", rd(KERNEL_VA + 0x4000));
  show_user("  ttbr0 still");

  set_sctlr(sctlr);
  put_str("done\n");
  return 0;
}
