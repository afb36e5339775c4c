/* Every CPU works on shared data at once: a counter incremented under a LDREX/STREX spinlock (plain
   loads and stores inside, an owner check that catches two CPUs in the critical section), and
   lock-free counters built from LDREXD/STREXD, LDREXB/STREXB and LDREXH/STREXH. The boot CPU prints
   the totals once every CPU is done, so the output is the same whatever the interleaving. */
#include "smp.h"

#define ROUNDS 2000

static volatile u32 lock;
static volatile u32 counter;
static volatile u32 owner;
static volatile u32 overlaps;
static volatile u64 wide __attribute__((aligned(8)));
static volatile unsigned char narrow;
static volatile unsigned short half;
static volatile u32 started, done;

/* Each add is one LDREX..STREX loop in a single asm statement, so nothing comes between the two. */
static void add64(volatile u64 *p, u64 v) {
  u64 old;
  u32 failed;
  __asm__ volatile("1: ldrexd %Q0, %R0, [%2]\n"
                   "   adds %Q0, %Q0, %Q3\n"
                   "   adc %R0, %R0, %R3\n"
                   "   strexd %1, %Q0, %R0, [%2]\n"
                   "   cmp %1, #0\n"
                   "   bne 1b"
                   : "=&r"(old), "=&r"(failed)
                   : "r"(p), "r"(v)
                   : "memory", "cc");
}

static void add8(volatile unsigned char *p, u32 v) {
  u32 old, failed;
  __asm__ volatile("1: ldrexb %0, [%2]\n"
                   "   add %0, %0, %3\n"
                   "   strexb %1, %0, [%2]\n"
                   "   cmp %1, #0\n"
                   "   bne 1b"
                   : "=&r"(old), "=&r"(failed)
                   : "r"(p), "r"(v)
                   : "memory", "cc");
}

static void add16(volatile unsigned short *p, u32 v) {
  u32 old, failed;
  __asm__ volatile("1: ldrexh %0, [%2]\n"
                   "   add %0, %0, %3\n"
                   "   strexh %1, %0, [%2]\n"
                   "   cmp %1, #0\n"
                   "   bne 1b"
                   : "=&r"(old), "=&r"(failed)
                   : "r"(p), "r"(v)
                   : "memory", "cc");
}

static void work(u32 cpu) {
  /* everyone starts together, so the lock is contended */
  __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
  while (started != NCPUS) continue;
  for (int i = 0; i < ROUNDS; i++) {
    spin_lock(&lock);
    owner = cpu;
    u32 c = counter;
    counter = c + 1;
    if (owner != cpu) overlaps++;
    spin_unlock(&lock);
    add64(&wide, 0x100000001ull);
    add8(&narrow, 1);
    add16(&half, 3);
  }
  __atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
  dsb_sev();
}

void secondary_main(u32 cpu, u32 context) {
  (void)context;
  work(cpu);
}

int main(void) {
  put_str("spinlock smp ");
  put_dec(NCPUS);
  uart_putc('\n');
  for (u32 cpu = 1; cpu < NCPUS; cpu++) cpu_on(cpu, 0);
  work(0);
  wait_for(&done, NCPUS);
  show("counter", counter);
  show("expected", NCPUS * ROUNDS);
  show("overlaps", overlaps);
  show("lock", lock);
  show64("ldrexd/strexd", wide);
  show("ldrexb/strexb", narrow);
  show("ldrexh/strexh", half);
  wait_secondaries_off();
  return 0;
}
