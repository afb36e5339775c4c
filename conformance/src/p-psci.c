/* PSCI through HVC as the virt board offers it: version, features, migrate info and affinity
   info answers; the program ends with SYSTEM_OFF like every other. Only what every PSCI 1.x
   implementation agrees on is shown: the minor version and the way an unknown function is refused
   (NOT_SUPPORTED in r0, or an undefined-instruction exception as some KVM hosts give) differ. */
#include "runtime.h"

/* An HVC the host refuses as undefined: answer NOT_SUPPORTED and return past the 4-byte instruction. */
void on_undefined(struct frame *f) {
  f->r[0] = 0xffffffff;
  if (f->spsr & 0x20) f->lr += 2; /* Thumb: LR points 2 bytes past the start of the HVC */
}

static u32 psci(u32 fn, u32 a, u32 b, u32 c) {
  register u32 r0 __asm__("r0") = fn;
  register u32 r1 __asm__("r1") = a;
  register u32 r2 __asm__("r2") = b;
  register u32 r3 __asm__("r3") = c;
  __asm__ volatile(".arch_extension virt\n\thvc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)::"memory");
  return r0;
}

int main(void) {
  put_str("psci\n");
  show("PSCI_VERSION major", psci(0x84000000, 0, 0, 0) >> 16);
  show("MIGRATE_INFO_TYPE", psci(0x84000006, 0, 0, 0));
  show("AFFINITY_INFO cpu0", psci(0x84000004, 0, 0, 0));
  show("FEATURES(VERSION)", psci(0x8400000a, 0x84000000, 0, 0));
  show("FEATURES(SYSTEM_OFF)", psci(0x8400000a, 0x84000008, 0, 0));
  show("FEATURES(unknown)", psci(0x8400000a, 0x8400001f, 0, 0));
  show("unknown function refused", psci(0x8400001f, 0, 0, 0) == 0xffffffff);
  return 0;
}
