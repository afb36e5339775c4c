import { CodedError } from '@armvm/fscache';

/** An .xz stream that cannot be decoded: corrupt, truncated, or using a feature not supported. */
export class XzError extends CodedError<'LOADER_BAD_XZ'> {
  constructor(message: string) {
    super('LOADER_BAD_XZ', message);
  }
}
