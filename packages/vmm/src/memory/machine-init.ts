/**
 * The machine-init-done notifier list: code that must wait for the board to be fully wired (e.g.
 * telling KVM where in-kernel devices ended up) registers here, and the board calls
 * `machineInitDone()` once at the end of its setup.
 */

/** Called once the machine is built. */
export type MachineInitDoneNotifier = () => void;

/** The notifier list of one machine. */
export class MachineInit {
  #notifiers: MachineInitDoneNotifier[] = [];
  #done = false;

  /** True after `machineInitDone()`. */
  get done(): boolean {
    return this.#done;
  }

  /** Adds a notifier; one added after init is done runs at once, so no caller misses the event. */
  addMachineInitDoneNotifier(notifier: MachineInitDoneNotifier): void {
    if (this.#done) {
      notifier();
      return;
    }
    this.#notifiers.push(notifier);
  }

  /** Removes a notifier not yet run. */
  removeMachineInitDoneNotifier(notifier: MachineInitDoneNotifier): void {
    const at = this.#notifiers.indexOf(notifier);
    if (at >= 0) this.#notifiers.splice(at, 1);
  }

  /** Runs every notifier in registration order, once. */
  machineInitDone(): void {
    if (this.#done) return;
    this.#done = true;
    const notifiers = this.#notifiers;
    this.#notifiers = [];
    for (const notifier of notifiers) notifier();
  }
}
