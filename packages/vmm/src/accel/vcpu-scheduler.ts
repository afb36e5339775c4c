/**
 * One run loop per vCPU, all on the Node thread: the loops take turns (the software KVM returns
 * -EINTR at the end of a vCPU's time slice) and the scheduler yields to the event loop between
 * rounds, so timers, terminal input and asynchronous block I/O make progress while guests run.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import type { AddressSpace } from '../memory/index.ts';
import type { ARMCPU } from '../target-arm/arm-cpu.ts';
import type { KvmAccel } from './kvm-accel.ts';
import { kvmCpuExec, type VcpuEvent } from './kvm-cpu-exec.ts';

/** How a run of the machine ended. */
export type RunOutcome =
  | { readonly kind: 'shutdown' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'crash' }
  /** Someone outside the guest asked to stop (e.g. Ctrl-A x). */
  | { readonly kind: 'stopped'; readonly reason: string };

/** Runs every vCPU of a machine until one of them ends the run. */
export class VcpuScheduler {
  readonly #accel: KvmAccel;
  readonly #cpus: readonly ARMCPU[];
  readonly #space: AddressSpace;
  #stop: RunOutcome | undefined;
  /** KVM_RUN calls made (for statistics). */
  runs = 0;

  constructor(accel: KvmAccel, cpus: readonly ARMCPU[], space: AddressSpace) {
    this.#accel = accel;
    this.#cpus = cpus;
    this.#space = space;
  }

  /** Asks the loops to stop at the next turn. */
  requestStop(reason: string): void {
    this.#stop ??= { kind: 'stopped', reason };
  }

  /** Runs until shutdown, reset, a crash report or a stop request; a guest error rejects. */
  async run(): Promise<RunOutcome> {
    this.#stop = undefined;
    for (;;) {
      for (const cpu of this.#cpus) {
        if (this.#stop) return this.#stop;
        this.runs++;
        const event: VcpuEvent = kvmCpuExec(this.#accel, cpu, this.#space);
        if (event.kind !== 'yield') return event;
      }
      await nextTick();
    }
  }
}
