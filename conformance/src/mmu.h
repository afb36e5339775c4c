/* What the MMU programs share: loads, stores and calls that report a fault instead of stopping,
   the system registers they program, TLB maintenance, and the descriptor bits of both translation
   table formats with the identity map of RAM and the UART every table set starts from. */
#ifndef MMU_H
#define MMU_H

#include "runtime.h"

/* 32-bit encodings in Thumb too: a data abort handler steps over the access with lr -= 4. */
#ifdef __thumb__
#define LDR "ldr.w"
#define STR "str.w"
#define ADR "adr.w"
#else
#define LDR "ldr"
#define STR "str"
#define ADR "adr"
#endif

#define DATA_PA 0x40800000u /* the memory the programs map and remap, 8 MiB into RAM */

/* Each probe returns r0: what it read (0 for a store), or what a data abort handler left there. */
static inline u32 rd(u32 va) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile(LDR " %0, [%1]" : "+r"(r0) : "r"(va) : "memory");
  return r0;
}
static inline u32 wr(u32 va, u32 v) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile(STR " %1, [%2]" : "+r"(r0) : "r"(v), "r"(va) : "memory");
  return r0;
}
/* The same with PL0's permissions (LDRT/STRT). */
static inline u32 rdt(u32 va) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("ldrt %0, [%1]" : "+r"(r0) : "r"(va) : "memory");
  return r0;
}
static inline u32 wrt(u32 va, u32 v) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("strt %1, [%2]" : "+r"(r0) : "r"(v), "r"(va) : "memory");
  return r0;
}

/* Calls the ARM "bx lr" at `va` with the return address in r0, so that a prefetch abort handler
   can come back here through resume_at_r0. */
static inline void call_probe(u32 va) {
  register u32 r0 __asm__("r0");
  __asm__ volatile(ADR " r0, 1f\n\t"
#ifdef __thumb__
                   "orr r0, r0, #1\n\t"
#endif
                   "blx %1\n\t.balign 4\n1:"
                   : "=&r"(r0)
                   : "r"(va)
                   : "lr", "memory", "r1", "r2", "r3", "r12");
}
static inline void resume_at_r0(struct frame *f) {
  f->lr = f->r[0];
#ifdef __thumb__
  f->spsr |= 0x20;
#endif
}

/* Reads the 64-bit CP15 register "op1, crm" (MRRC). */
#define MRRC15(op1, crm)                                                                        \
  ({                                                                                            \
    u64 v_;                                                                                     \
    __asm__ volatile("mrrc p15, " #op1 ", %Q0, %R0, " #crm : "=r"(v_));                         \
    v_;                                                                                         \
  })

static inline void put_data_abort(const char *what) { put_fault(what, " dfsr=", read_dfsr(), " dfar=", read_dfar()); }
static inline void put_prefetch_abort(const char *what) {
  put_fault(what, " ifsr=", read_ifsr(), " ifar=", read_ifar());
}

/* A probe that faulted returns 0xdead and goes on after its access. */
static inline void fail_probe(struct frame *f) {
  f->r[0] = 0xdead;
  f->lr -= 4;
}

static inline u32 read_sctlr(void) { return MRC(p15, 0, c1, c0, 0); }
static inline void set_sctlr(u32 v) { __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(v) : "memory"); }
static inline void set_ttbcr(u32 v) { __asm__ volatile("mcr p15, 0, %0, c2, c0, 2\n\tisb" ::"r"(v) : "memory"); }
static inline void set_dacr(u32 v) { __asm__ volatile("mcr p15, 0, %0, c3, c0, 0\n\tisb" ::"r"(v) : "memory"); }
/* The 64-bit forms of TTBR0 and TTBR1 (MCRR/MRRC); the short format uses their low words. */
static inline void set_ttbr0_64(u64 v) { __asm__ volatile("mcrr p15, 0, %Q0, %R0, c2\n\tisb" ::"r"(v) : "memory"); }
static inline void set_ttbr1_64(u64 v) { __asm__ volatile("mcrr p15, 1, %Q0, %R0, c2\n\tisb" ::"r"(v) : "memory"); }
static inline u64 read_ttbr0_64(void) { return MRRC15(0, c2); }
static inline u64 read_ttbr1_64(void) { return MRRC15(1, c2); }

/* TLB maintenance between barriers, so that table writes before it are seen and accesses after it
   use the new entries: all entries, and every ASID's entry for one page. */
static inline void tlbiall(void) {
  __asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 0\n\tdsb\n\tisb" ::"r"(0) : "memory");
}
static inline void tlbimvaa(u32 va) {
  __asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 3\n\tdsb\n\tisb" ::"r"(va & ~0xfffu) : "memory");
}

/* Short descriptors: AP[2:0] (APX in bit 15, AP[1:0] in bits 11:10 or 5:4), the domain, XN, and
   C and B set (0xc, write-back). */
#define SECTION(pa, ap, dom, xn) ((pa) | (((ap) & 3) << 10) | (((ap) >> 2) << 15) | ((dom) << 5) | ((xn) << 4) | 0xc | 2)
#define SMALL(pa, ap, xn) ((pa) | (((ap) & 3) << 4) | (((ap) >> 2) << 9) | 0xc | 2 | (xn))
#define LARGE(pa, ap) ((pa) | (((ap) & 3) << 4) | (((ap) >> 2) << 9) | 0xc | 1)

/* Long descriptors. */
#define VALID 1ull
#define TABLE 3ull /* a table (levels 1, 2) or a page (level 3) */
#define BLOCK 1ull
#define ATTR(i) ((u64)(i) << 2) /* AttrIndx: MAIR0 byte i */
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
#define EAE 0x80000000u /* TTBCR: the long format */

/* The first 16 MiB of RAM (code, data, stacks and tables) at their own addresses, read/write at
   PL1, and the UART, never executable: in a short-descriptor first-level table... */
static inline void short_map_ram_and_uart(u32 *l1) {
  for (u32 i = 0; i < 16; i++) l1[0x400 + i] = SECTION(0x40000000 + (i << 20), 3, 0, 0);
  l1[0x090] = SECTION(0x09000000, 3, 0, 1);
}
/* ... and in long-descriptor level-2 tables: RAM in the one for 1-2 GiB, the UART in the one for
   0-1 GiB. */
static inline void long_map_ram(u64 *l2_ram) {
  for (u32 i = 0; i < 8; i++) l2_ram[i] = (0x40000000u + (i << 21)) | BLOCK | NORMAL;
}
static inline void long_map_uart(u64 *l2_low) { l2_low[0x09000000 >> 21] = 0x09000000u | BLOCK | DEVICE; }

#endif
