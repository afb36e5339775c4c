/* The program the gdb stub is checked with (packages/vmm/src/gdbstub/gdb-multiarch.test.ts): built
   with debug information at -O0, so gdb finds functions, lines and locals; a double in VFP registers
   and a global for a watchpoint. Not part of `make all`: the test builds it. */
#include "runtime.h"

volatile int watched;

double scale(double x, int n) {
  double acc = x;
  for (int i = 0; i < n; i++)
    acc = acc * 1.5;
  return acc;
}

int compute(int n) {
  int total = 0;
  for (int i = 1; i <= n; i++)
    total += i * i;
  watched = total;
  return total;
}

int main(void) {
  double d = scale(2.0, 3);
  int r = compute(4);
  show("compute", (u32)r);
  show("scale", (u32)(d * 100));
  return 0;
}
