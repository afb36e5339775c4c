/**
 * GDB's Remote Serial Protocol framing: `$payload#cs` with a two-digit hex checksum (the sum of the
 * payload bytes mod 256), `}` escaping `$`, `#`, `}` and `*` as the byte XOR 0x20, run-length
 * encoding (`X*n`) in what gdb sends, `+`/`-` acknowledgements and the lone 0x03 that interrupts.
 */

/** Something read from the connection. */
export type RspEvent =
  | { readonly kind: 'packet'; readonly payload: Uint8Array }
  /** A packet whose checksum did not match (answer `-`). */
  | { readonly kind: 'bad-checksum' }
  /** Ctrl-C: gdb asks the target to stop. */
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'ack' }
  | { readonly kind: 'nack' };

const ESCAPED = new Set([0x23 /* # */, 0x24 /* $ */, 0x7d /* } */, 0x2a /* * */]);

/** The checksum of a payload as sent (escaped). */
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

/** Escapes a payload for sending. */
export function escapePayload(payload: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of payload) {
    if (ESCAPED.has(b)) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

/** Frames a payload (text or bytes) as one packet. */
export function encodePacket(payload: string | Uint8Array): Uint8Array {
  const body = escapePayload(typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload);
  const sum = checksum(body).toString(16).padStart(2, '0');
  return Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${sum}`)]);
}

/** Undoes escapes and run-length encoding in a received payload. */
export function unescapePayload(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b === 0x7d && i + 1 < body.length) out.push(body[++i]! ^ 0x20);
    else if (b === 0x2a && out.length > 0 && i + 1 < body.length) {
      const repeat = body[++i]! - 29; // "X*n": n - 29 more copies of X
      const last = out[out.length - 1]!;
      for (let k = 0; k < repeat; k++) out.push(last);
    } else out.push(b);
  }
  return Uint8Array.from(out);
}

/** Splits a byte stream into RSP events; feed it chunks as they arrive. */
export class RspDecoder {
  #buffer: number[] = [];
  #inPacket = false;

  /** Decodes what `chunk` completes. */
  feed(chunk: Uint8Array): RspEvent[] {
    const events: RspEvent[] = [];
    for (const b of chunk) {
      if (!this.#inPacket) {
        if (b === 0x24 /* $ */) {
          this.#inPacket = true;
          this.#buffer = [];
        } else if (b === 0x03) events.push({ kind: 'interrupt' });
        else if (b === 0x2b /* + */) events.push({ kind: 'ack' });
        else if (b === 0x2d /* - */) events.push({ kind: 'nack' });
        continue; // anything else between packets is noise
      }
      this.#buffer.push(b);
      const n = this.#buffer.length;
      // the packet ends two characters after a '#' that is not escaped
      if (n >= 3 && this.#buffer[n - 3] === 0x23 && this.#buffer[n - 4] !== 0x7d) {
        const body = Uint8Array.from(this.#buffer.slice(0, n - 3));
        const sent = parseInt(String.fromCharCode(this.#buffer[n - 2]!, this.#buffer[n - 1]!), 16);
        this.#inPacket = false;
        this.#buffer = [];
        events.push(
          sent === checksum(body)
            ? { kind: 'packet', payload: unescapePayload(body) }
            : { kind: 'bad-checksum' },
        );
      }
    }
    return events;
  }
}

/** Bytes as lower-case hex pairs (how registers and memory travel). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Hex pairs back to bytes; null when the text is not hex. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
