/**
 * The five FS-Cache timing histograms, rendered as /proc/fs/fscache/histogram. Buckets are one
 * millisecond wide (the kernel's were one jiffy) and times past the last bucket land in it.
 */

/** Number of buckets: one second of milliseconds, as the kernel kept HZ jiffies. */
export const HISTOGRAM_BUCKETS = 1000;

/** The histogram series, in column order. */
export const HISTOGRAM_SERIES = [
  'objInstantiate',
  'opRuns',
  'objRuns',
  'retrievalDelay',
  'retrievals',
] as const;
/** One series' name. */
export type HistogramSeries = (typeof HISTOGRAM_SERIES)[number];

/** A histogram row: the bucket (ms) and its five counts, for programs. */
export interface HistogramRow {
  ms: number;
  counts: Record<HistogramSeries, number>;
}

/** Timing histograms of one FS-Cache instance. */
export class FscacheHistogram {
  readonly series: Record<HistogramSeries, Uint32Array> = {
    objInstantiate: new Uint32Array(HISTOGRAM_BUCKETS),
    opRuns: new Uint32Array(HISTOGRAM_BUCKETS),
    objRuns: new Uint32Array(HISTOGRAM_BUCKETS),
    retrievalDelay: new Uint32Array(HISTOGRAM_BUCKETS),
    retrievals: new Uint32Array(HISTOGRAM_BUCKETS),
  };

  /** Counts one interval of `ms` milliseconds in `series`. */
  record(series: HistogramSeries, ms: number): void {
    let bucket = Math.floor(ms);
    if (!(bucket >= 0)) bucket = 0;
    if (bucket >= HISTOGRAM_BUCKETS) bucket = HISTOGRAM_BUCKETS - 1;
    this.series[series][bucket]!++;
  }

  /** The non-empty rows, for programs. */
  rows(): HistogramRow[] {
    const out: HistogramRow[] = [];
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      const counts = {} as Record<HistogramSeries, number>;
      let any = 0;
      for (const s of HISTOGRAM_SERIES) any |= counts[s] = this.series[s][i]!;
      if (any) out.push({ ms: i, counts });
    }
    return out;
  }

  /** The histogram in the format of /proc/fs/fscache/histogram. */
  text(): string {
    let out = 'JIFS  SECS  OBJ INST  OP RUNS   OBJ RUNS  RETRV DLY RETRIEVLS\n';
    out += '===== ===== ========= ========= ========= ========= =========\n';
    for (const { ms, counts } of this.rows()) {
      const secs = `0.${String(Math.floor((ms * 1000) / HISTOGRAM_BUCKETS)).padStart(3, '0')}`;
      const cols = HISTOGRAM_SERIES.map((s) => String(counts[s]).padStart(9)).join(' ');
      out += `${String(ms).padStart(4)}  ${secs} ${cols}\n`;
    }
    return out;
  }
}
