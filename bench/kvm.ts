/**
 * The software KVM's exit path: a UART-heavy guest (conformance p-uart-flood, every character a
 * store to the PL011 that leaves the vCPU as a KVM_EXIT_MMIO) run through KVM_RUN as a VMM would,
 * beside the same guest on the bare CPU loop. Reported: instructions per second both ways, and the
 * cost per MMIO exit both ways (the test machine's loop is a simple peer, not a floor: it is slower
 * than the KVM path on this guest).
 */
import { readFileSync } from 'node:fs';
import { TestMachine } from '@armvm/arm/testing';
import { KVM_ARM_VCPU_INIT, KVM_RUN, KvmExit, type KvmVcpu } from '@armvm/kvm';
import { loadElf, makeVm, UART_BASE } from '../packages/kvm/src/test-support/guest.ts';
import { median } from './machine.ts';

const ROOT = new URL('../conformance/', import.meta.url);
/** One VM with a vCPU, created once; each run re-initialises the vCPU and reloads the program. */
class KvmGuest {
  private readonly ram: Uint8Array;
  private readonly vcpu: KvmVcpu;

  constructor() {
    // RAM at the virt board's base, the VGIC at QEMU's addresses, PSCI 0.2
    const { vcpus, ram } = makeVm({ features: 1 << 1 });
    this.vcpu = vcpus[0]!;
    this.ram = ram;
  }

  run(elf: Uint8Array): { ms: number; out: string; instructions: number; exits: number } {
    const vcpu = this.vcpu;
    vcpu.ioctl(KVM_ARM_VCPU_INIT, { target: 0, features: [1 << 1] }); // reset, as a VMM's reboot does
    loadElf(this.ram, vcpu, elf);
    const run = vcpu.kvmRun;
    const out: number[] = [];
    let exits = 0;
    const start = vcpu.cpu.retired;
    const t = performance.now();
    for (;;) {
      const r = vcpu.ioctl(KVM_RUN) as number;
      if (r < 0) throw new Error(`KVM_RUN ${r}`);
      if (run.exit_reason === KvmExit.SYSTEM_EVENT) break;
      if (run.exit_reason !== KvmExit.MMIO) throw new Error(`exit ${run.exit_reason}`);
      exits++;
      if (run.mmio.is_write) {
        if (Number(run.mmio.phys_addr) === UART_BASE) out.push(run.mmio.data[0]!);
      } else run.mmio.data.fill(0);
    }
    const ms = performance.now() - t;
    return { ms, out: Buffer.from(out).toString('latin1'), instructions: vcpu.cpu.retired - start, exits };
  }
}

/** The same program on the CPU with the test machine's own exit loop (no KVM layer), reused likewise. */
class BareGuest {
  private readonly m = new TestMachine(16 << 20);

  run(elf: Uint8Array): { ms: number; out: string; instructions: number } {
    const m = this.m;
    m.cpu.reset();
    m.loadElf(elf);
    const before = m.output.length;
    const start = m.cpu.retired;
    const t = performance.now();
    const stop = m.run(5_000_000_000);
    const ms = performance.now() - t;
    if (stop.kind !== 'poweroff') throw new Error(`guest stopped with ${stop.kind}`);
    const out = Buffer.from(m.output.subarray(before)).toString('latin1');
    return { ms, out, instructions: m.cpu.retired - start };
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Runs `f` `times` times and returns the total of the milliseconds each run timed itself, collecting
 * garbage first so no run pays for the previous one's.
 */
function timed<T extends { ms: number }>(f: () => T, times: number): { ms: number; last: T } {
  let ms = 0;
  let last: T | undefined;
  for (let i = 0; i < times; i++) {
    gc?.();
    last = f();
    ms += last.ms;
  }
  return { ms, last: last! };
}

/** Prints the KVM_RUN round-trip cost per MMIO exit beside the guest's instruction rate. */
export async function benchKvm(opts: { quick: boolean }): Promise<void> {
  const runs = opts.quick ? 5 : 15;
  const reps = 5; // guest runs per sample
  for (const isa of ['arm', 'thumb']) {
    const name = `p-uart-flood.${isa}`;
    const elf = readFileSync(new URL(`build/${name}.elf`, ROOT));
    const expected = readFileSync(new URL(`expected/${name}.txt`, ROOT), 'latin1');
    const kvmGuest = new KvmGuest();
    const bareGuest = new BareGuest();
    const kvmRun = (): ReturnType<KvmGuest['run']> => kvmGuest.run(elf);
    const bareRun = (): ReturnType<BareGuest['run']> => bareGuest.run(elf);
    for (let i = 0; i < 3; i++) {
      kvmRun(); // warm-up: both paths compiled by the JS engine before timing
      bareRun();
    }
    const kvm: number[] = [];
    const bare: number[] = [];
    let sample = kvmRun();
    // alternate the two so that load from other processes falls on both alike
    for (let i = 0; i < runs; i++) {
      const k = timed(kvmRun, reps);
      const b = timed(bareRun, reps);
      if (k.last.out !== expected || b.last.out !== expected)
        throw new Error(`${name}: output differs from QEMU's`);
      kvm.push(k.ms / reps);
      bare.push(b.ms / reps);
      sample = k.last;
    }
    const k = median(kvm);
    const b = median(bare);
    const n = sample.instructions;
    const exits = sample.exits;
    console.log(
      `${name.padEnd(20)} ${(n / 1e6).toFixed(2)}M insns, ${exits} MMIO exits (one per ${(n / exits).toFixed(0)} insns)`,
    );
    console.log(
      `  through KVM_RUN ${k.toFixed(1)} ms = ${(n / k / 1000).toFixed(1)} MIPS   bare CPU loop ${b.toFixed(1)} ms = ${(n / b / 1000).toFixed(1)} MIPS`,
    );
    console.log(
      `  per MMIO exit: ${((k * 1000) / exits).toFixed(2)} us per KVM_RUN round trip (guest code included), ` +
        `${((b * 1000) / exits).toFixed(2)} us per exit of the bare loop   (median of ${runs} x ${reps})`,
    );
  }
}
