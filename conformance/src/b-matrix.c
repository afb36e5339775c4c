/* Benchmark: integer matrix multiplication, 128 x 128, a few rounds feeding each into the next. */
#include "runtime.h"

#define N 128
static s32 A[N][N], B[N][N], C[N][N];

int main(void) {
  u32 seed = 0x2545f491;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      A[i][j] = (s32)(xorshift(&seed) % 201) - 100;
      B[i][j] = (s32)(xorshift(&seed) % 201) - 100;
    }
  u32 trace = 0;
  for (int round = 0; round < 6; round++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        s32 s = 0;
        for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
        C[i][j] = s;
      }
    for (int i = 0; i < N; i++) {
      trace += (u32)C[i][i];
      for (int j = 0; j < N; j++) A[i][j] = (C[i][j] >> 7) % 97;
    }
  }
  show("trace", trace);
  return 0;
}
