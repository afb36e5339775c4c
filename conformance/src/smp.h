/* What the smp-* programs (built as s2-*, s4-*) share: PSCI calls, starting and stopping secondary CPUs, the
   GICv2 of the virt board, and a spinlock. NCPUS comes from the program's name (the Makefile). */
#ifndef SMP_H
#define SMP_H
#include "runtime.h"

#ifndef NCPUS
#error "NCPUS must be defined (2 for s2-*, 4 for s4-*)"
#endif

/* PSCI 0.2 function ids and the answers the programs check. */
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_SUCCESS 0
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON (-4)
#define AFFINITY_ON 0
#define AFFINITY_OFF 1

/* This CPU's index: MPIDR Aff0 (the virt board numbers CPUs 0..7 in cluster 0). */
u32 cpu_index(void);
/* CPU_ON at the common secondary entry; the CPU runs secondary_main(cpu, context) on its own stacks. */
s32 cpu_on(u32 cpu, u32 context);
/* Polls AFFINITY_INFO (level 0) until it reports `state`. */
void wait_affinity(u32 cpu, u32 state);
/* Waits until every secondary CPU has turned itself off (each calls CPU_OFF when its main returns). */
void wait_secondaries_off(void);
/* Each secondary CPU's CPSR when CPU_ON started it. */
extern volatile u32 smp_entry_cpsr[NCPUS];
/* What each program runs on a secondary CPU; `context` is CPU_ON's context id. */
void secondary_main(u32 cpu, u32 context);

static inline void dmb(void) { __asm__ volatile("dmb ish" ::: "memory"); }
static inline void dsb_sev(void) { __asm__ volatile("dsb ish\n\tsev" ::: "memory"); }
static inline void wfe(void) { __asm__ volatile("wfe" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }

/* Waits (with WFE) until *flag equals value; the writer does dsb_sev() after its store. */
static inline void wait_for(volatile u32 *flag, u32 value) {
  while (*flag != value) wfe();
  dmb();
}

/* Sets *flag after the stores before it are visible, and wakes CPUs waiting in WFE. */
static inline void signal(volatile u32 *flag, u32 value) {
  dmb();
  *flag = value;
  dsb_sev();
}

/* GICv2 distributor and CPU interface of the virt board. */
#define GICD 0x08000000u
#define GICC 0x08010000u
#define REG(a) (*(volatile u32 *)(a))
#define GICD_CTLR REG(GICD + 0x000)
#define GICD_TYPER REG(GICD + 0x004)
#define GICD_ISENABLER(n) REG(GICD + 0x100 + 4 * (n))
#define GICD_ISPENDR(n) REG(GICD + 0x200 + 4 * (n))
#define GICD_IPRIORITYR(n) REG(GICD + 0x400 + 4 * (n))
#define GICD_SGIR REG(GICD + 0xf00)
#define GICC_CTLR REG(GICC + 0x00)
#define GICC_PMR REG(GICC + 0x04)
#define GICC_IAR REG(GICC + 0x0c)
#define GICC_EOIR REG(GICC + 0x10)
#define SPURIOUS 1023

#define SGIR_LIST(targets, id) ((0u << 24) | ((u32)(targets) << 16) | (id))
#define SGIR_OTHERS(id) ((1u << 24) | (id))
#define SGIR_SELF(id) ((2u << 24) | (id))

/* The distributor on (boot CPU, once). */
void gic_dist_init(void);
/* This CPU's banked state: SGIs enabled at priority 0x80, its CPU interface on, mask 0xf0. */
void gic_cpu_init(void);

/* A test-and-set lock: LDREX/STREX to take it, WFE while it is held, SEV when it is released. */
void spin_lock(volatile u32 *lock);
void spin_unlock(volatile u32 *lock);

#endif
