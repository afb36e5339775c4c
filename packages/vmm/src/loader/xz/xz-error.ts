/** An .xz stream that cannot be decoded: corrupt, truncated, or using a feature not supported. */
export class XzError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XzError';
  }
}
