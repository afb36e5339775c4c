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
