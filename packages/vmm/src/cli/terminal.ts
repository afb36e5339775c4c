/**
 * The terminal as the guest's serial line, with QEMU's escape key: Ctrl-A x quits, Ctrl-A c
 * switches between the serial console and the monitor, Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A h
 * lists the keys. Other bytes go to the guest as typed; on a TTY the
 * terminal is in raw mode so every key reaches the guest at once (and Ctrl-C too).
 */

const CTRL_A = 0x01;

/** What the escape filter asks of its owner. */
export interface TerminalActions {
  /** Bytes for the guest. */
  input(bytes: Uint8Array): void;
  /** The user asked to quit. */
  quit(): void;
  /** Text for the user (not the guest). */
  message(text: string): void;
  /** Ctrl-A c: the keys go to the monitor from now on, or back to the guest. */
  switchFocus(): void;
}

export const ESCAPE_HELP =
  '\r\nC-a h    print this help\r\nC-a x    exit emulator\r\n' +
  'C-a c    switch between the serial console and the monitor\r\nC-a C-a  sends C-a\r\n';

/** Splits keystrokes into guest input and escape commands. */
export class EscapeFilter {
  readonly #actions: TerminalActions;
  #afterEscape = false;

  constructor(actions: TerminalActions) {
    this.#actions = actions;
  }

  /** Handles a chunk of keystrokes. */
  feed(chunk: Uint8Array): void {
    const pass: number[] = [];
    for (const byte of chunk) {
      if (this.#afterEscape) {
        this.#afterEscape = false;
        if (byte === CTRL_A) pass.push(CTRL_A);
        else if (byte === 0x78 /* x */) {
          this.#flush(pass);
          this.#actions.quit();
          return;
        } else if (byte === 0x63 /* c */) {
          this.#flush(pass);
          this.#actions.switchFocus();
        } else if (byte === 0x68 /* h */ || byte === 0x3f /* ? */) {
          this.#flush(pass);
          this.#actions.message(ESCAPE_HELP);
        }
        // Anything else after Ctrl-A is swallowed, as QEMU does with unknown commands.
      } else if (byte === CTRL_A) {
        this.#afterEscape = true;
      } else {
        pass.push(byte);
      }
    }
    this.#flush(pass);
  }

  #flush(pass: number[]): void {
    if (pass.length > 0) this.#actions.input(Uint8Array.from(pass.splice(0)));
  }
}

/** Connects a readable terminal to the filter; returns a function that restores it. */
export function attachTerminal(stdin: NodeJS.ReadStream, actions: TerminalActions): () => void {
  const filter = new EscapeFilter(actions);
  const tty = stdin.isTTY === true;
  if (tty) stdin.setRawMode(true);
  const onData = (chunk: Buffer): void => filter.feed(chunk);
  stdin.on('data', onData);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    if (tty) stdin.setRawMode(false);
    stdin.pause();
  };
}
