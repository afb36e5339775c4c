/* Multiplies and divides: 32x32, long, accumulate, halfword, dual, most-significant word, SDIV/UDIV,
   with the Q flag where the instruction sets it. Checksums over pseudo-random and edge operands. */
#include "runtime.h"

static const u32 edge[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x8000, 0x7fff8000, 0x00010001};
#define NE (sizeof edge / sizeof edge[0])

static u32 q_get_clear(void) {
  u32 f, zero = 0;
  __asm__ volatile("mrs %0, apsr\n\tmsr apsr_nzcvq, %1" : "=&r"(f) : "r"(zero) : "cc");
  return (f >> 27) & 1;
}

#define R3(fn, insn)                                                                   \
  static u32 fn(u32 a, u32 b, u32 c) {                                                 \
    u32 r;                                                                             \
    __asm__ volatile(insn " %0, %1, %2, %3" : "=&r"(r) : "r"(a), "r"(b), "r"(c));      \
    return r;                                                                          \
  }
#define R2(fn, insn)                                                                   \
  static u32 fn(u32 a, u32 b, u32 c) {                                                 \
    u32 r;                                                                             \
    (void)c;                                                                           \
    __asm__ volatile(insn " %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b));                  \
    return r;                                                                          \
  }
#define L4(fn, insn)                                                                   \
  static u32 fn(u32 a, u32 b, u32 c) {                                                 \
    u32 lo = c, hi = c ^ 0x5a5a5a5a;                                                   \
    __asm__ volatile(insn " %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(a), "r"(b));    \
    return lo ^ (hi * 3);                                                              \
  }

R2(i_mul, "mul")
R3(i_mla, "mla")
R3(i_mls, "mls")
R2(i_sdiv, "sdiv")
R2(i_udiv, "udiv")
R2(i_smulbb, "smulbb")
R2(i_smulbt, "smulbt")
R2(i_smultb, "smultb")
R2(i_smultt, "smultt")
R3(i_smlabb, "smlabb")
R3(i_smlatt, "smlatt")
R2(i_smulwb, "smulwb")
R2(i_smulwt, "smulwt")
R3(i_smlawb, "smlawb")
R3(i_smlawt, "smlawt")
R2(i_smuad, "smuad")
R2(i_smuadx, "smuadx")
R2(i_smusd, "smusd")
R2(i_smusdx, "smusdx")
R3(i_smlad, "smlad")
R3(i_smladx, "smladx")
R3(i_smlsd, "smlsd")
R3(i_smlsdx, "smlsdx")
R2(i_smmul, "smmul")
R2(i_smmulr, "smmulr")
R3(i_smmla, "smmla")
R3(i_smmlar, "smmlar")
R3(i_smmls, "smmls")
R3(i_smmlsr, "smmlsr")
R2(i_usad8, "usad8")
R3(i_usada8, "usada8")
L4(i_umull, "umull")
L4(i_umlal, "umlal")
L4(i_smull, "smull")
L4(i_smlal, "smlal")
L4(i_umaal, "umaal")
L4(i_smlalbb, "smlalbb")
L4(i_smlaltb, "smlaltb")
L4(i_smlald, "smlald")
L4(i_smlaldx, "smlaldx")
L4(i_smlsld, "smlsld")
L4(i_smlsldx, "smlsldx")

typedef u32 (*fn3)(u32, u32, u32);
static const struct {
  const char *name;
  fn3 fn;
} ops[] = {
    {"mul", i_mul},       {"mla", i_mla},         {"mls", i_mls},         {"sdiv", i_sdiv},
    {"udiv", i_udiv},     {"smulbb", i_smulbb},   {"smulbt", i_smulbt},   {"smultb", i_smultb},
    {"smultt", i_smultt}, {"smlabb", i_smlabb},   {"smlatt", i_smlatt},   {"smulwb", i_smulwb},
    {"smulwt", i_smulwt}, {"smlawb", i_smlawb},   {"smlawt", i_smlawt},   {"smuad", i_smuad},
    {"smuadx", i_smuadx}, {"smusd", i_smusd},     {"smusdx", i_smusdx},   {"smlad", i_smlad},
    {"smladx", i_smladx}, {"smlsd", i_smlsd},     {"smlsdx", i_smlsdx},   {"smmul", i_smmul},
    {"smmulr", i_smmulr}, {"smmla", i_smmla},     {"smmlar", i_smmlar},   {"smmls", i_smmls},
    {"smmlsr", i_smmlsr}, {"usad8", i_usad8},     {"usada8", i_usada8},   {"umull", i_umull},
    {"umlal", i_umlal},   {"smull", i_smull},     {"smlal", i_smlal},     {"umaal", i_umaal},
    {"smlalbb", i_smlalbb}, {"smlaltb", i_smlaltb}, {"smlald", i_smlald}, {"smlaldx", i_smlaldx},
    {"smlsld", i_smlsld}, {"smlsldx", i_smlsldx},
};

int main(void) {
  put_str("muldiv\n");
  for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    u32 h = 0, q = 0, seed = 0x1234567 + k;
    q_get_clear();
    for (unsigned i = 0; i < NE; i++)
      for (unsigned j = 0; j < NE; j++) {
        h = mix(h, ops[k].fn(edge[i], edge[j], edge[(i + j) % NE]));
        q = (q << 1) ^ q_get_clear() ^ (q >> 31);
      }
    for (int n = 0; n < 64; n++) {
      u32 a = xorshift(&seed), b = xorshift(&seed), c = xorshift(&seed);
      h = mix(h, ops[k].fn(a, b, c));
      q = (q << 1) ^ q_get_clear() ^ (q >> 31);
    }
    put_str(ops[k].name);
    put_str(" ");
    put_hex(h);
    put_str(" q ");
    put_hex(q);
    put_str("\n");
  }
  /* what the compiler makes of 64-bit multiplication and C division */
  volatile s64 x = -1234567890123LL, y = 987654321;
  show64("s64 mul", (u64)(x * y));
  volatile s32 sa = -7, sb = 2;
  show("s32 div", (u32)(sa / sb));
  show("s32 mod", (u32)(sa % sb));
  show("div by 0", i_udiv(5, 0, 0));
  show("sdiv ovf", i_sdiv(0x80000000, 0xffffffff, 0));
  return 0;
}
