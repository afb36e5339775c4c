/* Bit manipulation and media: CLZ, RBIT, REV*, bitfields, saturation and Q, extends with rotation,
   packing, SEL and the parallel add/subtract family with GE. */
#include "runtime.h"

static u32 flags_get_clear(void) {
  u32 f, zero = 0;
  __asm__ volatile("mrs %0, apsr\n\tmsr apsr_nzcvqg, %1" : "=&r"(f) : "r"(zero) : "cc");
  return f >> 16;
}

#define R1(fn, insn)                                                        \
  static u32 fn(u32 a, u32 b) {                                             \
    u32 r;                                                                  \
    (void)b;                                                                \
    __asm__ volatile(insn : "=&r"(r) : "r"(a));                             \
    return r;                                                               \
  }
#define R2(fn, insn)                                                        \
  static u32 fn(u32 a, u32 b) {                                             \
    u32 r;                                                                  \
    __asm__ volatile(insn : "=&r"(r) : "r"(a), "r"(b));                     \
    return r;                                                               \
  }
#define RD(fn, insn)                                                        \
  static u32 fn(u32 a, u32 b) {                                             \
    u32 r = b;                                                              \
    __asm__ volatile(insn : "+r"(r) : "r"(a));                              \
    return r;                                                               \
  }

R1(i_clz, "clz %0, %1")
R1(i_rbit, "rbit %0, %1")
R1(i_rev, "rev %0, %1")
R1(i_rev16, "rev16 %0, %1")
R1(i_revsh, "revsh %0, %1")
RD(i_bfi, "bfi %0, %1, #5, #11")
RD(i_bfi_top, "bfi %0, %1, #20, #12")
RD(i_bfc, "bfc %0, #3, #17\n\tadd %0, %0, %1, lsr #31")
R1(i_ubfx, "ubfx %0, %1, #7, #9")
R1(i_sbfx, "sbfx %0, %1, #13, #19")
R1(i_sbfx1, "sbfx %0, %1, #31, #1")
R1(i_ssat, "ssat %0, #8, %1")
R1(i_ssat_lsl, "ssat %0, #16, %1, lsl #4")
R1(i_ssat_asr, "ssat %0, #12, %1, asr #3")
R1(i_usat, "usat %0, #8, %1")
R1(i_usat_asr, "usat %0, #31, %1, asr #1")
R1(i_ssat16, "ssat16 %0, #9, %1")
R1(i_usat16, "usat16 %0, #7, %1")
R2(i_qadd, "qadd %0, %1, %2")
R2(i_qsub, "qsub %0, %1, %2")
R2(i_qdadd, "qdadd %0, %1, %2")
R2(i_qdsub, "qdsub %0, %1, %2")
R1(i_sxtb, "sxtb %0, %1")
R1(i_sxth_ror8, "sxth %0, %1, ror #8")
R1(i_uxtb_ror16, "uxtb %0, %1, ror #16")
R1(i_uxth_ror24, "uxth %0, %1, ror #24")
R1(i_sxtb16, "sxtb16 %0, %1, ror #8")
R1(i_uxtb16, "uxtb16 %0, %1")
R2(i_sxtab, "sxtab %0, %1, %2, ror #8")
R2(i_sxtah, "sxtah %0, %1, %2")
R2(i_uxtab, "uxtab %0, %1, %2, ror #24")
R2(i_uxtah, "uxtah %0, %1, %2, ror #16")
R2(i_sxtab16, "sxtab16 %0, %1, %2")
R2(i_uxtab16, "uxtab16 %0, %1, %2, ror #8")
R2(i_pkhbt, "pkhbt %0, %1, %2, lsl #12")
R2(i_pkhtb, "pkhtb %0, %1, %2, asr #7")
R2(i_pkhtb32, "pkhtb %0, %1, %2, asr #32")
R2(i_sadd16, "sadd16 %0, %1, %2")
R2(i_sasx, "sasx %0, %1, %2")
R2(i_ssax, "ssax %0, %1, %2")
R2(i_ssub16, "ssub16 %0, %1, %2")
R2(i_sadd8, "sadd8 %0, %1, %2")
R2(i_ssub8, "ssub8 %0, %1, %2")
R2(i_uadd16, "uadd16 %0, %1, %2")
R2(i_uasx, "uasx %0, %1, %2")
R2(i_usax, "usax %0, %1, %2")
R2(i_usub16, "usub16 %0, %1, %2")
R2(i_uadd8, "uadd8 %0, %1, %2")
R2(i_usub8, "usub8 %0, %1, %2")
R2(i_qadd16, "qadd16 %0, %1, %2")
R2(i_qsub8, "qsub8 %0, %1, %2")
R2(i_qasx, "qasx %0, %1, %2")
R2(i_uqadd8, "uqadd8 %0, %1, %2")
R2(i_uqsub16, "uqsub16 %0, %1, %2")
R2(i_uqsax, "uqsax %0, %1, %2")
R2(i_shadd16, "shadd16 %0, %1, %2")
R2(i_shsub8, "shsub8 %0, %1, %2")
R2(i_shasx, "shasx %0, %1, %2")
R2(i_uhadd8, "uhadd8 %0, %1, %2")
R2(i_uhsub16, "uhsub16 %0, %1, %2")
R2(i_uhsax, "uhsax %0, %1, %2")
R2(i_sel_after_usub8, "usub8 %0, %1, %2\n\tsel %0, %1, %2")
R2(i_sel_after_sadd16, "sadd16 %0, %1, %2\n\tsel %0, %2, %1")

typedef u32 (*fn2)(u32, u32);
#define E(x) {#x, i_##x}
static const struct {
  const char *name;
  fn2 fn;
} ops[] = {
    E(clz),     E(rbit),      E(rev),       E(rev16),      E(revsh),      E(bfi),
    E(bfi_top), E(bfc),       E(ubfx),      E(sbfx),       E(sbfx1),      E(ssat),
    E(ssat_lsl), E(ssat_asr), E(usat),      E(usat_asr),   E(ssat16),     E(usat16),
    E(qadd),    E(qsub),      E(qdadd),     E(qdsub),      E(sxtb),       E(sxth_ror8),
    E(uxtb_ror16), E(uxth_ror24), E(sxtb16), E(uxtb16),    E(sxtab),      E(sxtah),
    E(uxtab),   E(uxtah),     E(sxtab16),   E(uxtab16),    E(pkhbt),      E(pkhtb),
    E(pkhtb32), E(sadd16),    E(sasx),      E(ssax),       E(ssub16),     E(sadd8),
    E(ssub8),   E(uadd16),    E(uasx),      E(usax),       E(usub16),     E(uadd8),
    E(usub8),   E(qadd16),    E(qsub8),     E(qasx),       E(uqadd8),     E(uqsub16),
    E(uqsax),   E(shadd16),   E(shsub8),    E(shasx),      E(uhadd8),     E(uhsub16),
    E(uhsax),   E(sel_after_usub8), E(sel_after_sadd16),
};

static const u32 edge[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                           0xffffffff, 0x80808080, 0x7f7f7f7f, 0x12345678, 0xfedcba98, 0x00ff00ff};
#define NE (sizeof edge / sizeof edge[0])

int main(void) {
  put_str("bits\n");
  for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    u32 h = 0, g = 0, seed = 0xbeef + k;
    flags_get_clear();
    for (unsigned i = 0; i < NE; i++)
      for (unsigned j = 0; j < NE; j++) {
        h = mix(h, ops[k].fn(edge[i], edge[j]));
        g = mix(g, flags_get_clear());
      }
    for (int n = 0; n < 48; n++) {
      u32 a = xorshift(&seed), b = xorshift(&seed);
      h = mix(h, ops[k].fn(a, b));
      g = mix(g, flags_get_clear());
    }
    put_str(ops[k].name);
    put_str(" ");
    put_hex(h);
    put_str(" ");
    put_hex(g);
    put_str("\n");
  }
  return 0;
}
