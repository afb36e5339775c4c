/* A bare-metal virtio-blk driver over virtio-mmio (modern, version 2): finds the disk among the 32
   slots, negotiates VERSION_1, sets up one split virtqueue, and reads, writes, flushes and asks
   for the id, printing what the device answers. Polls the used ring; interrupts stay masked. */
#define QSIZE 8
#include "virtio-mmio.h"

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8

struct req_header {
  u32 type, reserved, sector_lo, sector_hi;
};

static struct req_header header;
static u8 data[1024] __attribute__((aligned(16)));
static volatile u8 status_byte;

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
  send_chain(0, "  ");
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
    if (rd(MAGIC) == MMIO_MAGIC && rd(VERSION) == 2) transports++;
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

  negotiate_version_1("");

  wr(QUEUE_SEL, 0);
  show("queue 0 ready before setup", rd(QUEUE_READY));
  put_str(rd(QUEUE_NUM_MAX) >= QSIZE ? "queue 0 is large enough\n" : "queue 0 is too small\n");
  set_up_queue();
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
