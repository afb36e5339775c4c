/* Table-driven algorithms: CRC-32 with a generated 256-entry table, base64 encoding and decoding,
   and a byte-histogram, all indexed loads and stores with register offsets. */
#include "runtime.h"

static u32 table[256];
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static u32 crc32(const unsigned char *p, u32 n) {
  u32 c = 0xffffffff;
  while (n--) c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

static u32 encode(const unsigned char *in, u32 n, char *out) {
  u32 o = 0;
  for (u32 i = 0; i < n; i += 3) {
    u32 v = (u32)in[i] << 16 | (i + 1 < n ? (u32)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
    out[o++] = b64[v >> 18];
    out[o++] = b64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? b64[v & 63] : '=';
  }
  out[o] = 0;
  return o;
}

static u32 decode(const char *in, unsigned char *out) {
  signed char rev[128];
  for (u32 i = 0; i < 128; i++) rev[i] = -1;
  for (u32 i = 0; i < 64; i++) rev[(unsigned char)b64[i]] = (signed char)i;
  u32 o = 0, acc = 0, bits = 0;
  for (; *in && *in != '='; in++) {
    acc = acc << 6 | (u32)rev[(unsigned char)*in];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (unsigned char)(acc >> bits);
    }
  }
  return o;
}

int main(void) {
  put_str("crc table\n");
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  static const char msg[] = "The quick brown fox jumps over the lazy dog";
  show("crc32", crc32((const unsigned char *)msg, sizeof msg - 1));
  char enc[80];
  unsigned char dec[64];
  for (u32 n = 40; n <= 43; n++) {
    encode((const unsigned char *)msg, n, enc);
    put_str(enc);
    uart_putc('\n');
    u32 m = decode(enc, dec);
    show("round trip crc", crc32(dec, m) ^ crc32((const unsigned char *)msg, n));
  }
  u32 hist[16] = {0};
  u32 seed = 8;
  for (u32 i = 0; i < 1000; i++) hist[xorshift(&seed) & 15]++;
  u32 h = 0;
  for (u32 i = 0; i < 16; i++) h = mix(h, hist[i]);
  show("histogram", h);
  return 0;
}
