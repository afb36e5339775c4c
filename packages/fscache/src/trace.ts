/**
 * Debug tracing with the kernel's mask: four streams (cache, cookie, page, operation), each with
 * three points (enter, leave, debug); bit = point << (stream * 3). Switched on by the
 * FSCACHE_DEBUG environment variable (a number or a list such as `cookie,page.enter`) or by
 * NODE_DEBUG=fscache (everything), or by the `debug` option.
 */

/** The four trace streams. */
export const TraceStream = { CACHE: 0, COOKIE: 1, PAGE: 2, OPERATION: 3 } as const;
/** One trace stream. */
export type TraceStream = (typeof TraceStream)[keyof typeof TraceStream];

/** The three trace points of a stream. */
export const TracePoint = { ENTER: 1, LEAVE: 2, DEBUG: 4 } as const;
/** One trace point. */
export type TracePoint = (typeof TracePoint)[keyof typeof TracePoint];

const STREAM_NAMES = ['cache', 'cookie', 'page', 'operation'] as const;
const POINT_NAMES = { enter: 1, leave: 2, debug: 4 } as const;

/** Every bit of the mask. */
export const TRACE_ALL = 0xfff;

/** The mask bit of one stream's point. */
export function traceBit(stream: TraceStream, point: TracePoint): number {
  return point << (stream * 3);
}

/**
 * Parses a debug mask: a number (`73`, `0x49`) or a comma list of `stream`, `stream.point` or
 * `all`. Throws a clear error for anything else.
 */
export function parseTraceMask(spec: string): number {
  const s = spec.trim();
  if (s === '') return 0;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(s)) {
    const n = Number(s);
    if (n > TRACE_ALL)
      throw new RangeError(`fscache debug mask ${s} has bits above 0x${TRACE_ALL.toString(16)}`);
    return n;
  }
  let mask = 0;
  for (const part of s.split(',')) {
    const [streamName, pointName] = part.trim().toLowerCase().split('.');
    if (streamName === 'all' && pointName === undefined) {
      mask |= TRACE_ALL;
      continue;
    }
    const stream = STREAM_NAMES.indexOf(streamName as (typeof STREAM_NAMES)[number]);
    if (stream < 0) throw new RangeError(`unknown fscache debug stream "${streamName}" in "${spec}"`);
    let points = 7;
    if (pointName !== undefined) {
      const p = POINT_NAMES[pointName as keyof typeof POINT_NAMES];
      if (p === undefined) throw new RangeError(`unknown fscache debug point "${pointName}" in "${spec}"`);
      points = p;
    }
    mask |= points << (stream * 3);
  }
  return mask;
}

/** The mask the environment asks for: FSCACHE_DEBUG first, then NODE_DEBUG containing fscache. */
export function traceMaskFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  if (env.FSCACHE_DEBUG !== undefined) return parseTraceMask(env.FSCACHE_DEBUG);
  const nodeDebug = env.NODE_DEBUG ?? '';
  return nodeDebug.split(/[\s,]+/).some((w) => /^fscache\*?$/i.test(w)) ? TRACE_ALL : 0;
}

/** Where trace lines go. */
export type TraceSink = (line: string) => void;

/** Emits enter/leave/debug lines for the streams its mask selects. */
export class Tracer {
  /** The active mask; test a bit before building an expensive message. */
  mask: number;
  readonly #sink: TraceSink;

  constructor(mask: number, sink: TraceSink = (line) => process.stderr.write(`${line}\n`)) {
    this.mask = mask;
    this.#sink = sink;
  }

  /** True when the stream's point is switched on. */
  on(stream: TraceStream, point: TracePoint): boolean {
    return (this.mask & traceBit(stream, point)) !== 0;
  }

  /** `[comm  ] ==> fn(args)` on function entry. */
  enter(stream: TraceStream, comm: string, fn: string, args = ''): void {
    if (this.mask & traceBit(stream, TracePoint.ENTER)) this.#sink(`[${tag(comm)}] ==> ${fn}(${args})`);
  }

  /** `[comm  ] <== fn()result` on function exit. */
  leave(stream: TraceStream, comm: string, fn: string, result = ''): void {
    if (this.mask & traceBit(stream, TracePoint.LEAVE)) this.#sink(`[${tag(comm)}] <== ${fn}()${result}`);
  }

  /** A free-form debug line. */
  debug(stream: TraceStream, comm: string, message: string): void {
    if (this.mask & traceBit(stream, TracePoint.DEBUG)) this.#sink(`[${tag(comm)}] ${message}`);
  }
}

// The kernel prints the task name as %-6.6s.
function tag(comm: string): string {
  return comm.slice(0, 6).padEnd(6);
}
