/** Errors of the device tree writer and reader. */
import { CodedError } from '@armvm/fscache';

/** The stable codes of device tree errors. */
export type FdtErrorCode = 'FDT_BAD_NAME' | 'FDT_BAD_VALUE' | 'FDT_BAD_BLOB';

/** A malformed tree or blob. */
export class FdtError extends CodedError<FdtErrorCode> {}
