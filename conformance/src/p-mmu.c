/* The short-descriptor MMU: sections, a supersection, small and large pages, the TTBR0/TTBR1 split,
   translation, domain and permission faults with their DFSR/DFAR, and an XN prefetch abort. */
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

static u32 l1[4096] __attribute__((aligned(16384)));
static u32 l1b[4096] __attribute__((aligned(16384)));
static u32 l2[256] __attribute__((aligned(1024)));

#define DATA_PA 0x40800000u
#define SECTION(pa, ap, dom, xn) ((pa) | (((ap) & 3) << 10) | (((ap) >> 2) << 15) | ((dom) << 5) | ((xn) << 4) | 0xc | 2)
#define SMALL(pa, ap, xn) ((pa) | (((ap) & 3) << 4) | (((ap) >> 2) << 9) | 0xc | 2 | (xn))
#define LARGE(pa, ap) ((pa) | (((ap) & 3) << 4) | (((ap) >> 2) << 9) | 0xc | 1)

static volatile u32 aborts;

void on_data_abort(struct frame *f) {
  u32 dfsr, dfar;
  __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(dfsr));
  __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(dfar));
  put_str("data abort dfsr=");
  put_hex(dfsr);
  put_str(" dfar=");
  put_hex(dfar);
  uart_putc('\n');
  aborts++;
  f->r[0] = 0xdead;
  f->lr -= 4; /* skip the 32-bit access */
}

void on_prefetch_abort(struct frame *f) {
  u32 ifsr, ifar;
  __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(ifsr));
  __asm__ volatile("mrc p15, 0, %0, c6, c0, 2" : "=r"(ifar));
  put_str("prefetch abort ifsr=");
  put_hex(ifsr);
  put_str(" ifar=");
  put_hex(ifar);
  uart_putc('\n');
  f->lr = f->r[0]; /* the caller left its return address in r0 */
#ifdef __thumb__
  f->spsr |= 0x20;
#endif
}

static u32 probe_read(u32 va) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile(LDR " %0, [%1]" : "+r"(r0) : "r"(va) : "memory");
  return r0;
}

static u32 probe_write(u32 va, u32 v) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile(STR " %1, [%2]" : "+r"(r0) : "r"(v), "r"(va) : "memory");
  return r0;
}

static void tlb_flush(void) {
  __asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 0\n\tdsb\n\tisb" ::"r"(0) : "memory");
}

int main(void) {
  put_str("mmu\n");
  volatile u32 *data = (volatile u32 *)DATA_PA;
  for (u32 i = 0; i < 0x8000; i++) data[i] = 0x11110000 + i;

  for (u32 i = 0; i < 16; i++) l1[0x400 + i] = SECTION(0x40000000 + (i << 20), 3, 0, 0); /* RAM identity */
  l1[0x090] = SECTION(0x09000000, 3, 0, 1);                                             /* UART */
  l1[0x800] = SECTION(DATA_PA, 3, 0, 0);                                                /* alias */
  for (u32 i = 0; i < 16; i++) l1[0xa00 + i] = 0x40000000 | (1 << 18) | (3 << 10) | 2;  /* supersection */
  l1[0x900] = (u32)l2 | (1 << 5) | 1;                                                   /* pages, domain 1 */
  l1[0xc00] = SECTION(DATA_PA, 3, 3, 0);                                                /* domain 3: no access */
  l1[0xc01] = SECTION(DATA_PA, 7, 0, 0);                                                /* read-only section */
  l2[0] = SMALL(DATA_PA + 0x1000, 3, 0);
  l2[1] = SMALL(DATA_PA + 0x2000, 7, 0); /* read-only */
  l2[2] = SMALL(DATA_PA + 0x3000, 3, 1); /* XN */
  for (u32 i = 0; i < 16; i++) l2[16 + i] = LARGE(DATA_PA + 0x10000, 3); /* 0x90010000: 64K */
  /* the XN page holds "bx lr" */
  data[0x3000 / 4] = 0xe12fff1e;

  __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" ::"r"(0x00000005u)); /* DACR: domains 0,1 client; 3 none */
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" ::"r"(0u));          /* TTBCR: N=0 */
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"((u32)l1));
  tlb_flush();
  u32 sctlr;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | 1) : "memory");
  put_str("mmu on\n");

  show("section alias", probe_read(0x80000010));
  show("supersection", probe_read(0xa0800020));
  show("small page", probe_read(0x90000008));
  show("large page", probe_read(0x9001abc0));
  show("read-only page read", probe_read(0x90001004));
  show("write via alias", probe_write(0x80000040, 0xfeedbeef));
  show("seen at supersection", probe_read(0xa0800040));

  show("unmapped", probe_read(0xb0000000));
  show("no l2 entry", probe_read(0x90005010));
  show("domain fault", probe_read(0xc0000000));
  show("read-only page write", probe_write(0x90001008, 1));
  show("read-only section write", probe_write(0xc0100000, 1));
  show("read-only section read", probe_read(0xc0100004));

  /* execute from an XN page */
  register u32 r0 __asm__("r0");
  __asm__ volatile(ADR " r0, 1f\n\t"
#ifdef __thumb__
                   "orr r0, r0, #1\n\t"
#endif
                   "blx %1\n\t.balign 4\n1:"
                   : "=&r"(r0)
                   : "r"(0x90002000)
                   : "lr", "memory", "r1", "r2", "r3", "r12");
  put_str("back from xn\n");

  /* a change to the tables is seen only after TLB maintenance; TTBR1 takes the top half with N=1 */
  l1b[0x800] = SECTION(DATA_PA + 0x100000, 3, 0, 0);
  data[0x100000 / 4] = 0x22222222;
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 1" ::"r"((u32)l1b));
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 2\n\tisb" ::"r"(1u));
  tlb_flush();
  show("ttbr1 alias", probe_read(0x80000000));
  show("ttbr0 still", probe_read(0x40800000));
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 2\n\tisb" ::"r"(0u));
  tlb_flush();
  show("ttbr0 again", probe_read(0x80000000));

  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr) : "memory");
  show("aborts", aborts);
  return 0;
}
