/** The base of the VMM's errors that carry a stable `code` for programs. */

/** An error with a stable `code`, named after its class. */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
