/**
 * The smallest machine that runs conformance programs: RAM where QEMU's `virt` board has it, the
 * PL011 data register as output, and PSCI SYSTEM_OFF through HVC.
 *
 *   0x09000000  PL011 UART (data register at +0x00, flags at +0x18)
 *   0x40000000  RAM
 */
import { Bus } from '../bus.ts';
import { Cpu } from '../cpu.ts';
import { jitTranslator } from '../jit/jit.ts';
import { parseElf } from '../elf.ts';
import type { CpuExit } from '../exit.ts';

/** Physical base of RAM on the virt board. */
export const RAM_BASE = 0x40000000;
/** Physical base of the PL011. */
export const UART_BASE = 0x09000000;
/** PSCI function ids (SMC32 calling convention) and results, as the virt board answers them. */
export const Psci = {
  version: 0x84000000,
  cpuSuspend: 0x84000001,
  cpuOff: 0x84000002,
  cpuOn: 0x84000003,
  affinityInfo: 0x84000004,
  migrateInfoType: 0x84000006,
  systemOff: 0x84000008,
  systemReset: 0x84000009,
  features: 0x8400000a,
  /** PSCI 1.1, the version the reference board reports. */
  version11: 0x00010001,
  /** MIGRATE_INFO_TYPE: no trusted OS that needs migrating. */
  migrateNotRequired: 2,
  notSupported: -1,
} as const;

const PSCI_FEATURES = new Set<number>([
  Psci.version,
  Psci.cpuSuspend,
  Psci.cpuOff,
  Psci.cpuOn,
  Psci.affinityInfo,
  Psci.migrateInfoType,
  Psci.systemOff,
  Psci.systemReset,
]);

/** The answer to a PSCI call other than SYSTEM_OFF/RESET on a one-CPU machine (r0 of the return). */
export function psciAnswer(fn: number, arg1: number): number {
  switch (fn) {
    case Psci.version:
      return Psci.version11;
    case Psci.migrateInfoType:
      return Psci.migrateNotRequired;
    case Psci.affinityInfo:
      return arg1 === 0 ? 0 : Psci.notSupported; // CPU 0 is on; there is no other
    case Psci.features:
      return PSCI_FEATURES.has(arg1) ? 0 : Psci.notSupported;
    default:
      return Psci.notSupported;
  }
}

/** How a test-machine run ended. */
export type MachineStop =
  | { readonly kind: 'poweroff' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'limit' }
  | { readonly kind: 'wfi' }
  | { readonly kind: 'smc'; readonly imm: number };

/** How a TestMachine's CPU runs guest code. */
export interface TestMachineOptions {
  /** Translate guest code (the default); false interprets one instruction at a time. */
  readonly jit?: boolean;
  /** Runs of a block before the translator compiles it (see `jitTranslator`). */
  readonly compileAfter?: number;
}

/** A CPU, RAM and a UART that collects what the guest prints. */
export class TestMachine {
  /** The physical address space. */
  readonly bus: Bus;
  /** The CPU. */
  readonly cpu: Cpu;
  private readonly out: number[] = [];

  constructor(ramSize = 16 << 20, options: TestMachineOptions = {}) {
    this.bus = new Bus(RAM_BASE, new Uint8Array(ramSize));
    const translator = options.jit === false ? undefined : jitTranslator(options.compileAfter);
    this.cpu = new Cpu(this.bus, { translator });
  }

  /** Loads an ELF executable and points the CPU at its entry, in the state QEMU resets into. */
  loadElf(bytes: Uint8Array): void {
    const img = parseElf(bytes);
    for (const seg of img.segments) {
      this.bus.load(seg.paddr, seg.data);
      if (seg.memsz > seg.data.length) {
        this.bus.load(seg.paddr + seg.data.length, new Uint8Array(seg.memsz - seg.data.length));
      }
    }
    this.cpu.cpsr = 0x1d3; // SVC, A/I/F masked
    this.cpu.t = img.entry & 1;
    this.cpu.pc = img.entry & ~1;
  }

  /** Everything the guest wrote to the UART so far. */
  get output(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  /** Runs until power-off or reset, a WFI with nothing to wake it, an SMC, or `limit` instructions. */
  run(limit = 50_000_000): MachineStop {
    const cpu = this.cpu;
    const start = cpu.retired;
    for (;;) {
      const left = limit - (cpu.retired - start);
      if (left <= 0) return { kind: 'limit' };
      const exit: CpuExit = cpu.run(Math.min(left, 1 << 20));
      switch (exit.kind) {
        case 'mmio':
          this.mmio(exit.address, exit.isWrite, exit.data);
          break;
        case 'hvc':
          if (exit.args[0] === Psci.systemOff) return { kind: 'poweroff' };
          if (exit.args[0] === Psci.systemReset) return { kind: 'reset' };
          cpu.r[0] = psciAnswer(exit.args[0], exit.args[1]);
          break;
        case 'smc':
          return { kind: 'smc', imm: exit.imm };
        case 'wfi':
          return { kind: 'wfi' };
        case 'budget':
        case 'stop':
          break;
      }
    }
  }

  private mmio(address: number, isWrite: boolean, data: Uint8Array): void {
    if (isWrite) {
      if (address === UART_BASE) this.out.push(data[0]!);
      return;
    }
    data.fill(0); // every register reads as zero: the PL011 flags then say "transmit FIFO not full"
  }
}
