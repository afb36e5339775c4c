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
  KVM_VGIC_V2_CPU_SIZE,
  KVM_VGIC_V2_DIST_SIZE,
  type KvmOptions,
  type KvmSystemHandle,
} from '@armvm/kvm';
import { KvmAccel } from '../accel/kvm-accel.ts';
import type { Trace } from '../accel/trace.ts';
import { type RunOutcome, VcpuScheduler } from '../accel/vcpu-scheduler.ts';
import type { IrqLine } from '../hw/irq-line.ts';
import { type DeviceClock, hostClock } from '../hw/clock.ts';
import { Pl011 } from '../hw/pl011.ts';
import { Pl031 } from '../hw/pl031.ts';
import {
  VIRT_IRQ,
  VIRT_MEMMAP,
  VIRTIO_MMIO_SLOTS,
  virtioMmioBase,
  virtioMmioSpi,
} from '../hw/virt-memmap.ts';
import type { BlockBackend } from '../hw/virtio/block-backend.ts';
import { VirtioBlk } from '../hw/virtio/virtio-blk.ts';
import { VirtioConsole } from '../hw/virtio/virtio-console.ts';
import type { VirtioDevice } from '../hw/virtio/virtio-device.ts';
import { VirtioMmio } from '../hw/virtio/virtio-mmio.ts';
import { AddressSpace, GuestMemory, MachineInit, MemoryRegion } from '../memory/index.ts';
import { ARMCPU, CORTEX_A15 } from '../target-arm/arm-cpu.ts';
import { KvmArmDevices } from '../target-arm/kvm-arm-devices.ts';
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
  /** Block devices, each on a virtio-mmio slot. */
  drives?: readonly BlockBackend[];
  /** Add a virtio console whose output goes to `console`. */
  virtioConsole?: boolean;
  /** Bytes the guest writes to its UARTs. */
  output: (bytes: Uint8Array) => void;
  /** Time for the RTC. */
  clock?: DeviceClock;
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
  readonly sysmem: MemoryRegion;
  readonly space: AddressSpace;
  readonly ram: MemoryRegion;
  readonly cpus: readonly ARMCPU[];
  readonly uart: Pl011;
  readonly rtc: Pl031;
  readonly virtio: readonly VirtioMmio[];
  readonly console: VirtioConsole | undefined;
  readonly scheduler: VcpuScheduler;
  /** Where the kernel, initrd and device tree went, and the boot CPU's entry state. */
  boot: KernelBootResult;
  readonly #bootOptions: KernelBootOptions;

  private constructor(parts: {
    accel: KvmAccel;
    sysmem: MemoryRegion;
    space: AddressSpace;
    ram: MemoryRegion;
    cpus: ARMCPU[];
    uart: Pl011;
    rtc: Pl031;
    virtio: VirtioMmio[];
    console: VirtioConsole | undefined;
    bootOptions: KernelBootOptions;
  }) {
    this.accel = parts.accel;
    this.sysmem = parts.sysmem;
    this.space = parts.space;
    this.ram = parts.ram;
    this.cpus = parts.cpus;
    this.uart = parts.uart;
    this.rtc = parts.rtc;
    this.virtio = parts.virtio;
    this.console = parts.console;
    this.#bootOptions = parts.bootOptions;
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

    const sysmem = MemoryRegion.container('system', 2 ** 32);
    const space = new AddressSpace(sysmem);
    const machineInit = new MachineInit();
    accel.attachMemory(space);
    const kvmDevices = new KvmArmDevices(accel.s, space, machineInit);

    // vCPUs are created before the machine is complete, as QEMU does; secondaries start off.
    const cpus: ARMCPU[] = [];
    for (let i = 0; i < o.smp; i++) {
      const cpu = new ARMCPU(i, CORTEX_A15, i > 0);
      accel.initVcpu(cpu);
      cpus.push(cpu);
    }

    // The in-kernel VGIC: reservations whose final addresses go to KVM after machine init.
    const gicDist = MemoryRegion.reservation('kvm-gic_dist', KVM_VGIC_V2_DIST_SIZE);
    const gicCpu = MemoryRegion.reservation('kvm-gic_cpu', KVM_VGIC_V2_CPU_SIZE);
    kvmDevices.kvmArmRegisterDevice(
      gicDist,
      armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_DIST),
    );
    kvmDevices.kvmArmRegisterDevice(
      gicCpu,
      armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_CPU),
    );
    sysmem.addSubregion(VIRT_MEMMAP.gicDist.base, gicDist);
    sysmem.addSubregion(VIRT_MEMMAP.gicCpu.base, gicCpu);

    const ram = MemoryRegion.ram('mach-virt.ram', o.ramSize);
    sysmem.addSubregion(VIRT_MEMMAP.mem.base, ram);

    const sink = (byte: number): void => o.output(Uint8Array.of(byte));
    const uart = new Pl011(spiLine(accel, VIRT_IRQ.uart), sink);
    sysmem.addSubregion(VIRT_MEMMAP.uart.base, MemoryRegion.mmio('pl011', VIRT_MEMMAP.uart.size, uart.ops));
    const rtc = new Pl031(spiLine(accel, VIRT_IRQ.rtc), o.clock ?? hostClock);
    sysmem.addSubregion(VIRT_MEMMAP.rtc.base, MemoryRegion.mmio('pl031', VIRT_MEMMAP.rtc.size, rtc.ops));

    // virtio-mmio: devices fill the slots from the top down, as in QEMU.
    const memory = new GuestMemory(space);
    const console = o.virtioConsole ? new VirtioConsole(o.output) : undefined;
    const devices: VirtioDevice[] = [
      ...(o.drives ?? []).map((d) => new VirtioBlk(d)),
      ...(console ? [console] : []),
    ];
    const virtio: VirtioMmio[] = [];
    for (let n = 0; n < VIRTIO_MMIO_SLOTS; n++) {
      const device = devices[VIRTIO_MMIO_SLOTS - 1 - n];
      const transport = new VirtioMmio(spiLine(accel, virtioMmioSpi(n)), memory, device);
      sysmem.addSubregion(
        virtioMmioBase(n),
        MemoryRegion.mmio(`virtio-mmio.${n}`, VIRT_MEMMAP.mmio.size, transport.ops),
      );
      virtio.push(transport);
    }

    const bootOptions: KernelBootOptions = {
      kernel: o.kernel,
      kernelName: o.kernelName ?? 'kernel',
      cpus: o.smp,
      ...(o.initrd ? { initrd: o.initrd } : {}),
      ...(o.append !== undefined ? { bootargs: o.append } : {}),
      ...(o.dtb ? { dtb: o.dtb } : {}),
    };
    const machine = new VirtMachine({
      accel,
      sysmem,
      space,
      ram,
      cpus,
      uart,
      rtc,
      virtio,
      console,
      bootOptions,
    });
    for (const note of machine.boot.notes) o.errorReport?.(note);
    machine.#resetCpus();
    machineInit.machineInitDone();
    return machine;
  }

  /** Loads the kernel, initrd and device tree into RAM (a loader error propagates). */
  #load(): KernelBootResult {
    return bootKernel({ base: VIRT_MEMMAP.mem.base, bytes: this.ram.ram! }, this.#bootOptions);
  }

  /** Every vCPU back to its reset state, the boot CPU at the entry with the loader's registers. */
  #resetCpus(reinit = false): void {
    const entry = this.boot.entry;
    for (const cpu of this.cpus) {
      if (reinit) this.accel.reinitVcpu(cpu);
      else this.accel.resetVcpu(cpu);
      if (cpu.cpuIndex !== 0) continue;
      const env = cpu.env;
      env.cpsrWrite(this.boot.cpsr, 0xffffffff);
      env.thumb = entry.thumb ? 1 : 0;
      env.regs[0] = entry.r0;
      env.regs[1] = entry.r1;
      env.regs[2] = entry.r2;
      env.regs[15] = entry.pc;
    }
  }

  /** qemu_system_reset: RAM cleared and the images loaded again, every vCPU reset. */
  reset(): void {
    this.ram.ram!.fill(0);
    this.boot = this.#load();
    this.#resetCpus(true);
  }

  /** Runs the guest; a PSCI SYSTEM_RESET reboots it, as QEMU does without -no-reboot. */
  async run(options: { reboot?: boolean } = {}): Promise<RunOutcome> {
    for (;;) {
      const outcome = await this.scheduler.run();
      if (outcome.kind !== 'reset' || options.reboot === false) return outcome;
      this.reset();
    }
  }

  /** Asks a running machine to stop (the run resolves with `stopped`). */
  stop(reason: string): void {
    this.scheduler.requestStop(reason);
  }

  /** Releases timers held by devices. */
  dispose(): void {
    this.rtc.dispose();
  }
}
