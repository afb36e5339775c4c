/* The long-descriptor (LPAE) MMU: 1 GiB and 2 MiB blocks and 4 KiB pages, AP[2:1], XN, PXN, the
   table limits (APTable, XNTable, PXNTable), access-flag faults (fixed up and retried, as an OS
   does), translation faults at each level, alignment faults in the long format, DACR ignored, and
   the 64-bit TTBR0/TTBR1/PAR, MAIR and AMAIR registers. */
#include "mmu.h"

static u64 l1[4] __attribute__((aligned(32)));
static u64 l2_io[512] __attribute__((aligned(4096)));
static u64 l2_ram[512] __attribute__((aligned(4096)));
static u64 l3[512] __attribute__((aligned(4096)));
static u64 l3_limited[512] __attribute__((aligned(4096)));

static volatile u32 aborts;
static volatile u32 fix_access_flag;

static u64 *l3_entry(u32 va) { return &l3[(va >> 12) & 0x1ff]; }

void on_data_abort(struct frame *f) {
  put_data_abort("  data abort");
  aborts++;
  u32 dfsr = read_dfsr(), dfar = read_dfar();
  if (fix_access_flag && (dfsr & 0x3c) == 0x08) {
    /* an access flag fault: set the flag, as an OS does, and run the access again */
    *l3_entry(dfar) |= AF;
    tlbimvaa(dfar);
    f->lr -= 8;
    return;
  }
  fail_probe(f);
}

void on_prefetch_abort(struct frame *f) {
  put_prefetch_abort("  prefetch abort");
  aborts++;
  resume_at_r0(f);
}

/* Calls the ARM "bx lr" at `va`; a prefetch abort returns to the same place. */
static void call(const char *name, u32 va) {
  put_str(name);
  uart_putc('\n');
  call_probe(va);
  put_str("  back\n");
}

int main(void) {
  put_str("lpae\n");
  volatile u32 *data = (volatile u32 *)DATA_PA;
  for (u32 i = 0; i < 0x10000; i++) data[i] = 0x55000000 + i;
  for (u32 p = 5; p < 8; p++) data[p * 0x400] = 0xe12fff1e; /* bx lr at DATA_PA + 0x5000 ... 0x7000 */
  data[0x200020 / 4] = 0x66666666;

  /* the registers, with the MMU off */
  u32 sctlr = read_sctlr();
  u32 ttbcr = 0xffffffff, v;
  __asm__ volatile("mcr p15, 0, %1, c2, c0, 2\n\tmrc p15, 0, %0, c2, c0, 2" : "=r"(v) : "r"(ttbcr));
  show("ttbcr all ones", v);
  set_ttbr0_64(0x00ab00cd12345000ull);
  set_ttbr1_64(0x0012003456789000ull);
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"(0x40004000u)); /* the low word alone */
  show64("ttbr0", read_ttbr0_64());
  show64("ttbr1", read_ttbr1_64());
  __asm__ volatile("mrc p15, 0, %0, c2, c0, 1" : "=r"(v));
  show("ttbr1 low", v);
  u64 par = 0x000000ff12345680ull;
  __asm__ volatile("mcrr p15, 0, %Q0, %R0, c7" ::"r"(par));
  __asm__ volatile("mrrc p15, 0, %Q0, %R0, c7" : "=r"(par));
  show64("par", par);
  __asm__ volatile("mrc p15, 0, %0, c7, c4, 0" : "=r"(v));
  show("par low", v);
  /* MAIR0: 0 normal write-back, 1 device, 2 normal non-cacheable; MAIR1 unused */
  __asm__ volatile("mcr p15, 0, %0, c10, c2, 0" ::"r"(0x004404ffu));
  __asm__ volatile("mcr p15, 0, %0, c10, c2, 1" ::"r"(0xbbu));
  __asm__ volatile("mrc p15, 0, %0, c10, c2, 0" : "=r"(v));
  show("mair0", v);
  __asm__ volatile("mrc p15, 0, %0, c10, c2, 1" : "=r"(v));
  show("mair1", v);
  __asm__ volatile("mcr p15, 0, %0, c10, c3, 0" ::"r"(0x12345678u));
  __asm__ volatile("mcr p15, 0, %0, c10, c3, 1" ::"r"(0x9abcdef0u));
  __asm__ volatile("mrc p15, 0, %0, c10, c3, 0" : "=r"(v));
  show("amair0", v);
  __asm__ volatile("mrc p15, 0, %0, c10, c3, 1" : "=r"(v));
  show("amair1", v);

  /* the tables */
  l1[0] = (u32)l2_io | TABLE;
  l1[1] = (u32)l2_ram | TABLE;
  l1[2] = 0x40000000u | BLOCK | NORMAL | AP_PL0; /* 0x80000000: 1 GiB onto RAM, PL0 too */
  long_map_uart(l2_io);
  long_map_ram(l2_ram);
  l2_ram[8] = (u32)l3 | TABLE;                                  /* 0x41000000: pages */
  l2_ram[9] = DATA_PA | BLOCK | NORMAL | AP_RO;                 /* 0x41200000: read-only block */
  l2_ram[10] = DATA_PA | BLOCK | ATTR(0) | AP_PL0;              /* 0x41400000: no access flag */
  l2_ram[11] = DATA_PA | BLOCK | NORMAL | AP_PL0 | CONTIG;      /* 0x41600000: PL0 read/write */
  l2_ram[12] = (u32)l3_limited | TABLE | APT_RO;                /* 0x41800000: tables limit pages */
  l2_ram[13] = (u32)l3_limited | TABLE | APT_NO_PL0;            /* 0x41a00000 */
  l2_ram[14] = (u32)l3_limited | TABLE | XN_TABLE;              /* 0x41c00000 */
  l2_ram[15] = (u32)l3_limited | TABLE | PXN_TABLE;             /* 0x41e00000 */
  l3[0] = (DATA_PA + 0x1000) | TABLE | NORMAL;                  /* PL1 read/write */
  l3[1] = (DATA_PA + 0x2000) | TABLE | NORMAL | AP_RO;          /* PL1 read-only */
  l3[2] = (DATA_PA + 0x3000) | TABLE | NORMAL | AP_PL0;         /* read/write at both */
  l3[3] = (DATA_PA + 0x4000) | TABLE | NORMAL | AP_PL0 | AP_RO; /* read-only at both */
  l3[5] = (DATA_PA + 0x5000) | TABLE | NORMAL | XN;
  l3[6] = (DATA_PA + 0x6000) | TABLE | NORMAL | PXN;
  l3[7] = (DATA_PA + 0x7000) | TABLE | NORMAL;
  l3[8] = (DATA_PA + 0x8000) | TABLE | ATTR(2) | SH_INNER; /* no access flag */
  l3[9] = (DATA_PA + 0x9000) | BLOCK | NORMAL;             /* a block at level 3 is invalid */
  l3[10] = (DATA_PA + 0xa000) | TABLE | NORMAL | NG;
  for (u32 i = 0; i < 8; i++) l3_limited[i] = (DATA_PA + 0x5000) | TABLE | NORMAL | AP_PL0;

  set_dacr(0);     /* no access to any domain, ignored */
  set_ttbcr(EAE); /* T0SZ = T1SZ = 0 */
  set_ttbr0_64((u32)l1);
  set_ttbr1_64(0);
  tlbiall();
  set_sctlr(sctlr | 1);
  put_str("mmu on\n");

  put_str("blocks and pages\n");
  show("  1g block", rd(0x80800010));
  show("  2m block", rd(0x41200020));
  show("  page", rd(0x41000030));
  show("  page write", wr(0x41000034, 0xcafe0001));
  show("  seen through the 1g block", rd(0x80801034));
  show("  contiguous hint", rd(0x41600040));
  show("  global page", rd(0x4100a000));

  put_str("permissions at pl1\n");
  for (u32 p = 0; p < 4; p++) {
    show("  read", rd(0x41000000 + p * 0x1000 + 8));
    show("  write", wr(0x41000000 + p * 0x1000 + 8, p));
  }
  show("  read-only block write", wr(0x41200000, 1));
  put_str("permissions at pl0 (ldrt/strt)\n");
  for (u32 p = 0; p < 4; p++) {
    show("  read", rdt(0x41000000 + p * 0x1000 + 12));
    show("  write", wrt(0x41000000 + p * 0x1000 + 12, p));
  }
  show("  pl0 block write", wrt(0x41600010, 7));
  show("  pl1-only block", rdt(0x41200010));

  put_str("table limits\n");
  show("  aptable read-only: read", rd(0x41800000));
  show("  aptable read-only: write", wr(0x41800000, 1));
  show("  aptable read-only: pl0 read", rdt(0x41800004));
  show("  aptable no pl0: write", wr(0x41a00008, 2));
  show("  aptable no pl0: pl0 read", rdt(0x41a00008));

  put_str("execute\n");
  call("  page", 0x41007000);
  call("  xn page", 0x41005000);
  call("  pxn page", 0x41006000);
  call("  xntable", 0x41c00000);
  call("  pxntable", 0x41e00000);
  call("  pl1 table ok", 0x41800000);
  call("  unmapped", 0xc0000000);

  put_str("translation faults\n");
  show("  level 1", rd(0xc0000000));
  show("  level 2", rd(0x42000000));
  show("  level 3", rd(0x41004000));
  show("  block at level 3", rd(0x41009000));

  put_str("access flag\n");
  show("  block", rd(0x41400000));
  show("  page", rd(0x41008000));
  fix_access_flag = 1;
  show("  page, set and retried", rd(0x41008004));
  show("  then cached", rd(0x41008008));
  fix_access_flag = 0;

  put_str("remap with tlb maintenance\n");
  l3[0] = (DATA_PA + 0xf000) | TABLE | NORMAL;
  tlbimvaa(0x41000000);
  show("  page", rd(0x41000010));
  l2_ram[9] = (DATA_PA + 0x200000) | BLOCK | NORMAL | AP_RO;
  tlbimvaa(0x412ff000); /* any page of the block */
  show("  2m block", rd(0x41200020));
  show("  1g block write", wr(0x80800100, 0x1234));
  l1[2] = 0x40000000u | BLOCK | NORMAL | AP_RO;
  tlbimvaa(0xbff00000); /* another page of the same block */
  show("  1g block now read-only", wr(0x80800100, 0x5678));
  show("  1g block read", rd(0x80800100));

  put_str("alignment\n");
  set_sctlr(sctlr | 3);
  show("  unaligned", rd(0x40800002));
  set_sctlr(sctlr | 1);

  set_sctlr(sctlr);
  show("aborts", aborts);
  return 0;
}
