/** Errors of the FS-Cache core: errno-coded failures and loud assertions. */

/** The errno names this package reports. */
export type FscacheErrorCode =
  | 'ENOBUFS'
  | 'ENODATA'
  | 'ENOMEM'
  | 'EEXIST'
  | 'EINVAL'
  | 'ENOENT'
  | 'EIO'
  | 'ENOSPC'
  | 'ETIMEDOUT'
  | 'EINTR'
  | 'ESTALE'
  | 'EBUSY';

/**
 * An error with a stable `code` for programs, named after its class: the base of the coded errors
 * of this package and of the packages built on it.
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A failure with a stable errno-style code, e.g. a backend's ETIMEDOUT or ENOMEM. */
export class FscacheError extends CodedError<FscacheErrorCode> {
  constructor(code: FscacheErrorCode, message?: string, options?: { cause?: unknown }) {
    super(code, message ?? code, options);
  }
}

/** True when `err` carries the errno-style `code` (ours, or a Node system error). */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** What an assertion knows about the object it failed on. */
export interface AssertionContext {
  objectId?: number;
  state?: string;
  event?: string;
  events?: number;
  mask?: number;
}

/**
 * A broken invariant: the kernel would BUG(). Thrown with the object's debug id, its state and
 * the event involved so that the failure can be diagnosed from the message alone.
 */
export class FscacheAssertionError extends Error {
  readonly code = 'ERR_FSCACHE_ASSERTION';
  readonly context: AssertionContext;
  constructor(message: string, context: AssertionContext = {}) {
    const parts: string[] = [];
    if (context.objectId !== undefined) parts.push(`OBJ${context.objectId.toString(16)}`);
    if (context.state !== undefined) parts.push(`state=${context.state}`);
    if (context.event !== undefined) parts.push(`event=${context.event}`);
    if (context.events !== undefined) parts.push(`events=${context.events.toString(16)}`);
    if (context.mask !== undefined) parts.push(`mask=${context.mask.toString(16)}`);
    super(`FS-Cache: Assertion failed: ${message}${parts.length ? ` [${parts.join(' ')}]` : ''}`);
    this.name = 'FscacheAssertionError';
    this.context = context;
  }
}

/** Throws an FscacheAssertionError unless `cond` holds. */
export function assert(cond: unknown, message: string, context?: AssertionContext): asserts cond {
  if (!cond) throw new FscacheAssertionError(message, context);
}
