/* The virtual timer's PPI (INTID 27) taken on a secondary CPU: the last CPU enables the PPI in its
   own bank of the distributor, sees it pending while IRQs are masked, takes it, and then sleeps in
   WFI until the timer wakes it. The boot CPU's bank keeps the PPI disabled and idle. Only the boot
   CPU prints, from what the secondary recorded. */
#include "smp.h"

#define VTIMER_PPI 27
#define TIMER_CPU (NCPUS - 1)

#define CNTV_CTL_GET(v) __asm__ volatile("isb\n\tmrc p15, 0, %0, c14, c3, 1" : "=r"(v))
#define CNTV_CTL_SET(v) __asm__ volatile("mcr p15, 0, %0, c14, c3, 1\n\tisb" ::"r"(v))
#define CNTV_TVAL_SET(v) __asm__ volatile("mcr p15, 0, %0, c14, c3, 0\n\tisb" ::"r"(v))

/* What the timer CPU saw, in order. */
static volatile struct {
  u32 ctl_fired;     /* CNTV_CTL once the condition held (ENABLE | ISTATUS) */
  u32 enabled_bit;   /* its ISENABLER0 bit 27 */
  u32 pending_bit;   /* its ISPENDR0 bit 27 with IRQs masked */
  u32 taken;         /* interrupts taken */
  u32 iar[2];        /* what it acknowledged */
  u32 ctl_in_handler[2];
  u32 handler_cpu[2];
  u32 done;
} rec;

void on_irq(struct frame *f) {
  f->lr -= 4; /* IRQ's LR is the interrupted instruction + 4 */
  u32 iar = GICC_IAR;
  if ((iar & 0x3ff) == SPURIOUS) return;
  u32 n = rec.taken;
  u32 ctl;
  CNTV_CTL_GET(ctl);
  if (n < 2) {
    rec.iar[n] = iar;
    rec.ctl_in_handler[n] = ctl;
    rec.handler_cpu[n] = cpu_index();
  }
  CNTV_CTL_SET(0u); /* the timer off drops the level-sensitive PPI before the EOI */
  GICC_EOIR = iar;
  rec.taken = n + 1;
}

void secondary_main(u32 cpu, u32 context) {
  (void)context;
  if (cpu != TIMER_CPU) return;
  gic_cpu_init();
  GICD_ISENABLER(0) = 1u << VTIMER_PPI;
  GICD_IPRIORITYR(VTIMER_PPI / 4) = 0x80808080;
  rec.enabled_bit = (GICD_ISENABLER(0) >> VTIMER_PPI) & 1;

  /* IRQs masked: the timer fires, the PPI becomes pending, nothing is taken */
  CNTV_TVAL_SET(100u);
  CNTV_CTL_SET(1u);
  u32 ctl;
  do CNTV_CTL_GET(ctl);
  while (!(ctl & 4));
  rec.ctl_fired = ctl;
  while (!((GICD_ISPENDR(0) >> VTIMER_PPI) & 1)) continue;
  rec.pending_bit = 1;
  irq_enable();
  while (rec.taken < 1) continue;

  /* sleeping in WFI until the timer wakes this CPU */
  CNTV_TVAL_SET(6250u); /* 100 us at 62.5 MHz */
  CNTV_CTL_SET(1u);
  while (rec.taken < 2) wfi();
  irq_disable();
  signal(&rec.done, 1);
}

int main(void) {
  put_str("timer ppi smp ");
  put_dec(NCPUS);
  uart_putc('\n');
  gic_dist_init();
  gic_cpu_init();
  for (u32 cpu = 1; cpu < NCPUS; cpu++) cpu_on(cpu, 0);
  wait_for(&rec.done, 1);
  put_str("on cpu");
  put_dec(TIMER_CPU);
  uart_putc('\n');
  show("  ISENABLER0 bit 27", rec.enabled_bit);
  show("  CNTV_CTL fired", rec.ctl_fired);
  show("  ISPENDR0 bit 27 while masked", rec.pending_bit);
  for (int i = 0; i < 2; i++) {
    put_str(i == 0 ? "  taken after unmasking:" : "  taken in WFI:");
    put_str(" iar=");
    put_hex(rec.iar[i]);
    put_str(" CNTV_CTL=");
    put_hex(rec.ctl_in_handler[i]);
    put_str(" on cpu");
    put_dec((s32)rec.handler_cpu[i]);
    uart_putc('\n');
  }
  show("  taken", rec.taken);
  put_str("on cpu0\n");
  show("  ISENABLER0 bit 27", (GICD_ISENABLER(0) >> VTIMER_PPI) & 1);
  show("  ISPENDR0 bit 27", (GICD_ISPENDR(0) >> VTIMER_PPI) & 1);
  wait_secondaries_off();
  return 0;
}
