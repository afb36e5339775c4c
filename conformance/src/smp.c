/* PSCI, GIC and lock helpers of the smp-* programs; secondary CPUs enter through smp-start.S. */
#include "smp.h"

/* The secondary CPUs' stacks: 16 KiB each, indexed by CPU (smp-start.S carves the mode stacks). */
unsigned char smp_stacks[NCPUS][0x4000] __attribute__((aligned(8)));

volatile u32 smp_entry_cpsr[NCPUS];

extern char secondary_entry[];

u32 cpu_index(void) {
  u32 mpidr;
  __asm__ volatile("mrc p15, 0, %0, c0, c0, 5" : "=r"(mpidr));
  return mpidr & 0xff;
}

s32 cpu_on(u32 cpu, u32 context) { return (s32)psci(PSCI_CPU_ON, cpu, (u32)secondary_entry, context); }

void wait_affinity(u32 cpu, u32 state) {
  while (psci(PSCI_AFFINITY_INFO, cpu, 0, 0) != state) continue;
}

void wait_secondaries_off(void) {
  for (u32 cpu = 1; cpu < NCPUS; cpu++) wait_affinity(cpu, AFFINITY_OFF);
}

void gic_dist_init(void) { GICD_CTLR = 1; }

void gic_cpu_init(void) {
  GICD_ISENABLER(0) = 0x0000ffff;
  for (int n = 0; n < 4; n++) GICD_IPRIORITYR(n) = 0x80808080;
  GICC_PMR = 0xf0;
  GICC_CTLR = 1;
}

void spin_lock(volatile u32 *lock) {
  u32 held, failed;
  __asm__ volatile("1: ldrex %0, [%2]\n"
                   "   cmp %0, #0\n"
                   "   beq 2f\n"
                   "   wfe\n"
                   "   b 1b\n"
                   "2: strex %1, %3, [%2]\n"
                   "   cmp %1, #0\n"
                   "   bne 1b\n"
                   "   dmb ish"
                   : "=&r"(held), "=&r"(failed)
                   : "r"(lock), "r"(1)
                   : "memory", "cc");
}

void spin_unlock(volatile u32 *lock) {
  dmb();
  *lock = 0;
  dsb_sev();
}
