/**
 * A tiny VMM for tests and benchmarks: one VM with RAM at the virt board's 0x40000000, the VGIC at
 * QEMU virt's addresses, an ELF loaded into the memslot, and a run loop that plays a PL011 (data
 * register output, flag register zero) on the MMIO exits, exactly as a VMM on /dev/kvm would.
 */
import { parseElf } from '@armvm/arm';
import type { KvmOptions } from '../handles.ts';
import { openKvm } from '../open.ts';
import {
  armDeviceAddrId,
  KVM_ARM_DEVICE_VGIC_V2,
  KVM_ARM_SET_DEVICE_ADDR,
  KVM_ARM_VCPU_INIT,
  KVM_CREATE_IRQCHIP,
  KVM_CREATE_VCPU,
  KVM_CREATE_VM,
  KVM_RUN,
  KVM_SET_ONE_REG,
  KVM_SET_USER_MEMORY_REGION,
  KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST,
  KvmArmTarget,
  KvmExit,
  KvmRegId,
} from '../uapi.ts';
import type { KvmVcpu } from '../vcpu.ts';
import type { KvmVm } from '../vm.ts';

export const RAM_BASE = 0x40000000;
export const UART_BASE = 0x09000000;
export const GICD_BASE = 0x08000000;
export const GICC_BASE = 0x08010000;

/** Resolves an ioctl that must succeed with a number. */
export function ok(r: unknown): number {
  if (typeof r !== 'number' || r < 0) throw new Error(`ioctl failed: ${String(r)}`);
  return r;
}

/** A VM with RAM and (optionally) the VGIC, and `count` vCPUs initialised. */
export function makeVm(
  opts: { ramSize?: number; vcpus?: number; gic?: boolean; features?: number; kvm?: KvmOptions } = {},
): { vm: KvmVm; vcpus: KvmVcpu[]; ram: Uint8Array } {
  const kvm = openKvm(opts.kvm);
  const vm = kvm.ioctl(KVM_CREATE_VM, 0) as KvmVm;
  const ram = new Uint8Array(new SharedArrayBuffer(opts.ramSize ?? 16 << 20));
  ok(
    vm.ioctl(KVM_SET_USER_MEMORY_REGION, {
      slot: 0,
      flags: 0,
      guest_phys_addr: BigInt(RAM_BASE),
      memory_size: BigInt(ram.length),
      userspace_addr: ram.buffer as SharedArrayBuffer,
    }),
  );
  if (opts.gic !== false) {
    ok(vm.ioctl(KVM_CREATE_IRQCHIP));
  }
  const vcpus: KvmVcpu[] = [];
  for (let i = 0; i < (opts.vcpus ?? 1); i++) {
    const v = vm.ioctl(KVM_CREATE_VCPU, i) as KvmVcpu;
    vcpus.push(v);
  }
  for (const v of vcpus) {
    const f = (opts.features ?? 0) | (v.id > 0 ? 1 : 0); // secondaries start powered off
    ok(v.ioctl(KVM_ARM_VCPU_INIT, { target: KvmArmTarget.CORTEX_A15, features: [f, 0, 0, 0, 0, 0, 0] }));
  }
  if (opts.gic !== false) {
    const dev = (t: number): bigint => armDeviceAddrId(KVM_ARM_DEVICE_VGIC_V2, t);
    ok(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: dev(KVM_VGIC_V2_ADDR_TYPE_DIST), addr: BigInt(GICD_BASE) }));
    ok(vm.ioctl(KVM_ARM_SET_DEVICE_ADDR, { id: dev(KVM_VGIC_V2_ADDR_TYPE_CPU), addr: BigInt(GICC_BASE) }));
  }
  return { vm, vcpus, ram };
}

/** Writes a 32-bit register through KVM_SET_ONE_REG. */
export function setReg32(vcpu: KvmVcpu, id: bigint, value: number): number {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return vcpu.ioctl(KVM_SET_ONE_REG, { id, addr: b }) as number;
}

/** Copies an ELF's segments into guest RAM and points the vCPU at its entry. */
export function loadElf(ram: Uint8Array, vcpu: KvmVcpu, elf: Uint8Array): void {
  const img = parseElf(elf);
  for (const seg of img.segments) {
    ram.set(seg.data, seg.paddr - RAM_BASE);
    ram.fill(0, seg.paddr - RAM_BASE + seg.data.length, seg.paddr - RAM_BASE + seg.memsz);
  }
  ok(setReg32(vcpu, KvmRegId.PC, img.entry & ~1));
  ok(setReg32(vcpu, KvmRegId.CPSR, 0x1d3 | ((img.entry & 1) << 5)));
}

/** What a guest run produced. */
export interface GuestResult {
  output: string;
  exits: number;
  mmioExits: number;
  end: 'shutdown' | 'reset' | 'internal' | 'limit';
  reason?: string;
}

/** Drives KVM_RUN on every vCPU round-robin, serving the UART, until a system event. */
export function runGuest(vcpus: KvmVcpu[], maxExits = 10_000_000): GuestResult {
  let output = '';
  let exits = 0;
  let mmioExits = 0;
  for (;;) {
    for (const vcpu of vcpus) {
      if (exits++ >= maxExits) return { output, exits, mmioExits, end: 'limit' };
      const r = vcpu.ioctl(KVM_RUN) as number;
      if (r === -4) continue; // -EINTR: another vCPU's turn, or time to poll
      if (r < 0) throw new Error(`KVM_RUN returned ${r}`);
      const run = vcpu.kvmRun;
      switch (run.exit_reason) {
        case KvmExit.MMIO: {
          mmioExits++;
          const pa = Number(run.mmio.phys_addr);
          if (run.mmio.is_write) {
            if (pa === UART_BASE) output += String.fromCharCode(run.mmio.data[0]!);
          } else run.mmio.data.fill(0); // PL011 flags: transmit FIFO never full
          break;
        }
        case KvmExit.SYSTEM_EVENT:
          return { output, exits, mmioExits, end: run.system_event.type === 1 ? 'shutdown' : 'reset' };
        case KvmExit.INTERNAL_ERROR:
          return { output, exits, mmioExits, end: 'internal', reason: run.internal.reason };
        default:
          throw new Error(`unexpected exit ${run.exit_reason}`);
      }
    }
  }
}
