/** Errors of the device tree writer and reader. */

/** The stable codes of device tree errors. */
export type FdtErrorCode = 'FDT_BAD_NAME' | 'FDT_BAD_VALUE' | 'FDT_BAD_BLOB';

/** A malformed tree or blob. */
export class FdtError extends Error {
  /** Stable code for programs. */
  readonly code: FdtErrorCode;
  constructor(code: FdtErrorCode, message: string) {
    super(message);
    this.name = 'FdtError';
    this.code = code;
  }
}
