/** Where a virtio block device's bytes live: a local file, a remote URL, or anything else async. */
import { CodedError } from '@armvm/fscache';

/** The stable codes of block backend errors. */
export type BlockErrorCode = 'BLOCK_READ_ONLY' | 'BLOCK_OUT_OF_RANGE' | 'BLOCK_OPEN_FAILED';

/** A block backend refused or failed a request. */
export class BlockBackendError extends CodedError<BlockErrorCode> {}

/** The storage behind a block device. Offsets and lengths are in bytes. */
export interface BlockBackend {
  /** Size in bytes. */
  readonly size: number;
  /** True when writes are refused. */
  readonly readOnly: boolean;
  /** Fills `into` with the bytes at `offset`. */
  read(offset: number, into: Uint8Array): Promise<void>;
  /** Stores `data` at `offset`. */
  write(offset: number, data: Uint8Array): Promise<void>;
  /** Makes completed writes durable. */
  flush(): Promise<void>;
  /** Releases the backend. */
  close(): Promise<void>;
}

/** Throws BLOCK_OUT_OF_RANGE unless [offset, offset + length) lies within `size`. */
export function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > size) {
    throw new BlockBackendError(
      'BLOCK_OUT_OF_RANGE',
      `${length} bytes at ${offset} are beyond the ${size}-byte disk`,
    );
  }
}
