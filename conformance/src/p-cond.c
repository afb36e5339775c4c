/* Every condition code against every NZCV combination: conditional moves in ARM, IT blocks in
   Thumb, conditional branches in both. */
#include "runtime.h"

#ifdef __thumb__
#define CMOV(cc) "it " #cc "\n\tmov" #cc " %0, #1"
#else
#define CMOV(cc) "mov" #cc " %0, #1"
#endif

#define TEST(cc)                                                                        \
  static u32 t_##cc(u32 flags) {                                                        \
    u32 r = 0;                                                                          \
    __asm__ volatile("msr apsr_nzcvq, %1\n\t" CMOV(cc) : "+l"(r) : "r"(flags) : "cc"); \
    return r;                                                                           \
  }
TEST(eq) TEST(ne) TEST(cs) TEST(cc) TEST(mi) TEST(pl) TEST(vs) TEST(vc)
TEST(hi) TEST(ls) TEST(ge) TEST(lt) TEST(gt) TEST(le)

static u32 t_al(u32 flags) {
  (void)flags;
  return 1;
}

typedef u32 (*fn)(u32);
static const fn tests[] = {t_eq, t_ne, t_cs, t_cc, t_mi, t_pl, t_vs, t_vc, t_hi, t_ls, t_ge, t_lt, t_gt, t_le, t_al};

__attribute__((noinline)) static u32 branchy(s32 a, s32 b) {
  u32 r = 0;
  if (a < b) r |= 1;
  if ((u32)a < (u32)b) r |= 2;
  if (a == b) r |= 4;
  if (a > b) r |= 8;
  if ((u32)a >= (u32)b) r |= 16;
  if (a - b < 0) r |= 32;
  return r;
}

int main(void) {
  put_str("cond\n");
  for (u32 c = 0; c < 15; c++) {
    u32 row = 0;
    for (u32 nzcv = 0; nzcv < 16; nzcv++) row |= tests[c](nzcv << 28) << nzcv;
    show("cond", row);
  }
  static const s32 vals[] = {0, 1, -1, 0x7fffffff, -0x7fffffff - 1, 100, -100};
  u32 h = 0;
  for (u32 i = 0; i < 7; i++)
    for (u32 j = 0; j < 7; j++) h = mix(h, branchy(vals[i], vals[j]));
  show("branches", h);
  return 0;
}
