/* SMP: the boot CPU starts every other CPU with PSCI CPU_ON, all of them increment one counter under
   a LDREX/STREX spinlock, each secondary signals the boot CPU with SGI 3 through the GIC and turns
   itself off, and the boot CPU waits for the SGIs and for AFFINITY_INFO to report every CPU off.
   The output does not depend on how the CPUs interleave. Recorded with -smp 2 and -smp 4. */
#include "runtime.h"

#define GICD ((volatile u32 *)0x08000000)
#define GICC ((volatile u32 *)0x08010000)
#define ROUNDS 300
#define PSCI_CPU_OFF 0x84000002
#define PSCI_CPU_ON 0x84000003
#define PSCI_AFFINITY_INFO 0x84000004

unsigned char smp_stacks[8][4096] __attribute__((aligned(8)));
static volatile u32 lock;
static volatile u32 counter;
static volatile u32 finished[8];

void secondary_entry(void);
void secondary_main(u32 cpu);

/* Secondaries enter in ARM state with r0 = their index: a stack each, then C. */
__asm__(".pushsection .text.secondary, \"ax\"\n"
        ".arm\n"
        ".global secondary_entry\n"
        "secondary_entry:\n"
        "  ldr r1, =smp_stacks\n"
        "  add r2, r0, #1\n"
        "  add sp, r1, r2, lsl #12\n"
        "  ldr r3, =secondary_main\n"
        "  bx r3\n"
        ".ltorg\n"
        ".popsection\n");

static void spin_lock(volatile u32 *l) {
  u32 seen, failed;
  __asm__ volatile("1: ldrex %0, [%2]\n"
                   "   cmp %0, #0\n"
                   "   bne 1b\n"
                   "   strex %1, %3, [%2]\n"
                   "   cmp %1, #0\n"
                   "   bne 1b\n"
                   "   dmb\n"
                   : "=&r"(seen), "=&r"(failed)
                   : "r"(l), "r"(1)
                   : "cc", "memory");
}

static void spin_unlock(volatile u32 *l) {
  __asm__ volatile("dmb" ::: "memory");
  *l = 0;
}

static void count_rounds(void) {
  for (int i = 0; i < ROUNDS; i++) {
    spin_lock(&lock);
    u32 v = counter; /* a plain read-modify-write: only the lock keeps it whole */
    counter = v + 1;
    spin_unlock(&lock);
  }
}

void secondary_main(u32 cpu) {
  count_rounds();
  finished[cpu] = 0x100 + cpu;
  __asm__ volatile("dsb" ::: "memory");
  GICD[0xf00 / 4] = (1u << 16) | 3; /* SGI 3 to CPU 0 */
  psci(PSCI_CPU_OFF, 0, 0, 0);
  for (;;) __asm__ volatile("wfi");
}

int main(void) {
  GICD[0] = 1;              /* distributor on */
  GICD[0x100 / 4] = 0xffff; /* SGIs enabled */
  GICC[0] = 1;              /* CPU interface on */
  GICC[1] = 0xf0;           /* priority mask */
  u32 n = 1;
  for (u32 cpu = 1; cpu < 8; cpu++) {
    if (psci(PSCI_CPU_ON, cpu, (u32)secondary_entry, cpu) != 0) break;
    n++;
  }
  put_str("smp\n");
  show("cpus", n);
  count_rounds();
  u32 sources = 0, sgis = 0;
  while (sgis < n - 1) {
    u32 iar = GICC[3];
    u32 id = iar & 0x3ff;
    if (id == 1023) {
      __asm__ volatile("wfi");
      continue;
    }
    GICC[4] = iar;
    if (id == 3) {
      sources |= 1u << ((iar >> 10) & 7);
      sgis++;
    }
  }
  show("sgi sources", sources);
  for (u32 cpu = 1; cpu < n; cpu++)
    while (psci(PSCI_AFFINITY_INFO, cpu, 0, 0) != 1) {
    }
  show("counter", counter);
  show("expected", n * ROUNDS);
  for (u32 cpu = 1; cpu < n; cpu++) show("finished", finished[cpu]);
  show("affinity cpu1", (u32)psci(PSCI_AFFINITY_INFO, 1, 0, 0));
  show("affinity cpu0", (u32)psci(PSCI_AFFINITY_INFO, 0, 0, 0));
  return 0;
}
