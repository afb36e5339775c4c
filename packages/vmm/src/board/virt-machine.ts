/**
 * QEMU's `virt` machine for ARMv7 (highmem off) on KVM, wired in one pass like a schematic:
 *
 *   KVM VM ── in-kernel VGIC ("kvm-gic_dist" 0x08000000, "kvm-gic_cpu" 0x08010000), timer, PSCI
 *   0x09000000 PL011 ── SPI 1        0x09010000 PL031 ── SPI 2
 *   0x0a000000 virtio-mmio × 32 ── SPI 16 + n (drives and the console from the top slot down)
 *   0x40000000 RAM ── a KVM memory slot; the kernel, initrd and device tree are loaded here
 *
 * Every address comes from `VIRT_MEMMAP`; the VGIC's addresses reach KVM through the seed's
 * device-address path (kvm_arm_register_device) once the machine is built.
 */
import {
  armDeviceAddrId,
  KVM_ARM_DEVICE_VGIC_V2,
  KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST,
  type KvmOptions,
  type KvmSystemHandle,
} from '@armvm/kvm';
import { KvmAccel } from '../accel/kvm-accel.ts';
import type { Trace } from '../accel/trace.ts';
import { type RunOutcome, VcpuScheduler } from '../accel/vcpu-scheduler.ts';
import type { IrqLine } from '../devices/irq-line.ts';
import type { Clock } from '@armvm/fscache';
import type { Pl011 } from '../devices/pl011.ts';
import type { PciFunction } from '../devices/pci/pci-function.ts';
import { createVirtBoard, type VirtBoard } from './virt-board.ts';
import { VIRT_MEMMAP } from './virt-memmap.ts';
import type { BlockBackend } from '../devices/virtio/block-backend.ts';
import { VirtioBlk } from '../devices/virtio/virtio-blk.ts';
import { VirtioConsole } from '../devices/virtio/virtio-console.ts';
import type { AddressSpace, MemoryRegion } from '../memory/index.ts';
import { ARMCPU, CORTEX_A15 } from '../target-arm/arm-cpu.ts';
import { KvmArmDevices } from '../target-arm/kvm-arm-devices.ts';
import { cpuMemoryRwDebug } from '../target-arm/debug-memory.ts';
import type { DebugMemoryAccess } from '../target-arm/kvm.ts';
import { bootKernel, type KernelBootOptions, type KernelBootResult } from '../loader/kernel-boot.ts';

/** What to build. */
export interface VirtMachineOptions {
  /** RAM in bytes. */
  ramSize: number;
  /** Number of vCPUs. */
  smp: number;
  /** The kernel image: an ELF, or a raw image / zImage booted by the Linux protocol. */
  kernel: Uint8Array;
  /** Name of the kernel for messages (a path or URL). */
  kernelName?: string;
  initrd?: Uint8Array;
  /** Kernel command line. */
  append?: string;
  /** A device tree to give the guest instead of the generated one. */
  dtb?: Uint8Array;
  /** False to let a zImage decompress itself in the guest (default: unpacked on the host). */
  unpackZImage?: boolean;
  /** Block devices, each on a virtio-mmio slot, with the serial number it reports. */
  drives?: readonly { backend: BlockBackend; serial?: string }[];
  /** Files copied into RAM at physical addresses after the kernel (QEMU's `-device loader`). */
  loaders?: readonly { addr: number; bytes: Uint8Array; name: string }[];
  /** Add a virtio console whose output goes to `console`. */
  virtioConsole?: boolean;
  /** PCI functions on the PCIe host's bus 0 (QEMU's `-device pci-testdev`, say). */
  pciDevices?: readonly PciFunction[];
  /** Bytes the guest writes to its UARTs. */
  output: (bytes: Uint8Array) => void;
  /** Time for the RTC. */
  clock?: Clock;
  /** An open KVM (default: the software KVM). */
  kvmSystem?: KvmSystemHandle;
  /** Options of the software KVM. */
  kvm?: KvmOptions;
  trace?: Trace;
  errorReport?: (message: string) => void;
}

/** An SPI of the in-kernel VGIC as a device's interrupt output. */
function spiLine(accel: KvmAccel, spi: number): IrqLine {
  let level: boolean | undefined;
  return {
    set: (next) => {
      if (next === level) return;
      level = next;
      accel.setSpi(spi, next);
    },
  };
}

/** The machine: its KVM, memory, devices and vCPUs. */
export class VirtMachine {
  readonly accel: KvmAccel;
  /** Memory map and devices. */
  readonly board: VirtBoard;
  readonly space: AddressSpace;
  readonly ram: MemoryRegion;
  readonly cpus: readonly ARMCPU[];
  readonly uart: Pl011;
  readonly console: VirtioConsole | undefined;
  readonly scheduler: VcpuScheduler;
  /** Where the kernel, initrd and device tree went, and the boot CPU's entry state. */
  boot: KernelBootResult;
  readonly #bootOptions: KernelBootOptions;
  readonly #loaders: readonly { addr: number; bytes: Uint8Array; name: string }[];

  private constructor(parts: {
    accel: KvmAccel;
    board: VirtBoard;
    cpus: ARMCPU[];
    console: VirtioConsole | undefined;
    bootOptions: KernelBootOptions;
    loaders: readonly { addr: number; bytes: Uint8Array; name: string }[];
  }) {
    this.accel = parts.accel;
    this.board = parts.board;
    this.space = parts.board.space;
    this.ram = parts.board.ram;
    this.cpus = parts.cpus;
    this.uart = parts.board.uart;
    this.console = parts.console;
    this.#bootOptions = parts.bootOptions;
    this.#loaders = parts.loaders;
    this.boot = this.#load();
    this.scheduler = new VcpuScheduler(this.accel, this.cpus, this.space);
  }

  /** machvirt_init: builds and wires everything, loads the images and sets the boot CPU's state. */
  static create(o: VirtMachineOptions): VirtMachine {
    const accel = KvmAccel.init({
      ...(o.kvmSystem ? { system: o.kvmSystem } : {}),
      ...(o.kvm ? { kvm: o.kvm } : {}),
      ...(o.trace ? { trace: o.trace } : {}),
      ...(o.errorReport ? { errorReport: o.errorReport } : {}),
    });
    accel.createIrqchip();

    const console = o.virtioConsole ? new VirtioConsole(o.output) : undefined;
    const board = createVirtBoard({
      ramSize: o.ramSize,
      irq: (spi) => spiLine(accel, spi),
      uartOutput: (byte) => o.output(Uint8Array.of(byte)),
      ...(o.clock ? { clock: o.clock } : {}),
      virtioDevices: [
        ...(o.drives ?? []).map((d) => new VirtioBlk(d.backend, d.serial ?? '')),
        ...(console ? [console] : []),
      ],
      pciDevices: o.pciDevices ?? [],
    });
    // KVM's memory slots follow the RAM sections from here on.
    accel.attachMemory(board.space);
    // QEMU's -d guest_errors: the guest touched an address no device answers
    const trace = accel.s.trace;
    board.space.onUnassigned = (kind, addr, size, value) =>
      trace.log(
        'guest_errors',
        `invalid ${kind} of ${size} byte${size > 1 ? 's' : ''} at 0x${addr.toString(16).padStart(8, '0')}` +
          (value === undefined ? '' : ` (value 0x${value.toString(16)})`) +
          ': no device there',
      );

    // vCPUs are created before the machine is complete, as QEMU does; secondaries start off.
    const cpus: ARMCPU[] = [];
    for (let i = 0; i < o.smp; i++) {
      const cpu = new ARMCPU(i, CORTEX_A15, i > 0);
      accel.initVcpu(cpu);
      cpus.push(cpu);
    }

    // The in-kernel VGIC's frames reach KVM through the seed's device-address path.
    const kvmDevices = new KvmArmDevices(accel.s, board.space, board.machineInit);
    kvmDevices.kvmArmRegisterDevice(
      board.gicDist,
      armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_DIST),
    );
    kvmDevices.kvmArmRegisterDevice(
      board.gicCpu,
      armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_CPU),
    );

    const bootOptions: KernelBootOptions = {
      kernel: o.kernel,
      kernelName: o.kernelName ?? 'kernel',
      cpus: o.smp,
      ...(o.initrd ? { initrd: o.initrd } : {}),
      ...(o.append !== undefined ? { bootargs: o.append } : {}),
      ...(o.dtb ? { dtb: o.dtb } : {}),
      ...(o.unpackZImage !== undefined ? { unpackZImage: o.unpackZImage } : {}),
    };
    const machine = new VirtMachine({ accel, board, cpus, console, bootOptions, loaders: o.loaders ?? [] });
    for (const note of machine.boot.notes) accel.s.trace.log('boot', note);
    machine.#resetCpus();
    board.machineInit.machineInitDone();
    return machine;
  }

  /** Loads the kernel, initrd and device tree into RAM (a loader error propagates). */
  #load(): KernelBootResult {
    const ram = this.ram.ram!;
    const result = bootKernel({ base: VIRT_MEMMAP.mem.base, bytes: ram }, this.#bootOptions);
    for (const l of this.#loaders) {
      const off = l.addr - VIRT_MEMMAP.mem.base;
      if (off < 0 || off + l.bytes.length > ram.length) {
        throw new Error(`loader ${l.name}: 0x${l.addr.toString(16)}+${l.bytes.length} is outside RAM`);
      }
      ram.set(l.bytes, off);
    }
    return result;
  }

  /** Every vCPU back to its reset state, the boot CPU at the entry with the loader's registers. */
  #resetCpus(reinit = false): void {
    const entry = this.boot.entry;
    for (const cpu of this.cpus) {
      if (reinit) this.accel.reinitVcpu(cpu);
      else this.accel.resetVcpu(cpu);
      if (cpu.cpuIndex === 0) {
        const env = cpu.env;
        env.cpsrWrite(this.boot.cpsr, 0xffffffff);
        env.thumb = entry.thumb ? 1 : 0;
        env.regs[0] = entry.r0;
        env.regs[1] = entry.r1;
        env.regs[2] = entry.r2;
        env.regs[15] = entry.pc;
      }
      // cpu_synchronize_post_reset: the reset state goes to KVM now, not at the vCPU's first run,
      // where it would undo a PSCI CPU_ON another vCPU made in between.
      this.accel.putRegistersIfDirty(cpu);
    }
  }

  /** qemu_system_reset: RAM cleared and the images loaded again, every vCPU reset. */
  reset(): void {
    this.ram.ram!.fill(0);
    this.boot = this.#load();
    this.#resetCpus(true);
  }

  /** Runs the guest; a PSCI SYSTEM_RESET reboots it, as QEMU does without -no-reboot. */
  async run(options: { reboot?: boolean; startPaused?: boolean } = {}): Promise<RunOutcome> {
    let startPaused = options.startPaused ?? false;
    for (;;) {
      const outcome = await this.scheduler.run({ startPaused });
      startPaused = false;
      if (outcome.kind !== 'reset' || options.reboot === false) return outcome;
      this.reset();
      startPaused = outcome.paused ?? false;
    }
  }

  /** Guest memory at `cpu`'s virtual addresses, for a debugger or the monitor (cpu_memory_rw_debug). */
  debugMemory(cpu: ARMCPU): DebugMemoryAccess {
    this.accel.synchronizeState(cpu);
    const ram = { base: VIRT_MEMMAP.mem.base, bytes: this.ram.ram! };
    return (va, length, data) => cpuMemoryRwDebug(cpu, ram, va, length, data);
  }

  /** Asks a running machine to stop (the run resolves with `stopped`). */
  stop(reason: string): void {
    this.scheduler.requestStop(reason);
  }

  /** Releases timers held by devices. */
  dispose(): void {
    this.board.rtc.dispose();
  }
}
