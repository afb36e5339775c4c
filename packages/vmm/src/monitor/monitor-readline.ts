/**
 * The monitor's line editor, for a terminal in raw mode: typed characters are echoed, Backspace
 * and Ctrl-U erase, Enter (CR, LF or CR LF) ends the line; cursor and function keys are ignored.
 */

/** What a chunk of keystrokes gave: text to echo, and the lines completed. */
export interface ReadlineResult {
  readonly echo: string;
  readonly lines: readonly string[];
}

const ESC = 0x1b;

/** Keeps the line being typed across chunks. */
export class MonitorReadline {
  #line = '';
  /** A CR ended the last line: an LF right after it is the same Enter. */
  #afterCr = false;
  /** Inside an escape sequence (ESC [ ... final byte). */
  #escape: 'none' | 'esc' | 'csi' = 'none';

  /** Handles keystrokes. */
  feed(bytes: Uint8Array): ReadlineResult {
    let echo = '';
    const lines: string[] = [];
    for (const byte of bytes) {
      const afterCr = this.#afterCr;
      this.#afterCr = false;
      if (this.#escape !== 'none') {
        if (this.#escape === 'esc') this.#escape = byte === 0x5b || byte === 0x4f ? 'csi' : 'none';
        else if (byte >= 0x40 && byte <= 0x7e) this.#escape = 'none';
        continue;
      }
      if (byte === 0x0d || byte === 0x0a) {
        if (byte === 0x0a && afterCr) continue;
        this.#afterCr = byte === 0x0d;
        lines.push(this.#line);
        this.#line = '';
        echo += '\n';
      } else if (byte === 0x7f || byte === 0x08) {
        if (this.#line.length > 0) {
          this.#line = this.#line.slice(0, -1);
          echo += '\b \b';
        }
      } else if (byte === 0x15) {
        echo += '\b \b'.repeat(this.#line.length);
        this.#line = '';
      } else if (byte === ESC) {
        this.#escape = 'esc';
      } else if (byte >= 0x20 && byte < 0x7f) {
        this.#line += String.fromCharCode(byte);
        echo += String.fromCharCode(byte);
      }
    }
    return { echo, lines };
  }
}
