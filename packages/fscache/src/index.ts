/** FS-Cache core: the public surface (netfs API, backend API, observability). */
export type { CacheBackend } from './backend.ts';
export { DEFAULT_PAGE_SIZE, FscacheCache } from './cache.ts';
export { type Clock, ManualClock, realClock, sleep, type Timer } from './clock.ts';
export { CookieFlag, FscacheCookie } from './cookie.ts';
export { type Blob, blobBytes, blobKey, CheckAux, type CookieDef, type CookieType } from './cookie-def.ts';
export { CodedError, FscacheAssertionError, FscacheError, type FscacheErrorCode, hasCode } from './errors.ts';
export { type AttrChangedResult, Fscache, type FscacheOptions, type Netfs } from './fscache.ts';
export { FscacheHistogram, HISTOGRAM_SERIES, type HistogramRow, type HistogramSeries } from './histogram.ts';
export { MemoryCache, type MemoryCacheFaults, MemoryObject, PAGE_SIZE } from './memory-cache.ts';
export {
  FscacheObject,
  type ObjectBackend,
  type ObjectCache,
  type ObjectCookie,
  type PageData,
} from './object.ts';
export {
  ALL_EVENTS,
  eventBit,
  KILL_EVENTS,
  OBJECT_EVENT_NAMES,
  OBJECT_STATE_NAMES,
  OBJECT_STATE_SHORT_NAMES,
  ObjectEvent,
  ObjectState,
  stateName,
  winningEvent,
} from './object-state.ts';
export { STATE_TABLE, TRANSITIONS } from './object-state-machine.ts';
export { FscacheOperation, type OperationObject } from './operation.ts';
export type { AllocResult, ReadOptions, ReadPagesResult, ReadResult, WriteResult } from './page-ops.ts';
export {
  COUNTER_NAMES,
  type FscacheCounters,
  type FscacheStatsSnapshot,
  formatStats,
  STATS_LINES,
} from './stats.ts';
export { parseTraceMask, TRACE_ALL, TracePoint, Tracer, TraceStream, traceBit } from './trace.ts';
export { type MaybePromise, WorkerPool } from './worker-pool.ts';
