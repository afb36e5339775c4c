/**
 * The generic KVM accelerator (QEMU's kvm-all.c, the parts a VMM needs): open KVM, check the API
 * version and capabilities, create the VM, keep KVM's memory slots in step with the guest's RAM
 * through a memory listener, create the in-kernel irqchip, create and initialise vCPUs, raise
 * interrupt lines, and move registers between KVM and the VMM when needed.
 */
import {
  armIrq,
  KVM_API_VERSION,
  KvmArmIrqType,
  KvmCap,
  KvmError,
  type KvmOptions,
  type KvmSystemHandle,
  type KvmUserspaceMemoryRegion,
  openKvm,
} from '@armvm/kvm';
import type { AddressSpace, MemoryListener, MemoryRegionSection } from '../memory/index.ts';
import type { ARMCPU } from '../target-arm/arm-cpu.ts';
import {
  type KvmCapabilityInfo,
  kvmArchGetRegisters,
  kvmArchInit,
  kvmArchInitVcpu,
  kvmArchPutRegisters,
  kvmArchRequiredCapabilities,
  kvmArchResetVcpu,
  kvmArchVcpuId,
  kvmArmVcpuInitArg,
} from '../target-arm/kvm.ts';
import { failedIoctlName, KvmState } from './kvm-state.ts';
import { Trace } from './trace.ts';
import { cpuLogTracepoints } from './cpu-log.ts';
import { CodedError } from '@armvm/fscache';

/** Stable codes of accelerator failures. */
export type KvmAccelErrorCode =
  | 'KVM_API_VERSION'
  | 'KVM_MISSING_CAP'
  | 'KVM_CREATE_VM'
  | 'KVM_CREATE_VCPU'
  | 'KVM_INIT_VCPU'
  | 'KVM_REGISTERS'
  | 'KVM_MEMORY'
  | 'KVM_IRQCHIP'
  | 'KVM_IRQ_LINE';

/** KVM refused something the VMM cannot do without. */
export class KvmAccelError extends CodedError<KvmAccelErrorCode> {}

/** Runs a typed KVM call; its KvmError becomes a KvmAccelError saying "`what`: ERRNO". */
function accelCall<T>(code: KvmAccelErrorCode, what: string, call: () => T): T {
  try {
    return call();
  } catch (e) {
    if (e instanceof KvmError) throw new KvmAccelError(code, `${what}: ${e.code}`);
    throw e;
  }
}

/** Capabilities every KVM VMM here needs (kvm_required_capabilites). */
const REQUIRED_CAPABILITIES: readonly KvmCapabilityInfo[] = [
  { name: 'KVM_CAP_USER_MEMORY', value: KvmCap.USER_MEMORY },
  { name: 'KVM_CAP_ONE_REG', value: KvmCap.ONE_REG },
];

/** Options of `KvmAccel.init`. */
export interface KvmAccelOptions {
  /** An open KVM (default: the software KVM, opened with `kvm`). */
  system?: KvmSystemHandle;
  /** Options of the software KVM. */
  kvm?: KvmOptions;
  trace?: Trace;
  errorReport?: (message: string) => void;
}

/** KVM for one VM. */
export class KvmAccel {
  readonly s: KvmState;
  readonly #slots = new Map<MemoryRegionSection, number>();
  #freeSlots: number[] = Array.from({ length: 32 }, (_, i) => i);

  private constructor(s: KvmState) {
    this.s = s;
  }

  /** kvm_init: opens KVM, checks it, creates the VM and runs kvm_arch_init. */
  static init(options: KvmAccelOptions = {}): KvmAccel {
    // KVM_RUN returns at least every 20 ms, so the event loop (terminal, timers, block I/O) keeps up.
    const tracepoints = options.trace ? cpuLogTracepoints(options.trace) : undefined;
    const system =
      options.system ?? openKvm({ maxRunMs: 20, ...(tracepoints ? { tracepoints } : {}), ...options.kvm });
    const version = system.getApiVersion();
    if (version !== KVM_API_VERSION) {
      throw new KvmAccelError(
        'KVM_API_VERSION',
        `KVM API version ${String(version)}, expected ${KVM_API_VERSION}`,
      );
    }
    for (const cap of [...REQUIRED_CAPABILITIES, ...kvmArchRequiredCapabilities]) {
      if (!(system.checkExtension(cap.value) > 0)) {
        throw new KvmAccelError('KVM_MISSING_CAP', `KVM lacks ${cap.name}, which this VMM needs`);
      }
    }
    const vm = accelCall('KVM_CREATE_VM', 'KVM_CREATE_VM failed', () => system.createVm());
    const s = new KvmState(system, vm, options.trace ?? new Trace(), options.errorReport);
    s.maxHwBreakpoints = system.checkExtension(KvmCap.GUEST_DEBUG_HW_BPS);
    s.maxHwWatchpoints = system.checkExtension(KvmCap.GUEST_DEBUG_HW_WPS);
    const ret = kvmArchInit(s);
    if (ret < 0) throw new KvmAccelError('KVM_CREATE_VM', `kvm_arch_init failed: ${failedIoctlName(ret)}`);
    return new KvmAccel(s);
  }

  /** KVM_CHECK_EXTENSION on the system handle: 0 when absent. */
  checkExtension(cap: number): number {
    return this.s.system.checkExtension(cap);
  }

  /** kvm_irqchip_create: puts the GIC in the kernel; true on success. */
  createIrqchip(): void {
    if (!this.checkExtension(KvmCap.IRQCHIP)) {
      throw new KvmAccelError('KVM_IRQCHIP', 'KVM has no in-kernel irqchip (KVM_CAP_IRQCHIP)');
    }
    accelCall('KVM_IRQCHIP', 'KVM_CREATE_IRQCHIP failed', () => this.s.vm.createIrqchip());
    this.s.irqchipInKernel = true;
  }

  /** kvm_memory_listener: every RAM section of `space` becomes a KVM memory slot, now and later. */
  attachMemory(space: AddressSpace): void {
    const listener: MemoryListener = {
      regionAdd: (section) => this.#addSlot(section),
      regionDel: (section) => this.#deleteSlot(section),
    };
    space.addListener(listener);
  }

  #addSlot(section: MemoryRegionSection): void {
    if (section.region.kind !== 'ram') return;
    const slot = this.#freeSlots.shift();
    if (slot === undefined) throw new KvmAccelError('KVM_MEMORY', 'out of KVM memory slots');
    const mem: KvmUserspaceMemoryRegion = {
      slot,
      flags: 0,
      guest_phys_addr: BigInt(section.offsetWithinAddressSpace),
      memory_size: BigInt(section.size),
      userspace_addr: section.region.ram!,
      userspace_offset: section.offsetWithinRegion,
    };
    const where = `${section.region.name} at 0x${section.offsetWithinAddressSpace.toString(16)}`;
    accelCall('KVM_MEMORY', `KVM_SET_USER_MEMORY_REGION for ${where} failed`, () =>
      this.s.vm.setUserMemoryRegion(mem),
    );
    this.#slots.set(section, slot);
  }

  #deleteSlot(section: MemoryRegionSection): void {
    for (const [known, slot] of this.#slots) {
      if (
        known.region !== section.region ||
        known.offsetWithinAddressSpace !== section.offsetWithinAddressSpace ||
        known.size !== section.size
      ) {
        continue;
      }
      this.s.vm.setUserMemoryRegion({
        slot,
        flags: 0,
        guest_phys_addr: BigInt(section.offsetWithinAddressSpace),
        memory_size: 0n,
        userspace_addr: section.region.ram!,
      } satisfies KvmUserspaceMemoryRegion);
      this.#slots.delete(known);
      this.#freeSlots.push(slot);
      return;
    }
  }

  /** kvm_init_vcpu: KVM_CREATE_VCPU, then the ARM hook's init (VCPU_INIT, cpreg list). */
  initVcpu(cpu: ARMCPU): void {
    cpu.psci02 = this.checkExtension(KvmCap.ARM_PSCI_0_2) > 0;
    cpu.kvmFd = accelCall('KVM_CREATE_VCPU', `KVM_CREATE_VCPU ${cpu.cpuIndex} failed`, () =>
      this.s.vm.createVcpu(kvmArchVcpuId(cpu)),
    );
    const ret = kvmArchInitVcpu(this.s, cpu);
    if (ret < 0) {
      throw new KvmAccelError(
        'KVM_INIT_VCPU',
        `kvm_arch_init_vcpu for cpu ${cpu.cpuIndex} failed: ${failedIoctlName(ret)}`,
      );
    }
  }

  /**
   * A machine reset after boot: VCPU_INIT again (so secondaries are powered off as at power-on and
   * every vCPU leaves whatever PSCI state it was in), then the usual reset.
   */
  reinitVcpu(cpu: ARMCPU): void {
    accelCall('KVM_INIT_VCPU', `KVM_ARM_VCPU_INIT for cpu ${cpu.cpuIndex} failed`, () =>
      cpu.kvmFd!.armVcpuInit(kvmArmVcpuInitArg(cpu)),
    );
    this.resetVcpu(cpu);
  }

  /** kvm_cpu_synchronize_post_reset path: restores the cpreg reset values, then marks env dirty. */
  resetVcpu(cpu: ARMCPU): void {
    cpu.reset();
    kvmArchResetVcpu(cpu);
  }

  /** cpu_synchronize_state: makes `cpu.env` current (reading KVM unless env holds newer changes). */
  synchronizeState(cpu: ARMCPU): void {
    if (cpu.vcpuDirty) return;
    const ret = kvmArchGetRegisters(cpu);
    if (ret < 0) {
      throw new KvmAccelError(
        'KVM_REGISTERS',
        `reading cpu ${cpu.cpuIndex}'s registers failed: ${failedIoctlName(ret)}`,
      );
    }
    cpu.vcpuDirty = true;
  }

  /** Writes `cpu.env` to KVM when it holds changes KVM has not seen. */
  putRegistersIfDirty(cpu: ARMCPU): void {
    if (!cpu.vcpuDirty) return;
    const ret = kvmArchPutRegisters(cpu);
    if (ret < 0) {
      throw new KvmAccelError(
        'KVM_REGISTERS',
        `writing cpu ${cpu.cpuIndex}'s registers failed: ${failedIoctlName(ret)}`,
      );
    }
    cpu.vcpuDirty = false;
  }

  /** kvm_set_irq for a shared peripheral interrupt: raises or lowers SPI `spi` (GIC id 32 + spi). */
  setSpi(spi: number, level: boolean): void {
    accelCall('KVM_IRQ_LINE', `KVM_IRQ_LINE for SPI ${spi} failed`, () =>
      this.s.vm.irqLine(armIrq(KvmArmIrqType.SPI, 0, 32 + spi), level),
    );
  }
}
