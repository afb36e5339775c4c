/**
 * An LZMA2 decoder (the compression of the .xz format) writing into one flat output buffer. The
 * whole output stays in memory, so the output itself is the dictionary: a match copies from earlier
 * output, and no window has to be kept. Built for unpacking kernels on the host, where speed matters
 * more than memory.
 */
import { XzError } from './xz-error.ts';

/** Probability model: 11-bit probabilities, halfway at start, adapted by a shift of 5. */
const PROB_INIT = 1024;
const MOVE_BITS = 5;
const TOP = 1 << 24;

/** Where each group of probabilities lives in the one model array. */
const STATES = 12;
const POS_STATES_MAX = 16;
const IS_MATCH = 0;
const IS_REP = IS_MATCH + STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + STATES;
const IS_REP_G1 = IS_REP_G0 + STATES;
const IS_REP_G2 = IS_REP_G1 + STATES;
const IS_REP0_LONG = IS_REP_G2 + STATES;
/** 6-bit distance slots for the four length classes. */
const DIST_SLOT = IS_REP0_LONG + STATES * POS_STATES_MAX;
/** Reverse bit trees of the distances with slots 4 to 13 (full distances below 128). */
const DIST_SPECIAL = DIST_SLOT + 4 * 64;
const FULL_DISTANCES = 128;
const END_POS_MODEL = 14;
const ALIGN = DIST_SPECIAL + FULL_DISTANCES - END_POS_MODEL;
/** Length coders: choice, choice 2, 3-bit low and mid trees per position state, 8-bit high tree. */
const LEN_CHOICE = 0;
const LEN_CHOICE2 = 1;
const LEN_LOW = 2;
const LEN_MID = LEN_LOW + POS_STATES_MAX * 8;
const LEN_HIGH = LEN_MID + POS_STATES_MAX * 8;
const LEN_SIZE = LEN_HIGH + 256;
const MATCH_LEN = ALIGN + 16;
const REP_LEN = MATCH_LEN + LEN_SIZE;
const LITERAL = REP_LEN + LEN_SIZE;
/** lc + lp is at most 4 in LZMA2, so at most 16 literal coders of 0x300 probabilities. */
const MODEL_SIZE = LITERAL + 0x300 * 16;
const MIN_MATCH = 2;

/**
 * Decodes the LZMA2 chunks of one .xz block from `input` at `start` into `out` from `outStart`.
 * Returns where the chunks end in the input and in the output. `out` must be large enough.
 */
export function decodeLzma2(
  input: Uint8Array,
  start: number,
  out: Uint8Array,
  outStart: number,
): { inEnd: number; outEnd: number } {
  const d = new Lzma2(input, out);
  d.pos = outStart;
  let p = start;
  let needDictReset = true;
  let needProps = true;
  for (;;) {
    if (p >= input.length) throw new XzError('LZMA2 data ends before its end marker');
    const control = input[p++]!;
    if (control === 0) return { inEnd: p, outEnd: d.pos };
    if (control < 0x80) {
      // stored chunk: 1 resets the dictionary, 2 does not
      if (control > 2) throw new XzError(`bad LZMA2 control byte 0x${control.toString(16)}`);
      if (control === 1) d.dictStart = d.pos;
      else if (needDictReset) throw new XzError('LZMA2 stream does not start with a dictionary reset');
      needDictReset = false;
      const size = ((input[p]! << 8) | input[p + 1]!) + 1;
      p += 2;
      if (p + size > input.length) throw new XzError('LZMA2 stored chunk is truncated');
      d.room(size);
      out.set(input.subarray(p, p + size), d.pos);
      d.pos += size;
      p += size;
      continue;
    }
    const unpacked = (((control & 0x1f) << 16) | (input[p]! << 8) | input[p + 1]!) + 1;
    const packed = ((input[p + 2]! << 8) | input[p + 3]!) + 1;
    p += 4;
    const reset = (control >>> 5) & 3;
    if (reset === 3) {
      d.dictStart = d.pos;
      needDictReset = false;
    } else if (needDictReset) throw new XzError('LZMA2 stream does not start with a dictionary reset');
    if (reset >= 2) {
      d.setProperties(input[p++]!);
      needProps = false;
    } else if (needProps) throw new XzError('LZMA2 chunk without properties');
    if (reset >= 1) d.resetState();
    if (p + packed > input.length) throw new XzError('LZMA2 chunk is truncated');
    d.room(unpacked);
    d.decodeChunk(p, p + packed, d.pos + unpacked);
    p += packed;
  }
}

/** The LZMA decoder state that lives across the chunks of one LZMA2 stream. */
class Lzma2 {
  readonly input: Uint8Array;
  readonly out: Uint8Array;
  readonly probs = new Uint16Array(MODEL_SIZE);
  /** Next output position, and where the current dictionary began. */
  pos = 0;
  dictStart = 0;
  lc = 0;
  lpMask = 0;
  pbMask = 0;
  state = 0;
  rep0 = 0;
  rep1 = 0;
  rep2 = 0;
  rep3 = 0;
  // the range decoder, restarted for every chunk
  range = 0;
  code = 0;
  inPos = 0;

  constructor(input: Uint8Array, out: Uint8Array) {
    this.input = input;
    this.out = out;
  }

  room(n: number): void {
    if (this.pos + n > this.out.length) throw new XzError('LZMA2 data unpacks to more than its stated size');
  }

  setProperties(props: number): void {
    if (props > 224) throw new XzError(`bad LZMA properties byte ${props}`);
    const lc = props % 9;
    const rest = (props / 9) | 0;
    const lp = rest % 5;
    const pb = (rest / 5) | 0;
    if (lc + lp > 4) throw new XzError('LZMA2 allows lc + lp of at most 4');
    this.lc = lc;
    this.lpMask = (1 << lp) - 1;
    this.pbMask = (1 << pb) - 1;
  }

  resetState(): void {
    this.probs.fill(PROB_INIT);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  /** Decodes one LZMA chunk whose packed bytes are input[from, to) until the output reaches `end`. */
  decodeChunk(from: number, to: number, end: number): void {
    const input = this.input;
    if (input[from] !== 0) throw new XzError('LZMA chunk does not start with a zero byte');
    this.code =
      ((input[from + 1]! << 24) | (input[from + 2]! << 16) | (input[from + 3]! << 8) | input[from + 4]!) >>>
      0;
    this.range = 0xffffffff;
    this.inPos = from + 5;
    this.pos = this.decodeSymbols(this.pos, end);
    // the encoder flushes its range coder so that the code ends at zero: any other value, and the
    // trailing bytes of the chunk (which need not change the output) were damaged
    if (this.inPos !== to || this.code !== 0)
      throw new XzError('LZMA chunk does not end as its size says: corrupt');
  }

  /**
   * Decodes literals and matches from output position `pos` until `end`; returns the new position.
   * Apart from the chunk's set-up and checks, so that V8's optimised loop has nothing after it that
   * ran too rarely to have type feedback (else every chunk ends in a deoptimisation).
   */
  private decodeSymbols(pos: number, end: number): number {
    const out = this.out;
    while (pos < end) {
      const posState = pos & this.pbMask;
      const state = this.state;
      if (this.bit(IS_MATCH + state * POS_STATES_MAX + posState) === 0) {
        const prev = pos > this.dictStart ? out[pos - 1]! : 0;
        const base = LITERAL + 0x300 * (((pos & this.lpMask) << this.lc) + (prev >>> (8 - this.lc)));
        let symbol = 1;
        if (state < 7) {
          symbol = this.tree(base, 8) | 0x100;
        } else {
          let match = out[this.matchFrom(pos)]!;
          while (symbol < 0x100) {
            const matchBit = (match >>> 7) & 1;
            match <<= 1;
            const b = this.bit(base + 0x100 + (matchBit << 8) + symbol);
            symbol = (symbol << 1) | b;
            if (b !== matchBit) {
              while (symbol < 0x100) symbol = (symbol << 1) | this.bit(base + symbol);
              break;
            }
          }
        }
        out[pos++] = symbol;
        this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let len: number;
      if (this.bit(IS_REP + state) === 0) {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        len = this.length(MATCH_LEN, posState);
        this.state = state < 7 ? 7 : 10;
        this.rep0 = this.distance(len);
        if (this.rep0 === 0xffffffff) throw new XzError('LZMA end marker inside an LZMA2 chunk');
      } else {
        if (this.bit(IS_REP_G0 + state) === 0) {
          if (this.bit(IS_REP0_LONG + state * POS_STATES_MAX + posState) === 0) {
            // a single byte from the last distance
            this.state = state < 7 ? 9 : 11;
            out[pos] = out[this.matchFrom(pos)]!;
            pos++;
            continue;
          }
        } else {
          let dist: number;
          if (this.bit(IS_REP_G1 + state) === 0) dist = this.rep1;
          else {
            if (this.bit(IS_REP_G2 + state) === 0) dist = this.rep2;
            else {
              dist = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = dist;
        }
        len = this.length(REP_LEN, posState);
        this.state = state < 7 ? 8 : 11;
      }
      let from = this.matchFrom(pos);
      // a match may overlap the bytes it produces (a run): then byte by byte
      const n = Math.min(len + MIN_MATCH, end - pos);
      if (n < len + MIN_MATCH) throw new XzError('LZMA match runs past the end of its chunk');
      if (n > 16 && pos - from >= n) {
        out.copyWithin(pos, from, from + n);
        pos += n;
      } else {
        const stop = pos + n;
        while (pos < stop) out[pos++] = out[from++]!;
      }
    }
    return pos;
  }

  /** The output position a match at the current distance copies from, checked against the dictionary. */
  private matchFrom(pos: number): number {
    const from = pos - this.rep0 - 1;
    if (from < this.dictStart) throw new XzError('LZMA distance reaches before the start of the data');
    return from;
  }

  /** Decodes one bit with the probability at `index`. */
  private bit(index: number): number {
    const probs = this.probs;
    const prob = probs[index]!;
    const bound = (this.range >>> 11) * prob;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[index] = prob + ((2048 - prob) >>> MOVE_BITS);
      bit = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[index] = prob - (prob >>> MOVE_BITS);
      bit = 1;
    }
    if (this.range < TOP) this.normalize();
    return bit;
  }

  private normalize(): void {
    this.range = this.range * 256;
    this.code = this.code * 256 + this.input[this.inPos++]!;
  }

  /**
   * A bit tree of `bits` bits at `base`, most significant bit first. The most frequent decoding
   * (every plain literal is an 8-bit tree), so the range decoder lives in locals here.
   */
  private tree(base: number, bits: number): number {
    const probs = this.probs;
    const input = this.input;
    let range = this.range;
    let code = this.code;
    let m = 1;
    for (let i = 0; i < bits; i++) {
      const prob = probs[base + m]!;
      const bound = (range >>> 11) * prob;
      if (code < bound) {
        range = bound;
        probs[base + m] = prob + ((2048 - prob) >>> MOVE_BITS);
        m <<= 1;
      } else {
        range -= bound;
        code -= bound;
        probs[base + m] = prob - (prob >>> MOVE_BITS);
        m = (m << 1) | 1;
      }
      if (range < TOP) {
        range *= 256;
        code = code * 256 + input[this.inPos++]!;
      }
    }
    this.range = range;
    this.code = code;
    return m - (1 << bits);
  }

  /**
   * A bit tree of `bits` bits at `base`, least significant bit first. The probabilities are walked
   * exactly as in `tree`; only the order in which the bits make the value differs.
   */
  private reverseTree(base: number, bits: number): number {
    const msbFirst = this.tree(base, bits);
    let value = 0;
    for (let i = 0; i < bits; i++) value |= ((msbFirst >>> (bits - 1 - i)) & 1) << i;
    return value;
  }

  /** `bits` bits at even probability (long distances have up to 26), with the decoder in locals. */
  private direct(bits: number): number {
    const input = this.input;
    let range = this.range;
    let code = this.code;
    let value = 0;
    for (let i = 0; i < bits; i++) {
      range >>>= 1;
      let b = 0;
      if (code >= range) {
        code -= range;
        b = 1;
      }
      value = (value << 1) | b;
      if (range < TOP) {
        range *= 256;
        code = code * 256 + input[this.inPos++]!;
      }
    }
    this.range = range;
    this.code = code;
    return value;
  }

  /** A match length less the minimum (0 to 271), from the length coder at `coder`. */
  private length(coder: number, posState: number): number {
    if (this.bit(coder + LEN_CHOICE) === 0) return this.tree(coder + LEN_LOW + posState * 8, 3);
    if (this.bit(coder + LEN_CHOICE2) === 0) return 8 + this.tree(coder + LEN_MID + posState * 8, 3);
    return 16 + this.tree(coder + LEN_HIGH, 8);
  }

  /** A match distance less one, for a match of length class `len`. */
  private distance(len: number): number {
    const slot = this.tree(DIST_SLOT + Math.min(len, 3) * 64, 6);
    if (slot < 4) return slot;
    const bits = (slot >>> 1) - 1;
    const base = ((2 | (slot & 1)) << bits) >>> 0;
    if (slot < END_POS_MODEL) return base + this.reverseTree(DIST_SPECIAL + base - slot - 1, bits);
    return base + this.direct(bits - 4) * 16 + this.reverseTree(ALIGN, 4);
  }
}
