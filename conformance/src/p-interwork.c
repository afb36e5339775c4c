/* Interworking: ARM and Thumb functions calling each other directly and through pointers (BL,
   BLX immediate and register, BX LR, POP {PC}, LDR PC), and returning values across the switch. */
#include "runtime.h"

#define ARM __attribute__((target("arm"), noinline))
#define THUMB __attribute__((target("thumb"), noinline))

static u32 state_now(void) {
  u32 c;
  __asm__ volatile("mrs %0, cpsr" : "=r"(c));
  return c;
}

THUMB static u32 t_leaf(u32 x) { return x * 3 + 1; }
ARM static u32 a_leaf(u32 x) { return (x << 2) ^ 0x55; }
THUMB static u32 t_calls_arm(u32 x) { return a_leaf(x) + t_leaf(x); }
ARM static u32 a_calls_thumb(u32 x) { return t_leaf(x) + t_calls_arm(x + 1); }
THUMB static u32 t_recurse(u32 n);
ARM static u32 a_recurse(u32 n) { return n == 0 ? 7 : a_leaf(n) + t_recurse(n - 1); }
THUMB static u32 t_recurse(u32 n) { return n == 0 ? 11 : t_leaf(n) ^ a_recurse(n - 1); }
ARM static u32 a_state(void) { return state_now() & 0x20; }
THUMB static u32 t_state(void) { return state_now() & 0x20; }

typedef u32 (*fn)(u32);
static fn volatile table[] = {t_leaf, a_leaf, t_calls_arm, a_calls_thumb, a_recurse, t_recurse};

/* LDR PC from memory, with the Thumb bit deciding the state */
ARM static u32 a_ldr_pc(fn f, u32 x) {
  u32 r;
  __asm__ volatile("mov r0, %2\n\tadr lr, 1f\n\tldr pc, %1\n1:\n\tmov %0, r0"
                   : "=r"(r)
                   : "m"(f), "r"(x)
                   : "r0", "r1", "r2", "r3", "r12", "lr", "memory", "cc");
  return r;
}

int main(void) {
  put_str("interwork\n");
  show("arm state bit", a_state());
  show("thumb state bit", t_state());
  u32 h = 0;
  for (u32 i = 0; i < 6; i++)
    for (u32 x = 0; x < 5; x++) h = mix(h, table[i](x));
  show("through pointers", h);
  show("a_calls_thumb", a_calls_thumb(9));
  show("t_calls_arm", t_calls_arm(9));
  show("mutual recursion", a_recurse(12));
  show("ldr pc to thumb", a_ldr_pc(t_leaf, 5));
  show("ldr pc to arm", a_ldr_pc(a_leaf, 5));
  return 0;
}
