/**
 * One run loop per vCPU, all on the Node thread: the loops take turns (the software KVM returns
 * -EINTR at the end of a vCPU's time slice) and the scheduler yields to the event loop between
 * rounds, so timers, terminal input and asynchronous block I/O make progress while guests run.
 * The VM can be paused (QEMU's vm_stop: by a debug exit, gdb's Ctrl-C, the monitor's `stop`, -S)
 * and resumed (vm_start), optionally running a single vCPU (gdb's single step).
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import type { AddressSpace } from '../memory/index.ts';
import type { ARMCPU } from '../target-arm/arm-cpu.ts';
import type { KvmAccel } from './kvm-accel.ts';
import { kvmCpuExec, type VcpuEvent } from './kvm-cpu-exec.ts';

/** How a run of the machine ended. */
export type RunOutcome =
  | { readonly kind: 'shutdown' }
  /** A guest reset, or `system_reset` (`paused`: the VM was paused then and stays so after). */
  | { readonly kind: 'reset'; readonly paused?: boolean }
  | { readonly kind: 'crash' }
  /** Someone outside the guest asked to stop (e.g. Ctrl-A x). */
  | { readonly kind: 'stopped'; readonly reason: string };

/** Why the VM paused: a vCPU's debug exit, or a request from outside (gdb's Ctrl-C, `stop`). */
export type PauseReason =
  { readonly kind: 'debug'; readonly cpuIndex: number } | { readonly kind: 'request'; readonly why: string };

/** Runs every vCPU of a machine until one of them ends the run. */
export class VcpuScheduler {
  readonly #accel: KvmAccel;
  readonly #cpus: readonly ARMCPU[];
  readonly #space: AddressSpace;
  #stop: RunOutcome | undefined;
  #pauseAsked: PauseReason | undefined;
  #paused = false;
  #wake: (() => void) | undefined;
  /** When set, only this vCPU runs (a single step). */
  #only: number | undefined;
  /** KVM_RUN calls made (for statistics). */
  runs = 0;
  /** Told each time the VM pauses (after every vCPU has left KVM_RUN). */
  onPause: ((reason: PauseReason) => void) | undefined;
  /** Callers of `whenPaused`, told at the next pause or when the run ends. */
  #pauseWaiters: (() => void)[] = [];

  constructor(accel: KvmAccel, cpus: readonly ARMCPU[], space: AddressSpace) {
    this.#accel = accel;
    this.#cpus = cpus;
    this.#space = space;
  }

  /** True while the VM is paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Asks the loops to stop at the next turn. */
  requestStop(reason: string): void {
    this.#stop ??= { kind: 'stopped', reason };
    this.#wake?.();
  }

  /** qemu_system_reset_request: ends the run as a guest reset does (the machine reboots or exits). */
  requestReset(): void {
    this.#stop ??= { kind: 'reset', paused: this.#paused };
    this.#wake?.();
  }

  /** Resolves once the VM is paused (at once if it is), or once the run has ended. */
  whenPaused(): Promise<void> {
    if (this.#paused) return Promise.resolve();
    return new Promise((resolve) => this.#pauseWaiters.push(resolve));
  }

  /** vm_stop: pauses at the next turn (onPause is called then); nothing if already paused. */
  requestPause(why: string): void {
    if (!this.#paused) this.#pauseAsked ??= { kind: 'request', why };
  }

  /** vm_start: resumes a paused VM; with `only`, just that vCPU runs (until it pauses again). */
  resume(only?: number): void {
    this.#only = only;
    this.#pauseAsked = undefined;
    this.#paused = false;
    this.#wake?.();
  }

  /** Runs until shutdown, reset, a crash report or a stop request; a guest error rejects. */
  async run(options: { startPaused?: boolean } = {}): Promise<RunOutcome> {
    try {
      return await this.#run(options.startPaused ?? false);
    } finally {
      this.#paused = false;
      this.#tellPauseWaiters();
    }
  }

  #tellPauseWaiters(): void {
    for (const resolve of this.#pauseWaiters.splice(0)) resolve();
  }

  async #run(startPaused: boolean): Promise<RunOutcome> {
    this.#stop = undefined;
    if (startPaused) this.#pauseAsked = { kind: 'request', why: 'started with -S' };
    for (;;) {
      for (const cpu of this.#cpus) {
        if (this.#stop) return this.#stop;
        if (this.#pauseAsked) break;
        if (this.#only !== undefined && cpu.cpuIndex !== this.#only) continue;
        this.runs++;
        const event: VcpuEvent = kvmCpuExec(this.#accel, cpu, this.#space);
        if (event.kind === 'debug') {
          this.#pauseAsked = { kind: 'debug', cpuIndex: cpu.cpuIndex };
          break;
        }
        if (event.kind !== 'yield') return event;
      }
      if (this.#pauseAsked && !this.#stop) {
        const reason = this.#pauseAsked;
        this.#paused = true;
        this.onPause?.(reason);
        this.#tellPauseWaiters();
        while (this.#paused && !this.#stop) await new Promise<void>((wake) => (this.#wake = wake));
        this.#wake = undefined;
        continue;
      }
      await nextTick();
    }
  }
}
