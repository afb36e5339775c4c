/* A bare-metal virtio-console driver over virtio-mmio (modern, version 2): finds the console,
   negotiates VERSION_1 alone (one port, no multiport), sets up the transmit queue and sends
   lines through it, printing on the UART what the device answers. The console's output shares
   the terminal with the UART, so the two interleave in the order they were sent. */
#define QSIZE 4
#include "virtio-mmio.h"

#define TRANSMITQ 1

static unsigned len(const char *s) {
  unsigned n = 0;
  while (s[n]) n++;
  return n;
}

/* Sends `a` and `b` as one chain of two buffers and waits for the device to return it. */
static void send(const char *a, const char *b) {
  descs[0] = (struct desc){(u32)a, 0, len(a), F_NEXT, 1};
  descs[1] = (struct desc){(u32)b, 0, len(b), 0, 0};
  send_chain(TRANSMITQ, "uart: ");
}

void boot_main(u32 r0, u32 r1, u32 r2, u32 cpsr) {
  (void)r0, (void)r1, (void)r2, (void)cpsr;
  int found = -1;
  for (int n = 0; n < SLOTS && found < 0; n++) {
    base = SLOT_BASE(n);
    if (rd(MAGIC) == MMIO_MAGIC && rd(VERSION) == 2 && rd(DEVICE_ID) == 3) found = n;
  }
  put_str("uart: console in slot ");
  put_dec(found);
  uart_putc('\n');
  if (found < 0) return;
  base = SLOT_BASE(found);

  negotiate_version_1("uart: ");

  wr(QUEUE_SEL, TRANSMITQ);
  put_str(rd(QUEUE_NUM_MAX) >= QSIZE ? "uart: transmit queue is large enough\n" : "uart: transmit queue is too small\n");
  set_up_queue();
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
  show("uart: status", rd(STATUS));

  send("console: hello ", "from virtio\n");
  send("console: a second ", "chain\n");
}
