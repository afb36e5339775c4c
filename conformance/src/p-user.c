/* User mode: a PL0 task reaches the kernel through SVC for services, its privileged CP15 access
   and mode changes are refused (undefined instruction), and the kernel returns results in r0. */
#include "runtime.h"

static volatile u32 undefs;
static volatile u32 calls;

void on_svc(struct frame *f) {
  u32 imm = (f->spsr & 0x20) ? *(unsigned short *)(f->lr - 2) & 0xff : *(u32 *)(f->lr - 4) & 0xff;
  calls++;
  switch (imm) {
  case 1: /* add */
    f->r[0] = f->r[0] + f->r[1];
    break;
  case 2: /* report the caller's mode */
    f->r[0] = f->spsr & 0x1f;
    break;
  case 3: /* leave user mode for good */
    f->spsr = (f->spsr & ~0x1fu) | 0x13;
    break;
  default:
    f->r[0] = 0xffffffff;
  }
}

void on_undefined(struct frame *f) {
  undefs++;
  f->r[0] = 0xbad;
  skip_thumb32(f);
}

static u32 svc1(u32 a, u32 b) {
  register u32 r0 __asm__("r0") = a;
  register u32 r1 __asm__("r1") = b;
  __asm__ volatile("svc #1" : "+r"(r0) : "r"(r1) : "memory", "lr");
  return r0;
}
static u32 svc2(void) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("svc #2" : "+r"(r0)::"memory", "lr");
  return r0;
}

int main(void) {
  put_str("user\n");
  /* TPIDRURW resets to an UNKNOWN value: give it one before user mode reads it */
  __asm__ volatile("mcr p15, 0, %0, c13, c0, 2" ::"r"(0x5a5a0001u) : "memory");
  __asm__ volatile("cps #0x10" ::: "memory");
  show("mode via svc", svc2());
  show("add via svc", svc1(40, 2));
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "+r"(r0)::"memory"); /* SCTLR: PL1 only */
  show("sctlr from user", r0);
  r0 = 0;
  __asm__ volatile("mrc p15, 0, %0, c13, c0, 2" : "+r"(r0)::"memory"); /* TPIDRURW: allowed */
  show("tpidrurw from user", r0);
  r0 = 0;
  __asm__ volatile("mrs %0, spsr" : "+r"(r0)::"memory"); /* no SPSR in user mode */
  show("mrs spsr from user", r0);
  u32 cpsr;
  __asm__ volatile("cpsid i\n\tmrs %0, cpsr" : "=r"(cpsr)::"memory"); /* CPS is ignored at PL0 */
  show("cpsr after cpsid", cpsr & 0x1ff);
  __asm__ volatile("svc #3" ::: "memory", "lr");
  __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
  show("back in", cpsr & 0x1ff);
  show("svc calls", calls);
  show("undefined", undefs);
  return 0;
}
