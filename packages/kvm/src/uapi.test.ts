import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as u from './uapi.ts';

// asm-generic ioctl encoding: dir<<30 | size<<16 | type<<8 | nr (dir: 1 write, 2 read, 3 both)
const io = (nr: number): number => (0xae << 8) | nr;
const iow = (nr: number, size: number): number => ((1 << 30) | (size << 16) | (0xae << 8) | nr) >>> 0;
const ior = (nr: number, size: number): number => ((2 << 30) | (size << 16) | (0xae << 8) | nr) >>> 0;
const iowr = (nr: number, size: number): number => ((3 << 30) | (size << 16) | (0xae << 8) | nr) >>> 0;

test('ioctl numbers follow the kernel macros and struct sizes', () => {
  assert.equal(u.KVM_GET_API_VERSION, io(0x00));
  assert.equal(u.KVM_CREATE_VM, io(0x01));
  assert.equal(u.KVM_CHECK_EXTENSION, io(0x03));
  assert.equal(u.KVM_GET_VCPU_MMAP_SIZE, io(0x04));
  assert.equal(u.KVM_CREATE_VCPU, io(0x41));
  assert.equal(u.KVM_SET_USER_MEMORY_REGION, iow(0x46, 32));
  assert.equal(u.KVM_CREATE_IRQCHIP, io(0x60));
  assert.equal(u.KVM_IRQ_LINE, iow(0x61, 8));
  assert.equal(u.KVM_RUN, io(0x80));
  assert.equal(u.KVM_GET_MP_STATE, ior(0x98, 4));
  assert.equal(u.KVM_SET_MP_STATE, iow(0x99, 4));
  assert.equal(u.KVM_ARM_SET_DEVICE_ADDR, iow(0xab, 16));
  assert.equal(u.KVM_GET_ONE_REG, iow(0xab, 16));
  assert.equal(u.KVM_SET_ONE_REG, iow(0xac, 16));
  assert.equal(u.KVM_ARM_VCPU_INIT, iow(0xae, 32));
  assert.equal(u.KVM_ARM_PREFERRED_TARGET, ior(0xaf, 32));
  assert.equal(u.KVM_GET_REG_LIST, iowr(0xb0, 8));
  assert.equal(u.KVM_CREATE_DEVICE, iowr(0xe0, 12));
});

test('register ids match the worked examples of the API documentation', () => {
  assert.equal(u.KvmRegId.CPSR, 0x4020000000100010n);
  assert.equal(u.coreRegId(u.KvmRegsIndex.FIQ_SPSR), 0x4020000000100025n);
  assert.equal(u.KvmRegId.MIDR, 0x40200000000f0000n);
  assert.equal(u.KvmRegId.MPIDR, 0x40200000000f0005n);
  assert.equal(u.KvmRegId.CLIDR, 0x40200000000f0009n);
  assert.equal(u.KvmRegId.CSSELR, 0x40200000000f0010n);
  assert.equal(u.KvmRegId.SCTLR, 0x40200000000f0800n);
  assert.equal(u.KvmRegId.TTBCR, 0x40200000000f1002n);
  assert.equal(u.cp15Reg32Id(13, 0, 0, 4), 0x40200000000f6804n); // TPIDRPRW
  assert.equal(u.KvmRegId.TTBR0, 0x40300000000f0100n);
  assert.equal(u.KvmRegId.TTBR1, 0x40300000000f0108n);
  assert.equal(u.KvmRegId.PAR, 0x40300000000f0380n);
  assert.equal(u.KvmRegId.TIMER_CTL, 0x40200000000f7181n);
  assert.equal(u.KvmRegId.TIMER_CNT, 0x40300000000f0708n);
  assert.equal(u.KvmRegId.TIMER_CVAL, 0x40300000000f0718n);
  assert.equal(u.vfpDRegId(31), 0x403000000012001fn);
  assert.equal(u.KvmRegId.FPSCR, 0x4020000000121001n);
  assert.equal(u.KvmRegId.FPINST2, 0x402000000012100an);
  assert.equal(u.ccsidrId(2), 0x4020000000110002n);
  assert.equal(u.kvmRegSize(u.KvmRegId.TTBR0), 8);
  assert.equal(u.kvmRegSize(u.KvmRegId.CPSR), 4);
});

test('KVM_IRQ_LINE and device-address encodings', () => {
  assert.equal(u.armIrq(u.KvmArmIrqType.SPI, 0, 33), 0x01000021);
  assert.equal(u.armIrq(u.KvmArmIrqType.PPI, 0, 27), 0x0200001b);
  assert.equal(u.armDeviceAddrId(u.KVM_ARM_DEVICE_VGIC_V2, u.KVM_VGIC_V2_ADDR_TYPE_CPU), 1n);
});

test('a fresh kvm_run record has the C fields', () => {
  const run = u.newKvmRun();
  assert.equal(run.mmio.data.length, 8);
  assert.equal(run.exit_reason, u.KvmExit.UNKNOWN);
  assert.equal(run.immediate_exit, 0);
});
