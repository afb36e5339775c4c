/* UART-heavy output: a table of a generator's values, so nearly every few instructions leave the
   CPU as a store to the PL011 data register (what the KVM_RUN round-trip benchmark measures). */
#include "runtime.h"

int main(void) {
  u32 seed = 0x2545f491;
  put_str("uart-flood\n");
  for (int row = 0; row < 400; row++) {
    put_dec(row);
    for (int col = 0; col < 4; col++) {
      uart_putc(' ');
      put_hex(xorshift(&seed));
    }
    uart_putc('\n');
  }
  show("seed", seed);
  return 0;
}
