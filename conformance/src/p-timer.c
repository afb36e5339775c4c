/* The generic timer: CNTFRQ, the physical and virtual counters, and both timers' CTL/CVAL/TVAL
   behaviour (ISTATUS, IMASK, enable), CNTKCTL. Prints only relations, never raw counts. */
#include "runtime.h"

static u64 cntvct(void) {
  u32 lo, hi;
  __asm__ volatile("isb\n\tmrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
  return ((u64)hi << 32) | lo;
}
static u64 cntpct(void) {
  u32 lo, hi;
  __asm__ volatile("isb\n\tmrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi));
  return ((u64)hi << 32) | lo;
}

#define CTL_V_GET(v) __asm__ volatile("isb\n\tmrc p15, 0, %0, c14, c3, 1" : "=r"(v))
#define CTL_V_SET(v) __asm__ volatile("mcr p15, 0, %0, c14, c3, 1\n\tisb" ::"r"(v))
#define TVAL_V_GET(v) __asm__ volatile("isb\n\tmrc p15, 0, %0, c14, c3, 0" : "=r"(v))
#define TVAL_V_SET(v) __asm__ volatile("mcr p15, 0, %0, c14, c3, 0\n\tisb" ::"r"(v))
#define CTL_P_GET(v) __asm__ volatile("isb\n\tmrc p15, 0, %0, c14, c2, 1" : "=r"(v))
#define CTL_P_SET(v) __asm__ volatile("mcr p15, 0, %0, c14, c2, 1\n\tisb" ::"r"(v))
#define TVAL_P_SET(v) __asm__ volatile("mcr p15, 0, %0, c14, c2, 0\n\tisb" ::"r"(v))

static void cval_v(u64 v) { __asm__ volatile("mcrr p15, 3, %0, %1, c14\n\tisb" ::"r"((u32)v), "r"((u32)(v >> 32))); }
static void cval_p(u64 v) { __asm__ volatile("mcrr p15, 2, %0, %1, c14\n\tisb" ::"r"((u32)v), "r"((u32)(v >> 32))); }
static u64 cval_v_get(void) {
  u32 lo, hi;
  __asm__ volatile("mrrc p15, 3, %0, %1, c14" : "=r"(lo), "=r"(hi));
  return ((u64)hi << 32) | lo;
}

int main(void) {
  put_str("timer\n");
  u32 v;
  __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(v));
  show("CNTFRQ", v);
  u64 a = cntvct();
  for (volatile int i = 0; i < 2000; i++) {
  }
  u64 b = cntvct();
  u64 p = cntpct();
  show("virtual count advances", b > a);
  show("physical >= virtual", p >= b);

  CTL_V_GET(v);
  show("CNTV_CTL reset", v);
  CTL_V_SET(1u);
  cval_v(cntvct() - 1);
  CTL_V_GET(v);
  show("past, enabled", v);
  CTL_V_SET(3u);
  CTL_V_GET(v);
  show("past, masked", v);
  cval_v(cntvct() + (1ull << 40));
  CTL_V_GET(v);
  show("future", v);
  show("cval kept", (u32)((cval_v_get() - cntvct()) >> 32) != 0);
  TVAL_V_SET(1000000u);
  s32 tv;
  TVAL_V_GET(tv);
  show("tval in range", tv > 0 && tv <= 1000000);
  TVAL_V_SET((u32)-5);
  TVAL_V_GET(tv);
  show("tval negative", tv < 0);
  CTL_V_GET(v);
  show("after negative tval", v);
  CTL_V_SET(0u);
  CTL_V_GET(v);
  show("disabled", v);

  CTL_P_GET(v);
  show("CNTP_CTL reset", v);
  cval_p(cntpct() - 100);
  CTL_P_SET(1u);
  CTL_P_GET(v);
  show("phys past", v);
  TVAL_P_SET(1000000u);
  CTL_P_GET(v);
  show("phys future", v);
  CTL_P_SET(0u);

  __asm__ volatile("mcr p15, 0, %0, c14, c1, 0" ::"r"(0xffffffffu));
  __asm__ volatile("mrc p15, 0, %0, c14, c1, 0" : "=r"(v));
  show("CNTKCTL", v);
  return 0;
}
