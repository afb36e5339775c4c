/**
 * Who gets the terminal's keys (QEMU's chardev mux): the guest's serial line, or the monitor. With
 * `-serial mon:stdio` (armvm's default) Ctrl-A c moves the keys from one to the other; with
 * `-monitor stdio` the monitor has them all; with `-monitor none` the guest does.
 */
import type { RunOptions } from './run-options.ts';

/** The monitor as the terminal sees it. */
export interface MonitorFrontend {
  /** The keys come to the monitor from now on (it greets or prompts). */
  focus(): void;
  feed(bytes: Uint8Array): void;
}

/** Routes keystrokes to the focused side. */
export class TerminalMux {
  readonly #serial: ((bytes: Uint8Array) => void) | undefined;
  readonly #monitor: MonitorFrontend | undefined;
  readonly #mode: RunOptions['monitor'];
  #focus: 'serial' | 'monitor';

  /** `serial` is undefined when the guest's serial line is not on this terminal. */
  constructor(
    mode: RunOptions['monitor'],
    serial: ((bytes: Uint8Array) => void) | undefined,
    monitor: MonitorFrontend | undefined,
  ) {
    this.#mode = monitor === undefined ? 'none' : mode;
    this.#serial = serial;
    this.#monitor = monitor;
    this.#focus = this.#mode === 'stdio' ? 'monitor' : 'serial';
  }

  /** Where the keys go now. */
  get focus(): 'serial' | 'monitor' {
    return this.#focus;
  }

  /** The run starts: a monitor that owns the terminal greets at once. */
  start(): void {
    if (this.#focus === 'monitor') this.#monitor?.focus();
  }

  /** Keystrokes (escapes already taken out). */
  input(bytes: Uint8Array): void {
    if (this.#focus === 'monitor') this.#monitor?.feed(bytes);
    else this.#serial?.(bytes);
  }

  /** Ctrl-A c: only a shared terminal switches. */
  switchFocus(): void {
    if (this.#mode !== 'mux') return;
    this.#focus = this.#focus === 'serial' ? 'monitor' : 'serial';
    if (this.#focus === 'monitor') this.#monitor?.focus();
  }
}
