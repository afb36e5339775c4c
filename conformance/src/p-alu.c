/* Data processing: every arithmetic and logical operation over edge-case operands, with carry in
   set and clear, printing a checksum of results and N Z C V per operation. */
#include "runtime.h"

static const u32 vals[] = {0,          1,          2,          0x7fffffff, 0x80000000, 0x80000001,
                           0xfffffffe, 0xffffffff, 0x12345678, 0x0000ffff, 0xffff0000, 0x55aa55aa};
#define NV (sizeof vals / sizeof vals[0])

#define OP3(fn, insn)                                                                        \
  static u32 fn(u32 a, u32 b, u32 fin, u32 *fout) {                                          \
    u32 r, f;                                                                                \
    __asm__ volatile("msr apsr_nzcvq, %3\n\t" insn " %0, %1, %2\n\tmrs %1, apsr"             \
                     : "=&r"(r), "=&r"(f)                                                    \
                     : "r"(b), "r"(fin), "1"(a)                                              \
                     : "cc");                                                                \
    *fout = f & 0xf0000000;                                                                  \
    return r;                                                                                \
  }

#define CMP2(fn, insn)                                                                       \
  static u32 fn(u32 a, u32 b, u32 fin, u32 *fout) {                                          \
    u32 f;                                                                                   \
    __asm__ volatile("msr apsr_nzcvq, %2\n\t" insn " %0, %1\n\tmrs %0, apsr"                 \
                     : "=&r"(f)                                                              \
                     : "r"(b), "r"(fin), "0"(a)                                              \
                     : "cc");                                                                \
    *fout = f & 0xf0000000;                                                                  \
    return 0;                                                                                \
  }

OP3(op_adds, "adds")
OP3(op_adcs, "adcs")
OP3(op_subs, "subs")
OP3(op_sbcs, "sbcs")
OP3(op_rsbs, "rsbs")
OP3(op_ands, "ands")
OP3(op_orrs, "orrs")
OP3(op_eors, "eors")
OP3(op_bics, "bics")
OP3(op_orns_or_rscs,
#ifdef __thumb__
    "orns"
#else
    "rscs"
#endif
)
OP3(op_add, "add")
OP3(op_sbc, "sbc")
OP3(op_adds_lsl3, "adds %0, %1, %2, lsl #3 @")
OP3(op_subs_asr7, "subs %0, %1, %2, asr #7 @")
OP3(op_eors_ror13, "eors %0, %1, %2, ror #13 @")
OP3(op_ands_lsr31, "ands %0, %1, %2, lsr #31 @")
OP3(op_orrs_rrx, "orrs %0, %1, %2, rrx @")
CMP2(op_cmp, "cmp")
CMP2(op_cmn, "cmn")
CMP2(op_tst, "tst")
CMP2(op_teq, "teq")

typedef u32 (*op_fn)(u32, u32, u32, u32 *);
static const struct {
  const char *name;
  op_fn fn;
} ops[] = {
    {"adds", op_adds},           {"adcs", op_adcs},           {"subs", op_subs},
    {"sbcs", op_sbcs},           {"rsbs", op_rsbs},           {"ands", op_ands},
    {"orrs", op_orrs},           {"eors", op_eors},           {"bics", op_bics},
    {"orns/rscs", op_orns_or_rscs}, {"add", op_add},          {"sbc", op_sbc},
    {"adds lsl3", op_adds_lsl3}, {"subs asr7", op_subs_asr7}, {"eors ror13", op_eors_ror13},
    {"ands lsr31", op_ands_lsr31}, {"orrs rrx", op_orrs_rrx}, {"cmp", op_cmp},
    {"cmn", op_cmn},             {"tst", op_tst},             {"teq", op_teq},
};

int main(void) {
  put_str("alu\n");
  for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    u32 h = 0, fl = 0;
    for (unsigned i = 0; i < NV; i++)
      for (unsigned j = 0; j < NV; j++)
        for (u32 fin = 0; fin <= 0xf0000000u && fin != 0x10000000u; fin = fin ? 0x10000000u : 0x20000000u) {
          u32 f;
          u32 r = ops[k].fn(vals[i], vals[j], fin ^ 0xd0000000u, &f);
          h = mix(h, r);
          fl = mix(fl, f);
        }
    put_str(ops[k].name);
    put_str(" ");
    put_hex(h);
    put_str(" ");
    put_hex(fl);
    put_str("\n");
  }
  /* a few raw results, to make a failure easy to read */
  u32 f;
  show("0x7fffffff+1", op_adds(0x7fffffff, 1, 0, &f));
  show("flags", f);
  show("0-1 sbcs c=0", op_sbcs(0, 1, 0, &f));
  show("flags", f);
  show("rrx c=1", op_orrs_rrx(0, 3, 0x20000000, &f));
  show("flags", f);
  return 0;
}
