/* The conformance programs' tiny runtime: UART output, number printing and exception hooks. */
#ifndef RUNTIME_H
#define RUNTIME_H

typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;

/* What an exception entry saves: the SPSR, r0-r12 and the exception LR (the return address). */
struct frame {
  u32 spsr;
  u32 pad;
  u32 r[13];
  u32 lr;
};

void uart_putc(char c);
void put_str(const char *s);
void put_hex(u32 v);
void put_hex64(u64 v);
void put_dec(s32 v);
/* Prints "name=0x........\n". */
void show(const char *name, u32 v);
void show64(const char *name, u64 v);
void power_off(void) __attribute__((noreturn));

/* Exception hooks: a program defines those it provokes; the others report and power off. */
void on_undefined(struct frame *f);
void on_svc(struct frame *f);
void on_prefetch_abort(struct frame *f);
void on_data_abort(struct frame *f);
void on_irq(struct frame *f);
void on_fiq(struct frame *f);

/* A PSCI call through HVC, as the virt board takes it: function id in r0, arguments in r1-r3,
   the answer in r0. */
static inline u32 psci(u32 fn, u32 a, u32 b, u32 c) {
  register u32 r0 __asm__("r0") = fn;
  register u32 r1 __asm__("r1") = a;
  register u32 r2 __asm__("r2") = b;
  register u32 r3 __asm__("r3") = c;
  __asm__ volatile(".arch_extension virt\n\thvc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)::"memory");
  return r0;
}

/* Coprocessor register access, spelled as the instruction is: MRC(p15, 0, c1, c0, 0). The value
   passes through r0, so that an undefined-instruction handler can put a result in its place. */
#define MRC(cp, op1, crn, crm, op2)                                                                 \
  ({                                                                                                \
    register u32 r0_ __asm__("r0") = 0;                                                             \
    __asm__ volatile("mrc " #cp ", " #op1 ", %0, " #crn ", " #crm ", " #op2 : "+r"(r0_)::"memory"); \
    r0_;                                                                                            \
  })
#define MCR(cp, op1, crn, crm, op2, v)                                                              \
  do {                                                                                              \
    register u32 r0_ __asm__("r0") = (v);                                                           \
    __asm__ volatile("mcr " #cp ", " #op1 ", %0, " #crn ", " #crm ", " #op2 : "+r"(r0_)::"memory"); \
  } while (0)

/* In an undefined-instruction handler: in Thumb, LR is 2 bytes past the start of the instruction,
   which is the middle of a 32-bit one; this steps over the rest of it. */
static inline void skip_thumb32(struct frame *f) {
  if ((f->spsr & 0x20) && *(unsigned short *)(f->lr - 2) >= 0xe800) f->lr += 2;
}

static inline u32 read_dfsr(void) { return MRC(p15, 0, c5, c0, 0); }
static inline u32 read_dfar(void) { return MRC(p15, 0, c6, c0, 0); }
static inline u32 read_ifsr(void) { return MRC(p15, 0, c5, c0, 1); }
static inline u32 read_ifar(void) { return MRC(p15, 0, c6, c0, 2); }

/* For fault handlers: the fault status and address registers, and a line that prints them: what,
   then "<fsr_name><fsr><far_name><far>". */
static inline void put_fault(const char *what, const char *fsr_name, u32 fsr, const char *far_name, u32 far) {
  put_str(what);
  put_str(fsr_name);
  put_hex(fsr);
  put_str(far_name);
  put_hex(far);
  uart_putc('\n');
}
/* A small deterministic generator for test inputs. */
static inline u32 xorshift(u32 *s) {
  u32 x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* Folds a value into a running checksum. */
static inline u32 mix(u32 h, u32 v) { return (h ^ v) * 0x01000193u + (h >> 15); }

/* Shows the checksum of an array a program has just sorted, under `name`, then whether it is in
   ascending order. */
static inline void show_sorted(const char *name, const u32 *a, u32 n) {
  u32 h = 0, sorted = 1;
  for (u32 i = 0; i < n; i++) {
    h = mix(h, a[i]);
    if (i && a[i - 1] > a[i]) sorted = 0;
  }
  show(name, h);
  show("sorted", sorted);
}

/* Condition flags (N Z C V in bits 31:28) after the last flag-setting instruction. */
static inline u32 apsr(void) {
  u32 v;
  __asm__ volatile("mrs %0, apsr" : "=r"(v));
  return v & 0xf8000000;
}

#endif
