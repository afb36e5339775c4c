/* C bit-fields and masks as the compiler lowers them (BFI, UBFX, SBFX, BIC/ORR), with packed
   structs and unaligned members. */
#include "runtime.h"

struct flags {
  u32 a : 3;
  s32 b : 5;
  u32 c : 12;
  u32 d : 1;
  s32 e : 11;
};

struct __attribute__((packed)) packet {
  unsigned char tag;
  u32 length;
  unsigned short kind;
  u64 stamp;
};

static struct flags fs[16];
static struct packet pk[8];

int main(void) {
  put_str("bitfields\n");
  u32 seed = 31337, h = 0;
  for (u32 i = 0; i < 16; i++) {
    u32 r = xorshift(&seed);
    fs[i].a = r;
    fs[i].b = (s32)(r >> 3);
    fs[i].c = r >> 8;
    fs[i].d = r >> 20;
    fs[i].e = (s32)(r >> 21);
  }
  for (u32 i = 0; i < 16; i++) {
    h = mix(h, fs[i].a);
    h = mix(h, (u32)fs[i].b);
    h = mix(h, fs[i].c);
    h = mix(h, fs[i].d);
    h = mix(h, (u32)fs[i].e);
    fs[i].c += fs[i].a * 100;
    fs[i].e -= fs[i].b;
    union {
      struct flags f;
      u32 w;
    } raw = {fs[i]};
    h = mix(h, raw.w);
  }
  show("fields", h);
  h = 0;
  for (u32 i = 0; i < 8; i++) {
    pk[i].tag = (unsigned char)i;
    pk[i].length = xorshift(&seed);
    pk[i].kind = (unsigned short)xorshift(&seed);
    pk[i].stamp = (u64)xorshift(&seed) << 32 | xorshift(&seed);
  }
  for (u32 i = 0; i < 8; i++) {
    h = mix(h, pk[i].length);
    h = mix(h, pk[i].kind);
    h = mix(h, (u32)(pk[i].stamp >> 16));
  }
  show("packed", h);
  show("sizeof packet", sizeof(struct packet));
  return 0;
}
