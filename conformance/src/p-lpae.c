/* The long-descriptor (LPAE) MMU: 1 GiB and 2 MiB blocks and 4 KiB pages, AP[2:1], XN, PXN, the
   table limits (APTable, XNTable, PXNTable), access-flag faults (fixed up and retried, as an OS
   does), translation faults at each level, alignment faults in the long format, DACR ignored, and
   the 64-bit TTBR0/TTBR1/PAR, MAIR and AMAIR registers. */
#include "runtime.h"

#ifdef __thumb__
#define LDR "ldr.w"
#define STR "str.w"
#define ADR "adr.w"
#else
#define LDR "ldr"
#define STR "str"
#define ADR "adr"
#endif

/* Descriptor bits. */
#define VALID 1ull
#define TABLE 3ull /* a table (levels 1, 2) or a page (level 3) */
#define BLOCK 1ull
#define ATTR(i) ((u64)(i) << 2)
#define AP_PL0 (1ull << 6)
#define AP_RO (1ull << 7)
#define SH_INNER (3ull << 8)
#define AF (1ull << 10)
#define NG (1ull << 11)
#define CONTIG (1ull << 52)
#define PXN (1ull << 53)
#define XN (1ull << 54)
#define PXN_TABLE (1ull << 59)
#define XN_TABLE (1ull << 60)
#define APT_NO_PL0 (1ull << 61)
#define APT_RO (1ull << 62)

#define NORMAL (ATTR(0) | SH_INNER | AF)
#define DEVICE (ATTR(1) | AF | XN | PXN)
#define DATA_PA 0x40800000u

static u64 l1[4] __attribute__((aligned(32)));
static u64 l2_io[512] __attribute__((aligned(4096)));
static u64 l2_ram[512] __attribute__((aligned(4096)));
static u64 l3[512] __attribute__((aligned(4096)));
static u64 l3_limited[512] __attribute__((aligned(4096)));

static volatile u32 aborts;
static volatile u32 fix_access_flag;

static void write64_ttbr0(u64 v) { __asm__ volatile("mcrr p15, 0, %Q0, %R0, c2" ::"r"(v)); }
static void write64_ttbr1(u64 v) { __asm__ volatile("mcrr p15, 1, %Q0, %R0, c2" ::"r"(v)); }
static u64 read64_ttbr0(void) {
  u64 v;
  __asm__ volatile("mrrc p15, 0, %Q0, %R0, c2" : "=r"(v));
  return v;
}
static u64 read64_ttbr1(void) {
  u64 v;
  __asm__ volatile("mrrc p15, 1, %Q0, %R0, c2" : "=r"(v));
  return v;
}

static void tlb_flush(void) {
  __asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 0\n\tdsb\n\tisb" ::"r"(0) : "memory");
}

static void tlb_flush_page(u32 va) {
  __asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 3\n\tdsb\n\tisb" ::"r"(va & ~0xfffu) : "memory");
}

static u64 *l3_entry(u32 va) { return &l3[(va >> 12) & 0x1ff]; }

void on_data_abort(struct frame *f) {
  u32 dfsr, dfar;
  __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(dfsr));
  __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(dfar));
  put_str("  data abort dfsr=");
  put_hex(dfsr);
  put_str(" dfar=");
  put_hex(dfar);
  uart_putc('\n');
  aborts++;
  if (fix_access_flag && (dfsr & 0x3c) == 0x08) {
    /* an access flag fault: set the flag, as an OS does, and run the access again */
    *l3_entry(dfar) |= AF;
    tlb_flush_page(dfar);
    f->lr -= 8;
    return;
  }
  f->r[0] = 0xdead;
  f->lr -= 4; /* skip the 32-bit access */
}

void on_prefetch_abort(struct frame *f) {
  u32 ifsr, ifar;
  __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(ifsr));
  __asm__ volatile("mrc p15, 0, %0, c6, c0, 2" : "=r"(ifar));
  put_str("  prefetch abort ifsr=");
  put_hex(ifsr);
  put_str(" ifar=");
  put_hex(ifar);
  uart_putc('\n');
  aborts++;
  f->lr = f->r[0]; /* the caller left its return address in r0 */
#ifdef __thumb__
  f->spsr |= 0x20;
#endif
}

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

/* Calls the ARM "bx lr" at `va`; a prefetch abort returns to the same place through r0. */
static void call(const char *name, u32 va) {
  register u32 r0 __asm__("r0");
  put_str(name);
  uart_putc('\n');
  __asm__ volatile(ADR " r0, 1f\n\t"
#ifdef __thumb__
                   "orr r0, r0, #1\n\t"
#endif
                   "blx %1\n\t.balign 4\n1:"
                   : "=&r"(r0)
                   : "r"(va)
                   : "lr", "memory", "r1", "r2", "r3", "r12");
  put_str("  back\n");
}

int main(void) {
  put_str("lpae\n");
  volatile u32 *data = (volatile u32 *)DATA_PA;
  for (u32 i = 0; i < 0x10000; i++) data[i] = 0x55000000 + i;
  for (u32 p = 5; p < 8; p++) data[p * 0x400] = 0xe12fff1e; /* bx lr at DATA_PA + 0x5000 ... 0x7000 */
  data[0x200020 / 4] = 0x66666666;

  /* the registers, with the MMU off */
  u32 sctlr;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
  u32 ttbcr = 0xffffffff, v;
  __asm__ volatile("mcr p15, 0, %1, c2, c0, 2\n\tmrc p15, 0, %0, c2, c0, 2" : "=r"(v) : "r"(ttbcr));
  show("ttbcr all ones", v);
  write64_ttbr0(0x00ab00cd12345000ull);
  write64_ttbr1(0x0012003456789000ull);
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"(0x40004000u)); /* the low word alone */
  show64("ttbr0", read64_ttbr0());
  show64("ttbr1", read64_ttbr1());
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
  l2_io[0x09000000 >> 21] = 0x09000000u | BLOCK | DEVICE;
  for (u32 i = 0; i < 8; i++) l2_ram[i] = (0x40000000u + (i << 21)) | BLOCK | NORMAL; /* RAM identity */
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

  __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" ::"r"(0u)); /* DACR: no access to any domain, ignored */
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" ::"r"(0x80000000u)); /* TTBCR: EAE, T0SZ = T1SZ = 0 */
  write64_ttbr0((u32)l1);
  write64_ttbr1(0);
  tlb_flush();
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | 1) : "memory");
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
  tlb_flush_page(0x41000000);
  show("  page", rd(0x41000010));
  l2_ram[9] = (DATA_PA + 0x200000) | BLOCK | NORMAL | AP_RO;
  tlb_flush_page(0x412ff000); /* any page of the block */
  show("  2m block", rd(0x41200020));
  show("  1g block write", wr(0x80800100, 0x1234));
  l1[2] = 0x40000000u | BLOCK | NORMAL | AP_RO;
  tlb_flush_page(0xbff00000); /* another page of the same block */
  show("  1g block now read-only", wr(0x80800100, 0x5678));
  show("  1g block read", rd(0x80800100));

  put_str("alignment\n");
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | 3) : "memory");
  show("  unaligned", rd(0x40800002));
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | 1) : "memory");

  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr) : "memory");
  show("aborts", aborts);
  return 0;
}
