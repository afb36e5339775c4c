/** The fuzzers' random source, apart from the generators so each can use it without the other. */

/** A small seeded generator (xorshift32), so a failing seed reproduces anywhere. */
export class FuzzRng {
  private s: number;

  constructor(seed: number) {
    this.s = seed | 0 || 0x9e3779b9;
  }

  /** The next 32 random bits, unsigned. */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x;
    return x >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
}
