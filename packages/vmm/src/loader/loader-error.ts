/** Errors of the loaders: each names the file and what is wrong with it. */
import { CodedError } from '@armvm/fscache';

/** The stable codes of loader errors. */
export type LoaderErrorCode =
  | 'LOADER_NOT_FOUND'
  | 'LOADER_READ_FAILED'
  | 'LOADER_BAD_ELF'
  | 'LOADER_OUTSIDE_RAM'
  | 'LOADER_TOO_BIG'
  | 'LOADER_BAD_DTB';

/** An image could not be loaded. */
export class LoaderError extends CodedError<LoaderErrorCode> {}
