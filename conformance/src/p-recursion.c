/* Deep and mutual recursion: Fibonacci, Towers of Hanoi, permutations and a recursive-descent
   expression evaluator, stressing calls, returns and the stack. */
#include "runtime.h"

__attribute__((noinline)) static u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static u32 moves;
__attribute__((noinline)) static void hanoi(u32 n, u32 a, u32 b, u32 c) {
  if (!n) return;
  hanoi(n - 1, a, c, b);
  moves = moves * 3 + a * 7 + c;
  hanoi(n - 1, b, a, c);
}

static u32 perms;
static void permute(unsigned char *v, u32 k, u32 n) {
  if (k == n) {
    u32 x = 0;
    for (u32 i = 0; i < n; i++) x = x * 10 + v[i];
    perms = mix(perms, x);
    return;
  }
  for (u32 i = k; i < n; i++) {
    unsigned char t = v[k];
    v[k] = v[i];
    v[i] = t;
    permute(v, k + 1, n);
    v[i] = v[k];
    v[k] = t;
  }
}

static const char *p;
static s32 expr(void);
static s32 atom(void) {
  if (*p == '(') {
    p++;
    s32 v = expr();
    p++;
    return v;
  }
  if (*p == '-') {
    p++;
    return -atom();
  }
  s32 v = 0;
  while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  return v;
}
static s32 term(void) {
  s32 v = atom();
  while (*p == '*' || *p == '/') {
    char op = *p++;
    s32 r = atom();
    v = op == '*' ? v * r : r ? v / r : 0;
  }
  return v;
}
static s32 expr(void) {
  s32 v = term();
  while (*p == '+' || *p == '-') {
    char op = *p++;
    s32 r = term();
    v = op == '+' ? v + r : v - r;
  }
  return v;
}

int main(void) {
  put_str("recursion\n");
  show("fib(22)", fib(22));
  hanoi(12, 1, 2, 3);
  show("hanoi", moves);
  unsigned char v[6] = {1, 2, 3, 4, 5, 6};
  permute(v, 0, 6);
  show("permutations", perms);
  static const char *const exprs[] = {"1+2*3", "(1+2)*3", "-(4*(5-7))/3+100", "2*(3*(4*(5*(6+1))))-9/2"};
  for (u32 i = 0; i < 4; i++) {
    p = exprs[i];
    put_dec(expr());
    uart_putc('\n');
  }
  return 0;
}
