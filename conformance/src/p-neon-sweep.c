/* A sweep of the coprocessor 10/11 and Advanced SIMD encoding spaces: random words of the NEON
   data-processing space (every register, size and opcode, the undefined ones included), of the
   element/structure load/store space (based on r0 in a buffer, indexed by nothing, the size or
   r1), of VMOV/VDUP between r1 and scalars or singles, and of VFP data processing, each written to
   memory and run on its own; QEMU runs the same words, UNPREDICTABLE ones included. Per group of
   32 words: which ones were undefined, which aborted, and a checksum of r1 and the FPSCR after
   each, then of D0-D31 and the buffer. */
#include "runtime.h"

#define GROUPS 160

static volatile u32 undef, aborted;

void on_undefined(struct frame *f) {
  undef = 1;
  skip_thumb32(f);
}
void on_data_abort(struct frame *f) {
  aborted = 1;
  f->lr -= 4;
}

static u32 code[4] __attribute__((aligned(16)));
static u64 dregs[32];
static unsigned char buf[256] __attribute__((aligned(32)));

/* Runs one A32-form word (in its Thumb form when built for Thumb) with r0 = buf + 64, r1 = index;
   returns r1 afterwards. */
static u32 run(u32 w, u32 index) {
#ifdef __thumb__
  if ((w >> 28) == 0xe)
    ; /* the core/scalar moves are the same 32 bits */
  else if ((w >> 24) == 0xf4)
    w = (w & 0x00ffffff) | 0xf9000000;
  else
    w = (w & 0x00ffffff) | 0xef000000 | (((w >> 24) & 1) << 28);
  code[0] = (w >> 16) | (w << 16);
  code[1] = 0x46c04770; /* bx lr; nop */
  u32 fn = (u32)code | 1;
#else
  code[0] = w;
  code[1] = 0xe12fff1e; /* bx lr */
  u32 fn = (u32)code;
#endif
  __asm__ volatile("dsb\n\tisb" ::: "memory");
  register u32 r0 __asm__("r0") = (u32)buf + 64;
  register u32 r1 __asm__("r1") = index;
  __asm__ volatile("blx %2" : "+r"(r0), "+r"(r1) : "r"(fn) : "r2", "r3", "r12", "lr", "memory", "cc");
  return r1;
}

static u32 checksum(u32 h) {
  __asm__ volatile("vstmia %0, {d0-d15}\n\tvstmia %1, {d16-d31}" ::"r"(dregs), "r"(dregs + 16) : "memory");
  for (int i = 0; i < 32; i++) h = mix(mix(h, (u32)dregs[i]), (u32)(dregs[i] >> 32));
  for (u32 i = 0; i < sizeof buf; i += 4) h = mix(h, *(u32 *)(buf + i));
  return h;
}

/* Which space a sweep draws from. */
enum space { DATA, MEMORY, MOVES, VFP_MOVES, VFP };

static void sweep(const char *name, u32 *s, enum space space) {
  put_str(name);
  uart_putc('\n');
  for (int g = 0; g < GROUPS; g++) {
    u32 bits = 0, aborts = 0, h = 0;
    for (int k = 0; k < 32; k++) {
      u32 r = xorshift(s);
      u32 w;
      if (space == VFP_MOVES) {
        /* VMOV between r1 and a single, VMRS from the system registers (VMSR could turn the unit off) */
        w = 0xee001a10 | (r & 0x00ff01ef);
        if ((w & 0x00f00000) == 0x00e00000) w |= 0x00100000;
      } else if (space == VFP)
        /* VFP data processing, every opc1/opc2/opc3 (conversions, immediates, undefined ones) */
        w = 0xee000a00 | (r & 0x00fff1ef);
      else if (space == MOVES)
        /* VMOV between r1 and a scalar of any size and sign, or VDUP from r1 (cond AL); now and
           then with the low four bits, which must be zero, set */
        w = 0xee001b10 | (r & 0x00ff00e0) | ((r & 7) == 0 ? r >> 28 : 0);
      else if (space == MEMORY) {
        /* VLDn/VSTn: bit 20 clear, Rn = r0, Rm = 15 (none), 13 (the size) or r1; D clear, since
           lists running past D31 are UNPREDICTABLE (we make them undefined) */
        static const u32 rm[4] = {15, 13, 1, 15};
        w = 0xf4000000 | (r & 0x00affff0) | rm[r & 3];
        w &= ~0x000f0000;
      } else
        w = 0xf2000000 | (r & 0x01ffffff);
      undef = aborted = 0;
      h = mix(h, run(w, space == MOVES || space == VFP_MOVES ? r : (r >> 25) & 0x1f));
      bits |= undef << k;
      aborts |= aborted << k;
      u32 fpscr;
      __asm__ volatile("vmrs %0, fpscr" : "=r"(fpscr));
      h = mix(h, fpscr);
    }
    put_hex(bits);
    uart_putc(' ');
    put_hex(aborts);
    uart_putc(' ');
    put_hex(checksum(h));
    uart_putc('\n');
  }
}

int main(void) {
  put_str("neon sweep\n");
  u32 s = 0x6b8b4567;
  for (int i = 0; i < 32; i++) dregs[i] = ((u64)xorshift(&s) << 32) | xorshift(&s);
  for (u32 i = 0; i < sizeof buf; i++) buf[i] = xorshift(&s);
  __asm__ volatile("vldmia %0, {d0-d15}\n\tvldmia %1, {d16-d31}" ::"r"(dregs), "r"(dregs + 16) : "memory");
  sweep("data processing", &s, DATA);
  sweep("loads and stores", &s, MEMORY);
  sweep("core register moves", &s, MOVES);
  sweep("vfp core register moves", &s, VFP_MOVES);
  /* the NEON arithmetic ignores FPSCR's controls (flush-to-zero, default NaN, round to zero; AHP
     matters only to half-precision conversions); VFP obeys them */
  __asm__ volatile("vmsr fpscr, %0" ::"r"(0x07c00000));
  sweep("data processing under FZ, DN, AHP and RZ", &s, DATA);
  sweep("vfp data processing under FZ, DN, AHP and RZ", &s, VFP);
  __asm__ volatile("vmsr fpscr, %0" ::"r"(0x00400000));
  sweep("vfp data processing rounding up", &s, VFP);
  return 0;
}
