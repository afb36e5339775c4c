/**
 * In-kernel devices whose guest addresses KVM must be told (the VGIC's distributor and CPU
 * interface). A board maps their reservation regions like any other device; a memory listener
 * follows where each region ends up, and once the machine is built the final addresses go to KVM
 * with KVM_ARM_SET_DEVICE_ADDR — so boards need nothing special for KVM, and a region moved before
 * init is sent from where it finally is, once.
 */
import { KVM_ARM_SET_DEVICE_ADDR, type KvmArmDeviceAddr } from '@armvm/kvm';
import type {
  AddressSpace,
  MachineInit,
  MemoryListener,
  MemoryRegion,
  MemoryRegionSection,
} from '../memory/index.ts';
import { failedIoctlName, type KvmState } from '../accel/kvm-state.ts';
import { KvmArmError } from './kvm.ts';

/** An address not yet known (the C code's -1 in a u64). */
const NO_ADDR = 0xffffffffffffffffn;

/** KVMDevice: one in-kernel device, its region, and the address to send. */
interface KVMDevice {
  readonly kda: KvmArmDeviceAddr;
  readonly mr: MemoryRegion;
}

/** The KVMDevice list of one machine, with its listener and machine-init-done notifier. */
export class KvmArmDevices {
  readonly #s: KvmState;
  readonly #space: AddressSpace;
  readonly #machineInit: MachineInit;
  /** Newest first, as QSLIST_INSERT_HEAD leaves them. */
  #devices: KVMDevice[] = [];
  /** Cleared just before unregistering, whose replayed deletions must not erase the addresses. */
  #listening = false;

  readonly #devlistener: MemoryListener = {
    regionAdd: (section) => this.#devlistenerAdd(section),
    regionDel: (section) => this.#devlistenerDel(section),
  };
  readonly #notify = (): void => this.#machineInitDone();

  constructor(s: KvmState, space: AddressSpace, machineInit: MachineInit) {
    this.#s = s;
    this.#space = space;
    this.#machineInit = machineInit;
  }

  /**
   * kvm_arm_register_device: asks for `mr`'s final address to be sent to KVM as device `devid`
   * (KVM_ARM_DEVICE_* << KVM_ARM_DEVICE_ID_SHIFT | type). Only an in-kernel irqchip has such devices.
   */
  kvmArmRegisterDevice(mr: MemoryRegion, devid: bigint): void {
    if (!this.#s.irqchipInKernel) return;
    if (this.#devices.length === 0) {
      this.#listening = true;
      this.#space.addListener(this.#devlistener);
      this.#machineInit.addMachineInitDoneNotifier(this.#notify);
    }
    const kd: KVMDevice = { kda: { id: devid, addr: NO_ADDR }, mr };
    this.#devices.unshift(kd);
    // The C code only learns of mappings made after this call; looking at the current view too
    // makes the order of registering and mapping irrelevant.
    for (const section of this.#space.flatView.sections) {
      if (section.region === mr) kd.kda.addr = BigInt(section.offsetWithinAddressSpace);
    }
  }

  /** Devices still waiting for machine init (their id and current address, -1 when unmapped). */
  get pending(): readonly KvmArmDeviceAddr[] {
    return this.#devices.map((kd) => ({ ...kd.kda }));
  }

  /** kvm_arm_devlistener_add: a device's region appeared; remember where. */
  #devlistenerAdd(section: MemoryRegionSection): void {
    if (!this.#listening) return;
    for (const kd of this.#devices) {
      if (section.region === kd.mr) kd.kda.addr = BigInt(section.offsetWithinAddressSpace);
    }
  }

  /** kvm_arm_devlistener_del: a device's region went away; forget its address. */
  #devlistenerDel(section: MemoryRegionSection): void {
    if (!this.#listening) return;
    for (const kd of this.#devices) {
      if (section.region === kd.mr) kd.kda.addr = NO_ADDR;
    }
  }

  /** kvm_arm_machine_init_done: stop listening and tell KVM every mapped device's address. */
  #machineInitDone(): void {
    this.#listening = false;
    this.#space.removeListener(this.#devlistener);
    const devices = this.#devices;
    this.#devices = [];
    for (const kd of devices) {
      if (kd.kda.addr === NO_ADDR) continue;
      const ret = this.#s.vmIoctl(KVM_ARM_SET_DEVICE_ADDR, { ...kd.kda });
      if (ret < 0) {
        const message = `KVM_ARM_SET_DEVICE_ADDRESS failed: ${failedIoctlName(ret)} (device 0x${kd.kda.id.toString(16)} at 0x${kd.kda.addr.toString(16)})`;
        this.#s.errorReport(message);
        throw new KvmArmError(message);
      }
    }
  }
}
