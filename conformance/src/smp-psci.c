/* Secondary CPUs through PSCI: CPU_ON with a context id, AFFINITY_INFO until ON, the calls that must
   fail (an unknown MPIDR, a CPU already on), CPU_OFF seen as OFF, and a second CPU_ON of a CPU that
   turned itself off. Only the boot CPU prints; the secondaries report through shared memory. */
#include "smp.h"

/* What each secondary saw, written before it raises `arrived`. */
static volatile struct {
  u32 arrived, context, mpidr, cpsr, self_affinity, boot_affinity, may_stop;
} seen[NCPUS];

void secondary_main(u32 cpu, u32 context) {
  volatile typeof(seen[0]) *s = &seen[cpu];
  u32 mpidr;
  __asm__ volatile("mrc p15, 0, %0, c0, c0, 5" : "=r"(mpidr));
  s->context = context;
  s->mpidr = mpidr;
  s->cpsr = smp_entry_cpsr[cpu] & 0x3ff; /* the flags are unknown at reset */
  s->self_affinity = psci(PSCI_AFFINITY_INFO, cpu, 0, 0);
  s->boot_affinity = psci(PSCI_AFFINITY_INFO, 0, 0, 0);
  signal(&s->arrived, s->arrived + 1);
  wait_for(&s->may_stop, s->arrived); /* the boot CPU allows each visit to end in turn */
}

static void report(u32 cpu) {
  volatile typeof(seen[0]) *s = &seen[cpu];
  put_str("cpu");
  put_dec((s32)cpu);
  put_str(": context=");
  put_hex(s->context);
  put_str(" mpidr=");
  put_hex(s->mpidr);
  put_str(" entry cpsr=");
  put_hex(s->cpsr);
  put_str(" affinity self=");
  put_dec((s32)s->self_affinity);
  put_str(" boot=");
  put_dec((s32)s->boot_affinity);
  uart_putc('\n');
}

int main(void) {
  put_str("psci smp ");
  put_dec(NCPUS);
  uart_putc('\n');
  show("AFFINITY_INFO cpu0", psci(PSCI_AFFINITY_INFO, 0, 0, 0));
  for (u32 cpu = 1; cpu < NCPUS; cpu++) {
    put_str("AFFINITY_INFO cpu");
    put_dec((s32)cpu);
    put_str(" before CPU_ON=");
    put_dec((s32)psci(PSCI_AFFINITY_INFO, cpu, 0, 0));
    uart_putc('\n');
  }
  put_str("AFFINITY_INFO absent cpu=");
  put_dec((s32)psci(PSCI_AFFINITY_INFO, NCPUS, 0, 0));
  uart_putc('\n');
  put_str("CPU_ON absent cpu=");
  put_dec(cpu_on(NCPUS, 0));
  uart_putc('\n');

  /* every secondary on, each with its own context id */
  for (u32 cpu = 1; cpu < NCPUS; cpu++) {
    put_str("CPU_ON cpu");
    put_dec((s32)cpu);
    uart_putc('=');
    put_dec(cpu_on(cpu, 0xc0de0000u + cpu));
    uart_putc('\n');
  }
  for (u32 cpu = 1; cpu < NCPUS; cpu++) {
    wait_affinity(cpu, AFFINITY_ON);
    wait_for(&seen[cpu].arrived, 1);
    report(cpu);
    put_str("CPU_ON again=");
    put_dec(cpu_on(cpu, 0));
    uart_putc('\n');
  }

  /* they turn themselves off one at a time, highest first */
  for (u32 cpu = NCPUS - 1; cpu >= 1; cpu--) {
    signal(&seen[cpu].may_stop, 1);
    wait_affinity(cpu, AFFINITY_OFF);
    put_str("cpu");
    put_dec((s32)cpu);
    put_str(" off: AFFINITY_INFO=");
    put_dec((s32)psci(PSCI_AFFINITY_INFO, cpu, 0, 0));
    uart_putc('\n');
  }

  /* a CPU that turned itself off starts again, at the same entry with a new context */
  put_str("CPU_ON cpu1 again after off=");
  put_dec(cpu_on(1, 0x5eed));
  uart_putc('\n');
  wait_for(&seen[1].arrived, 2);
  report(1);
  signal(&seen[1].may_stop, 2);
  wait_secondaries_off();
  put_str("all secondaries off\n");
  return 0;
}
