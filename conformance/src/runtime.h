/* The conformance programs' tiny runtime: UART output, number printing and exception hooks. */
#ifndef RUNTIME_H
#define RUNTIME_H

typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;

/* Registers saved by an exception entry: r0-r12 then the exception LR (the return address). */
struct frame {
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
void on_undefined(struct frame *f, u32 spsr);
void on_svc(struct frame *f, u32 spsr);
void on_prefetch_abort(struct frame *f, u32 spsr);
void on_data_abort(struct frame *f, u32 spsr);
void on_irq(struct frame *f, u32 spsr);
void on_fiq(struct frame *f, u32 spsr);

/* Condition flags (N Z C V in bits 31:28) after the last flag-setting instruction. */
static inline u32 apsr(void) {
  u32 v;
  __asm__ volatile("mrs %0, apsr" : "=r"(v));
  return v & 0xf8000000;
}

#endif
