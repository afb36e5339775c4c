/**
 * The VM as its vCPUs and its VGIC device see it. `KvmVm` creates both, so they take these
 * interfaces rather than the class: a vCPU and a device can then be read and tested without the VM
 * module, and the module graph has no cycle through `vm.ts`.
 */
import type { KvmTracepoints } from './handles.ts';
import type { MemorySlots } from './memory-slots.ts';
import type { PsciCpu } from './psci.ts';
import type { Vgic } from './vgic.ts';

/** What a vCPU needs of its VM: memory, timer, scheduling, the VGIC and the other vCPUs. */
export interface VcpuVmContext {
  readonly memorySlots: MemorySlots;
  /** Every vCPU of the VM, in index order (PSCI and shareable TLB maintenance reach them). */
  readonly vcpus: readonly PsciCpu[];
  readonly vgic: Vgic | null;
  /** The target KVM_ARM_VCPU_INIT accepts. */
  readonly hostTarget: number;
  readonly clock: () => bigint;
  readonly frequency: number;
  /** CNTVOFF, shared by every vCPU. */
  readonly cntvoff: bigint;
  readonly timeSlice: number;
  readonly maxWfiSleepMs: number;
  readonly maxRunMs: number;
  readonly sleep: (ms: number) => void;
  readonly tracepoints: KvmTracepoints | undefined;
  /** KVM_REG_ARM_TIMER_CNT: one CNTVOFF for the whole VM. */
  setVirtualCount(count: bigint): void;
  /** First-run checks; 0 or -errno. */
  beforeRun(): number;
  /** The VGIC window holding `pa`, if any. */
  vgicWindow(pa: number): { dist: boolean; offset: number } | null;
  /** True when a vCPU other than `self` could make progress now. */
  othersRunnable(self: PsciCpu): boolean;
}

/** What the VGIC device needs of its VM: the VGIC, its window bases and its state. */
export interface VgicDeviceVmContext {
  readonly vgic: Vgic | null;
  readonly distBase: number | null;
  readonly cpuBase: number | null;
  /** Set by the first KVM_RUN. */
  readonly started: boolean;
  /** KVM_DEV_ARM_VGIC_CTRL_INIT was written. */
  vgicInitialized: boolean;
  /** Places a VGIC window; 0 or -errno. */
  placeVgic(type: number, addr: bigint): number;
}
