/* A bare-metal virtio-console driver over virtio-mmio (modern, version 2): finds the console,
   negotiates VERSION_1 alone (one port, no multiport), sets up the transmit queue and sends
   lines through it, printing on the UART what the device answers. The console's output shares
   the terminal with the UART, so the two interleave in the order they were sent. */
#include "runtime.h"

#define SLOTS 32
#define SLOT_BASE(n) (0x0a000000u + 0x200u * (n))
#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define TRANSMITQ 1
#define QSIZE 4
#define F_NEXT 1

typedef unsigned short u16;

struct desc {
  u32 addr_lo, addr_hi, len;
  u16 flags, next;
};
struct avail {
  u16 flags, idx, ring[QSIZE], used_event;
};
struct used {
  u16 flags, idx;
  struct {
    u32 id, len;
  } ring[QSIZE];
  u16 avail_event;
};

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail avail __attribute__((aligned(2)));
static struct used used __attribute__((aligned(4)));
static u32 base;
static u16 last_used;

static u32 rd(u32 off) { return *(volatile u32 *)(base + off); }
static void wr(u32 off, u32 v) { *(volatile u32 *)(base + off) = v; }
static void barrier(void) { __asm__ volatile("dsb" ::: "memory"); }

static unsigned len(const char *s) {
  unsigned n = 0;
  while (s[n]) n++;
  return n;
}

/* Sends `a` and `b` as one chain of two buffers and waits for the device to return it. */
static void send(const char *a, const char *b) {
  descs[0] = (struct desc){(u32)a, 0, len(a), F_NEXT, 1};
  descs[1] = (struct desc){(u32)b, 0, len(b), 0, 0};
  avail.ring[avail.idx % QSIZE] = 0;
  barrier();
  avail.idx++;
  barrier();
  wr(QUEUE_NOTIFY, TRANSMITQ);
  while (*(volatile u16 *)&used.idx == last_used) barrier();
  barrier();
  u32 used_len = used.ring[last_used % QSIZE].len;
  last_used++;
  show("uart: used length", used_len);
  show("uart: interrupt status", rd(INTERRUPT_STATUS));
  wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS));
}

void boot_main(u32 r0, u32 r1, u32 r2, u32 cpsr) {
  (void)r0, (void)r1, (void)r2, (void)cpsr;
  int found = -1;
  for (int n = 0; n < SLOTS && found < 0; n++) {
    base = SLOT_BASE(n);
    if (rd(MAGIC) == 0x74726976 && rd(VERSION) == 2 && rd(DEVICE_ID) == 3) found = n;
  }
  put_str("uart: console in slot ");
  put_dec(found);
  uart_putc('\n');
  if (found < 0) return;
  base = SLOT_BASE(found);

  wr(STATUS, 0);
  wr(STATUS, S_ACKNOWLEDGE);
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER);
  wr(DEVICE_FEATURES_SEL, 1);
  show("uart: VERSION_1 offered", rd(DEVICE_FEATURES) & 1);
  wr(DRIVER_FEATURES_SEL, 0);
  wr(DRIVER_FEATURES, 0);
  wr(DRIVER_FEATURES_SEL, 1);
  wr(DRIVER_FEATURES, 1);
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
  show("uart: status after FEATURES_OK", rd(STATUS));

  wr(QUEUE_SEL, TRANSMITQ);
  put_str(rd(QUEUE_NUM_MAX) >= QSIZE ? "uart: transmit queue is large enough\n" : "uart: transmit queue is too small\n");
  wr(QUEUE_NUM, QSIZE);
  wr(QUEUE_DESC_LOW, (u32)descs);
  wr(QUEUE_DESC_HIGH, 0);
  wr(QUEUE_DRIVER_LOW, (u32)&avail);
  wr(QUEUE_DRIVER_HIGH, 0);
  wr(QUEUE_DEVICE_LOW, (u32)&used);
  wr(QUEUE_DEVICE_HIGH, 0);
  wr(QUEUE_READY, 1);
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
  show("uart: status", rd(STATUS));

  send("console: hello ", "from virtio\n");
  send("console: a second ", "chain\n");
}
