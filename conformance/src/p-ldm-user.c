/* The user-bank and exception-return forms of LDM/STM (A32 only, so these run in ARM state in
   both builds): STM^ and LDM^ reach the user registers from SVC, LDM^ with the PC returns. */
#include "runtime.h"

__attribute__((target("arm"), noinline)) static void user_bank(u32 *out) {
  __asm__ volatile("cps #0x1f\n\tmov r0, sp\n\tmov r1, lr\n\tmov sp, %1\n\tmov lr, %2\n\tcps #0x13\n\t"
                   "stmia %0, {r13, r14}^\n\tnop\n\tadd r2, %0, #8\n\tstmia r2, {r13, r14}\n\t"
                   "cps #0x1f\n\tmov sp, r0\n\tmov lr, r1\n\tcps #0x13"
                   :
                   : "r"(out), "r"(0x5a5a0001), "r"(0x5a5a0002)
                   : "r0", "r1", "r2", "memory");
}

__attribute__((target("arm"), noinline)) static u32 load_user(const u32 *in) {
  u32 got;
  __asm__ volatile("cps #0x1f\n\tmov r0, sp\n\tcps #0x13\n\tldmia %1, {r13}^\n\tnop\n\t"
                   "cps #0x1f\n\tmov %0, sp\n\tmov sp, r0\n\tcps #0x13"
                   : "=&r"(got)
                   : "r"(in)
                   : "r0", "memory");
  return got;
}

__attribute__((target("arm"), noinline)) static u32 ldm_return(void) {
  u32 words[2], cpsr;
  __asm__ volatile("adr r0, 1f\n\tstr r0, [%1]\n\tmrs r0, cpsr\n\tbic r0, r0, #0xf0000000\n\torr r0, r0, #0x90000000\n\t"
                   "msr spsr_fsxc, r0\n\tldmia %1, {pc}^\n1:\n\tmrs %0, cpsr"
                   : "=r"(cpsr)
                   : "r"(words)
                   : "r0", "memory", "cc");
  return cpsr;
}

int main(void) {
  put_str("ldm user\n");
  u32 out[4];
  user_bank(out);
  show("user sp via stm^", out[0]);
  show("user lr via stm^", out[1]);
  show("svc sp differs", out[2] != out[0]);
  static const u32 in[1] = {0x12340000};
  show("user sp via ldm^", load_user(in));
  show("cpsr after ldm^ pc", ldm_return() & 0xf00001ff);
  return 0;
}
