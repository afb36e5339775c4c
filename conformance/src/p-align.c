/* Alignment: unaligned LDR/LDRH/STR/STRH work while SCTLR.A is clear and fault (DFSR 0x1, DFAR
   the address) once it is set; byte accesses never fault; LDRD and LDM always need words. */
#include "runtime.h"

#ifdef __thumb__
#define W ".w"
#else
#define W ""
#endif

static u32 buf[8] __attribute__((aligned(8))) = {0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c};

void on_data_abort(struct frame *f) {
  put_fault("  abort", " dfsr=", read_dfsr(), " offset=", read_dfar() - (u32)buf);
  f->r[0] = 0xdead;
  f->lr -= 4;
}

static u32 ldr(u32 a) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("ldr" W " %0, [%1]" : "+r"(r0) : "r"(a) : "memory");
  return r0;
}
static u32 ldrh(u32 a) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("ldrh" W " %0, [%1]" : "+r"(r0) : "r"(a) : "memory");
  return r0;
}
static u32 ldrb(u32 a) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("ldrb" W " %0, [%1]" : "+r"(r0) : "r"(a) : "memory");
  return r0;
}
static u32 str(u32 a, u32 v) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("str" W " %1, [%2]" : "+r"(r0) : "r"(v), "r"(a) : "memory");
  return r0;
}
static u32 strh(u32 a, u32 v) {
  register u32 r0 __asm__("r0") = 0;
  __asm__ volatile("strh" W " %1, [%2]" : "+r"(r0) : "r"(v), "r"(a) : "memory");
  return r0;
}

static void round(const char *name) {
  u32 b = (u32)buf;
  put_str(name);
  uart_putc('\n');
  show("ldr +1", ldr(b + 1));
  show("ldr +2", ldr(b + 2));
  show("ldrh +1", ldrh(b + 1));
  show("ldrh +2", ldrh(b + 2));
  show("ldrb +3", ldrb(b + 3));
  show("str +3", str(b + 3, 0xa1b2c3d4));
  show("strh +5", strh(b + 5, 0xeeff));
  show("words", buf[0] ^ buf[1] ^ buf[2]);
}

int main(void) {
  put_str("align\n");
  u32 sctlr;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
  round("sctlr.a clear");
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | 2));
  round("sctlr.a set");
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr));
  return 0;
}
