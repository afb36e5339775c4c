/* A bare-metal virtio-blk driver over virtio-mmio (modern, version 2): finds the disk among the 32
   slots, negotiates VERSION_1, sets up one split virtqueue, and reads, writes, flushes and asks
   for the id, printing what the device answers. Polls the used ring; interrupts stay masked. */
#include "runtime.h"

#define SLOTS 32
#define SLOT_BASE(n) (0x0a000000u + 0x200u * (n))
#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define VENDOR_ID 0x00c
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
#define CONFIG 0x100

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8

#define QSIZE 8
#define F_NEXT 1
#define F_WRITE 2

typedef unsigned short u16;
typedef unsigned char u8;

struct desc {
  u32 addr_lo, addr_hi, len;
  u16 flags, next;
};
struct avail {
  u16 flags, idx, ring[QSIZE], used_event;
};
struct used_elem {
  u32 id, len;
};
struct used {
  u16 flags, idx;
  struct used_elem ring[QSIZE];
  u16 avail_event;
};
struct req_header {
  u32 type, reserved, sector_lo, sector_hi;
};

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail avail __attribute__((aligned(2)));
static struct used used __attribute__((aligned(4)));
static struct req_header header;
static u8 data[1024] __attribute__((aligned(16)));
static volatile u8 status_byte;
static u32 base;
static u16 last_used;

static u32 rd(u32 off) { return *(volatile u32 *)(base + off); }
static void wr(u32 off, u32 v) { *(volatile u32 *)(base + off) = v; }
static void barrier(void) { __asm__ volatile("dsb" ::: "memory"); }

/* Sends one request (header, optional data of `len` bytes, status) and waits for it. */
static u32 request(u32 type, u32 sector, u32 len, int device_writes_data) {
  header.type = type;
  header.reserved = 0;
  header.sector_lo = sector;
  header.sector_hi = 0;
  status_byte = 0xff;
  int n = 0;
  descs[n] = (struct desc){(u32)&header, 0, sizeof header, F_NEXT, (u16)(n + 1)};
  n++;
  if (len) {
    descs[n] = (struct desc){(u32)data, 0, len, (u16)(F_NEXT | (device_writes_data ? F_WRITE : 0)), (u16)(n + 1)};
    n++;
  }
  descs[n] = (struct desc){(u32)&status_byte, 0, 1, F_WRITE, 0};
  avail.ring[avail.idx % QSIZE] = 0;
  barrier();
  avail.idx++;
  barrier();
  wr(QUEUE_NOTIFY, 0);
  while (*(volatile u16 *)&used.idx == last_used) barrier();
  barrier();
  u32 written = used.ring[last_used % QSIZE].len;
  last_used++;
  show("  used length", written);
  show("  interrupt status", rd(INTERRUPT_STATUS));
  wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS));
  return status_byte;
}

static u32 checksum(const u8 *p, u32 n) {
  u32 h = 0x811c9dc5u;
  for (u32 i = 0; i < n; i++) h = (h ^ p[i]) * 0x01000193u;
  return h;
}

static void put_bytes(const u8 *p, u32 n) {
  for (u32 i = 0; i < n; i++) uart_putc(p[i] >= 32 && p[i] < 127 ? (char)p[i] : '.');
  uart_putc('\n');
}

void boot_main(u32 r0, u32 r1, u32 r2, u32 cpsr) {
  (void)r0, (void)r1, (void)r2, (void)cpsr;
  int found = -1, transports = 0;
  for (int n = 0; n < SLOTS; n++) {
    base = SLOT_BASE(n);
    if (rd(MAGIC) == 0x74726976 && rd(VERSION) == 2) transports++;
    if (rd(DEVICE_ID) == 2 && found < 0) found = n;
  }
  put_str("modern transports: ");
  put_dec(transports);
  put_str("\nblock device in slot ");
  put_dec(found);
  uart_putc('\n');
  if (found < 0) return;
  base = SLOT_BASE(found);
  show("vendor", rd(VENDOR_ID));

  wr(STATUS, 0);
  wr(STATUS, S_ACKNOWLEDGE);
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER);
  wr(DEVICE_FEATURES_SEL, 1);
  show("VERSION_1 offered", rd(DEVICE_FEATURES) & 1);
  wr(DRIVER_FEATURES_SEL, 0);
  wr(DRIVER_FEATURES, 0);
  wr(DRIVER_FEATURES_SEL, 1);
  wr(DRIVER_FEATURES, 1);
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
  show("status after FEATURES_OK", rd(STATUS));

  wr(QUEUE_SEL, 0);
  show("queue 0 ready before setup", rd(QUEUE_READY));
  put_str(rd(QUEUE_NUM_MAX) >= QSIZE ? "queue 0 is large enough\n" : "queue 0 is too small\n");
  wr(QUEUE_NUM, QSIZE);
  wr(QUEUE_DESC_LOW, (u32)descs);
  wr(QUEUE_DESC_HIGH, 0);
  wr(QUEUE_DRIVER_LOW, (u32)&avail);
  wr(QUEUE_DRIVER_HIGH, 0);
  wr(QUEUE_DEVICE_LOW, (u32)&used);
  wr(QUEUE_DEVICE_HIGH, 0);
  wr(QUEUE_READY, 1);
  show("queue 0 ready", rd(QUEUE_READY));
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
  show("status", rd(STATUS));

  u32 capacity = rd(CONFIG);
  show("capacity (sectors)", capacity);
  show("capacity high", rd(CONFIG + 4));

  put_str("read sectors 1-2:\n");
  show("  status", request(T_IN, 1, 1024, 1));
  put_str("  ");
  put_bytes(data, 24);
  show("  checksum", checksum(data, 1024));

  put_str("write sector 3:\n");
  for (u32 i = 0; i < 512; i++) data[i] = (u8)('a' + i % 26);
  show("  status", request(T_OUT, 3, 512, 0));
  for (u32 i = 0; i < 512; i++) data[i] = 0;
  put_str("read it back:\n");
  show("  status", request(T_IN, 3, 512, 1));
  put_str("  ");
  put_bytes(data, 30);

  put_str("flush:\n");
  show("  status", request(T_FLUSH, 0, 0, 0));
  put_str("get id:\n");
  for (u32 i = 0; i < 20; i++) data[i] = 0;
  show("  status", request(T_GET_ID, 0, 20, 1));
  put_str("  id: ");
  put_str((const char *)data);
  uart_putc('\n');
  put_str("read past the end:\n");
  show("  status", request(T_IN, capacity - 1, 1024, 1));
  put_str("unknown request:\n");
  show("  status", request(99, 0, 0, 0));
  put_str("last sector:\n");
  show("  status", request(T_IN, capacity - 1, 512, 1));
  show("  checksum", checksum(data, 512));
}
