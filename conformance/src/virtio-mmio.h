/* What the f-virtio-* drivers share: the modern (version 2) virtio-mmio registers of the virt
   board's 32 slots, the split virtqueue layout, and the steps every driver takes: feature
   negotiation with VERSION_1 alone, queue set-up, and sending a chain and waiting for it.
   A driver defines QSIZE, its queue size, before including this. */
#ifndef VIRTIO_MMIO_H
#define VIRTIO_MMIO_H

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

#define MMIO_MAGIC 0x74726976 /* "virt" */

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8

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

/* The one queue a driver uses, and the transport it found. */
static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail avail __attribute__((aligned(2)));
static struct used used __attribute__((aligned(4)));
static u32 base;
static u16 last_used;

static inline u32 rd(u32 off) { return *(volatile u32 *)(base + off); }
static inline void wr(u32 off, u32 v) { *(volatile u32 *)(base + off) = v; }
static inline void barrier(void) { __asm__ volatile("dsb" ::: "memory"); }

/* Resets the device and accepts VERSION_1 and nothing else; `prefix` starts each line printed. */
static inline void negotiate_version_1(const char *prefix) {
  wr(STATUS, 0);
  wr(STATUS, S_ACKNOWLEDGE);
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER);
  wr(DEVICE_FEATURES_SEL, 1);
  put_str(prefix);
  show("VERSION_1 offered", rd(DEVICE_FEATURES) & 1);
  wr(DRIVER_FEATURES_SEL, 0);
  wr(DRIVER_FEATURES, 0);
  wr(DRIVER_FEATURES_SEL, 1);
  wr(DRIVER_FEATURES, 1);
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
  put_str(prefix);
  show("status after FEATURES_OK", rd(STATUS));
}

/* Gives the selected queue its size and rings and marks it ready. */
static inline void set_up_queue(void) {
  wr(QUEUE_NUM, QSIZE);
  wr(QUEUE_DESC_LOW, (u32)descs);
  wr(QUEUE_DESC_HIGH, 0);
  wr(QUEUE_DRIVER_LOW, (u32)&avail);
  wr(QUEUE_DRIVER_HIGH, 0);
  wr(QUEUE_DEVICE_LOW, (u32)&used);
  wr(QUEUE_DEVICE_HIGH, 0);
  wr(QUEUE_READY, 1);
}

/* Makes the chain starting at descriptor 0 available on `queue`, waits until the device has used
   it, prints the length it reports and the interrupt status, and acknowledges the interrupt. */
static inline void send_chain(u32 queue, const char *prefix) {
  avail.ring[avail.idx % QSIZE] = 0;
  barrier();
  avail.idx++;
  barrier();
  wr(QUEUE_NOTIFY, queue);
  while (*(volatile u16 *)&used.idx == last_used) barrier();
  barrier();
  u32 written = used.ring[last_used % QSIZE].len;
  last_used++;
  put_str(prefix);
  show("used length", written);
  put_str(prefix);
  show("interrupt status", rd(INTERRUPT_STATUS));
  wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS));
}

#endif
