/* A flat image entered by the Linux boot protocol (r0 = 0, r1 = ~0, r2 = device tree): reports the
   registers and mode it was entered with, then walks the device tree and prints the memory, the
   CPUs and the command line it describes. */
#include "runtime.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

static u32 be32(const void *p) {
  const unsigned char *b = p;
  return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

static int str_eq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* True when node name `name` is `base` or `base@unit`. */
static int node_is(const char *name, const char *base) {
  while (*base && *name == *base) name++, base++;
  return *base == 0 && (*name == 0 || *name == '@');
}

static unsigned str_len(const char *s) {
  unsigned n = 0;
  while (s[n]) n++;
  return n;
}

/* Reads `cells` big-endian cells (1 or 2) as a 64-bit number. */
static u64 read_cells(const unsigned char *p, u32 cells) {
  u64 v = 0;
  for (u32 i = 0; i < cells; i++) v = (v << 32) | be32(p + 4 * i);
  return v;
}

struct dt_info {
  u32 addr_cells, size_cells;
  u64 mem_base, mem_size;
  int memory_nodes;
  int cpus;
  const char *model, *bootargs, *stdout_path;
  int have_initrd;
  u64 initrd_start, initrd_end;
};

static void walk(const unsigned char *fdt, struct dt_info *info) {
  const unsigned char *p = fdt + be32(fdt + 8);
  const char *strings = (const char *)fdt + be32(fdt + 12);
  const char *path[8];
  int depth = 0;
  int node_is_cpu_candidate = 0;
  for (;;) {
    u32 token = be32(p);
    p += 4;
    if (token == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      if (depth < 8) path[depth] = name;
      depth++;
      p += (str_len(name) + 4) & ~3u;
      node_is_cpu_candidate = depth == 3 && node_is(path[1], "cpus");
    } else if (token == FDT_END_NODE) {
      depth--;
      node_is_cpu_candidate = 0;
    } else if (token == FDT_PROP) {
      u32 len = be32(p);
      const char *pname = strings + be32(p + 4);
      const unsigned char *val = p + 8;
      p += 8 + ((len + 3) & ~3u);
      if (depth == 1) {
        if (str_eq(pname, "#address-cells")) info->addr_cells = be32(val);
        else if (str_eq(pname, "#size-cells")) info->size_cells = be32(val);
        else if (str_eq(pname, "model")) info->model = (const char *)val;
      } else if (depth == 2 && node_is(path[1], "memory") && str_eq(pname, "reg")) {
        info->mem_base = read_cells(val, info->addr_cells);
        info->mem_size = read_cells(val + 4 * info->addr_cells, info->size_cells);
        info->memory_nodes++;
      } else if (depth == 2 && node_is(path[1], "chosen")) {
        if (str_eq(pname, "bootargs")) info->bootargs = (const char *)val;
        else if (str_eq(pname, "stdout-path")) info->stdout_path = (const char *)val;
        else if (str_eq(pname, "linux,initrd-start")) info->initrd_start = read_cells(val, len / 4), info->have_initrd = 1;
        else if (str_eq(pname, "linux,initrd-end")) info->initrd_end = read_cells(val, len / 4);
      } else if (node_is_cpu_candidate && str_eq(pname, "device_type") && str_eq((const char *)val, "cpu")) {
        info->cpus++;
      }
    } else if (token == FDT_NOP) {
      continue;
    } else {
      break; /* FDT_END, or a damaged tree */
    }
  }
}

static void put_line(const char *label, const char *value) {
  put_str(label);
  put_str(value ? value : "(none)");
  uart_putc('\n');
}

void boot_main(u32 r0, u32 r1, u32 r2, u32 cpsr) {
  u32 sctlr;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
  put_str("f-dtinfo: entered with r0=");
  put_hex(r0);
  put_str(" r1=");
  put_hex(r1);
  put_str(" r2=");
  put_hex(r2);
  uart_putc('\n');
  show("cpsr (mode and masks)", cpsr & 0x1ff);
  put_line("mmu: ", (sctlr & 1) ? "on" : "off");

  const unsigned char *fdt = (const unsigned char *)r2;
  if (be32(fdt) != FDT_MAGIC) {
    put_str("no device tree at r2\n");
    return;
  }
  put_str("device tree version ");
  put_dec((s32)be32(fdt + 20));
  uart_putc('\n');

  struct dt_info info = {2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  walk(fdt, &info);
  put_line("model: ", info.model);
  put_str("memory: base ");
  put_hex64(info.mem_base);
  put_str(" size ");
  put_hex64(info.mem_size);
  put_str(" (");
  put_dec((s32)(info.mem_size >> 20));
  put_str(" MiB)\n");
  put_str("cpus: ");
  put_dec(info.cpus);
  uart_putc('\n');
  put_line("bootargs: ", info.bootargs);
  put_line("stdout-path: ", info.stdout_path);
  if (info.have_initrd) {
    put_str("initrd: ");
    put_hex64(info.initrd_start);
    put_str("..");
    put_hex64(info.initrd_end);
    uart_putc('\n');
  } else {
    put_line("initrd: ", 0);
  }
}
