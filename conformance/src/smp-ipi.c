/* Inter-processor interrupts through the GICv2: SGIs sent with GICD_SGIR to one CPU, a target list,
   all but the sender and the sender itself, from the boot CPU and from secondaries. Every receiver
   acknowledges through GICC_IAR (the sender's number in bits 12:10), logs the value and EOIs; the
   boot CPU prints the logs, waiting for each SGI before sending the next, so nothing depends on
   which CPU runs when. */
#include "smp.h"

/* Per CPU: the IAR values it acknowledged, in order. */
static volatile struct {
  u32 count;
  u32 iar[32];
} got[NCPUS];
/* Work for a secondary: a GICD_SGIR value to write (0: none), and the end of the program. */
static volatile u32 send_request[NCPUS];
static volatile u32 ready[NCPUS];
static volatile u32 finished;

void on_irq(struct frame *f) {
  f->lr -= 4; /* IRQ's LR is the interrupted instruction + 4 */
  u32 cpu = cpu_index();
  u32 iar = GICC_IAR;
  if ((iar & 0x3ff) == SPURIOUS) return;
  got[cpu].iar[got[cpu].count % 32] = iar;
  dmb();
  got[cpu].count++;
  GICC_EOIR = iar;
  dsb_sev();
}

void secondary_main(u32 cpu, u32 context) {
  (void)context;
  gic_cpu_init();
  irq_enable();
  signal(&ready[cpu], 1);
  while (!finished) {
    u32 sgir = send_request[cpu];
    if (sgir) {
      send_request[cpu] = 0;
      GICD_SGIR = sgir;
    }
    wfe();
  }
  irq_disable();
}

/* How many SGIs each CPU has taken so far: what the next wait compares against. */
static u32 seen_count[NCPUS];

/* Waits for every CPU in `receivers` to take one more SGI and prints what each acknowledged. */
static void expect(u32 receivers) {
  for (u32 cpu = 0; cpu < NCPUS; cpu++) {
    if (!(receivers & (1u << cpu))) continue;
    while (got[cpu].count == seen_count[cpu]) wfe();
    dmb();
    u32 iar = got[cpu].iar[seen_count[cpu] % 32];
    seen_count[cpu]++;
    put_str("  cpu");
    put_dec((s32)cpu);
    put_str(" iar=");
    put_hex(iar);
    put_str(" (sgi ");
    put_dec((s32)(iar & 0x3ff));
    put_str(" from cpu");
    put_dec((s32)((iar >> 10) & 7));
    put_str(")\n");
  }
}

/* Sends `sgir` from the boot CPU and prints what the receivers took. */
static void send(const char *what, u32 sgir, u32 receivers) {
  put_str(what);
  uart_putc('\n');
  GICD_SGIR = sgir;
  expect(receivers);
}

/* Has secondary `from` send `sgir`, and prints what the receivers took. */
static void send_from(u32 from, const char *what, u32 sgir, u32 receivers) {
  put_str(what);
  uart_putc('\n');
  signal(&send_request[from], sgir);
  expect(receivers);
}

int main(void) {
  put_str("ipi smp ");
  put_dec(NCPUS);
  uart_putc('\n');
  show("GICD_TYPER cpus", ((GICD_TYPER >> 5) & 7) + 1);
  gic_dist_init();
  gic_cpu_init();
  show("idle GICC_IAR", GICC_IAR);

  for (u32 cpu = 1; cpu < NCPUS; cpu++) {
    cpu_on(cpu, 0);
    wait_for(&ready[cpu], 1);
  }
  const u32 all = (1u << NCPUS) - 1;
  const u32 others = all & ~1u;

  for (u32 cpu = 1; cpu < NCPUS; cpu++) {
    put_str("to cpu");
    put_dec((s32)cpu);
    put_str(", sgi ");
    put_dec((s32)cpu);
    send(":", SGIR_LIST(1u << cpu, cpu), 1u << cpu);
  }
  send("target list of every secondary, sgi 7:", SGIR_LIST(others, 7), others);
  send("all but self, sgi 9:", SGIR_OTHERS(9), others);
  /* a target list naming CPUs that do not exist reaches those that do; the boot CPU has IRQs
     masked, so its SGI 3 stays pending until it unmasks them */
  send("target list 0xff, sgi 3:", SGIR_LIST(0xff, 3), others);
  put_str("boot CPU unmasks IRQs:\n");
  irq_enable();
  expect(1);

  send("self, sgi 11:", SGIR_SELF(11), 1);
  send("target list with the boot CPU, sgi 2:", SGIR_LIST(all, 2), all);
  send_from(NCPUS - 1, "last cpu to cpu0, sgi 4:", SGIR_LIST(1, 4), 1);
  send_from(1, "cpu1 to all but self, sgi 13:", SGIR_OTHERS(13), all & ~2u);
  send_from(1, "cpu1 to self, sgi 14:", SGIR_SELF(14), 2);
  irq_disable();

  for (u32 cpu = 0; cpu < NCPUS; cpu++) {
    put_str("cpu");
    put_dec((s32)cpu);
    put_str(" took ");
    put_dec((s32)got[cpu].count);
    put_str(" sgis\n");
  }
  signal(&finished, 1);
  wait_secondaries_off();
  return 0;
}
