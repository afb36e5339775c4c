import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as a from './test-support/asm.ts';
import { GICC_BASE, GICD_BASE, makeVm, RAM_BASE, runGuest, setReg32 } from './test-support/guest.ts';
import {
  coreRegId,
  Errno,
  KVM_GET_ONE_REG,
  KVM_MEM_READONLY,
  KVM_RUN,
  KVM_SET_ONE_REG,
  KVM_SET_USER_MEMORY_REGION,
  KvmExit,
  KvmPsciFn,
  KvmRegId,
  KvmRegsIndex,
  KvmSystemEvent,
  PsciAffinity,
  PsciFn,
  PsciRet,
} from './uapi.ts';
import { SMCCC_VERSION_1_1, SmcccFn, SmcccRet } from './smccc.ts';
import type { KvmVcpu } from './vcpu.ts';

const DEVICE = 0x0a000000;
const PSCI_0_2 = 1 << 1;

function reg(v: KvmVcpu, n: number): number {
  const addr = new Uint8Array(4);
  assert.equal(v.ioctl(KVM_GET_ONE_REG, { id: coreRegId(n), addr }), 0);
  return new DataView(addr.buffer).getUint32(0, true);
}

function runOnce(v: KvmVcpu): number {
  return v.ioctl(KVM_RUN) as number;
}

const word = (ram: Uint8Array, off: number): number => new DataView(ram.buffer).getUint32(off, true);

describe('KVM_RUN MMIO exits', () => {
  test('loads complete on the next run, sign-extended as the instruction asks; stores carry their bytes', () => {
    const { vcpus, ram } = makeVm({ features: PSCI_0_2 });
    const v = vcpus[0]!;
    a.place(ram, 0, [
      ...a.mov32(3, DEVICE),
      a.ldrsb(2, 3),
      a.ldrsh(4, 3),
      a.ldrb(6, 3),
      a.ldr(7, 3),
      a.str(7, 3, 4),
      ...a.mov32(0, PsciFn.SYSTEM_OFF),
      a.hvc(),
    ]);
    assert.equal(setReg32(v, KvmRegId.PC, RAM_BASE), 0);
    const fills = [[0x80], [0x01, 0x80], [0x80], [0x78, 0x56, 0x34, 0x12]];
    const lens = [1, 2, 1, 4];
    for (let i = 0; i < fills.length; i++) {
      assert.equal(runOnce(v), 0);
      assert.equal(v.kvmRun.exit_reason, KvmExit.MMIO);
      assert.equal(v.kvmRun.mmio.phys_addr, BigInt(DEVICE));
      assert.equal(v.kvmRun.mmio.is_write, 0);
      assert.equal(v.kvmRun.mmio.len, lens[i]);
      v.kvmRun.mmio.data.set(fills[i]!);
    }
    assert.equal(runOnce(v), 0);
    assert.equal(v.kvmRun.exit_reason, KvmExit.MMIO);
    assert.equal(v.kvmRun.mmio.is_write, 1);
    assert.equal(v.kvmRun.mmio.phys_addr, BigInt(DEVICE + 4));
    assert.deepEqual([...v.kvmRun.mmio.data.subarray(0, 4)], [0x78, 0x56, 0x34, 0x12]);
    assert.equal(runOnce(v), 0);
    assert.equal(v.kvmRun.exit_reason, KvmExit.SYSTEM_EVENT);
    assert.equal(v.kvmRun.system_event.type, KvmSystemEvent.SHUTDOWN);
    assert.equal(reg(v, 2), 0xffffff80);
    assert.equal(reg(v, 4), 0xffff8001);
    assert.equal(reg(v, 6), 0x80);
    assert.equal(reg(v, 7), 0x12345678);
    assert.equal(reg(v, 0) | 0, PsciRet.INTERNAL_FAILURE);
  });

  test('other memslots are served in the kernel; writes to read-only slots exit', () => {
    const { vm, vcpus, ram } = makeVm();
    const v = vcpus[0]!;
    const rom = new Uint8Array(0x1000);
    rom.set([0xaa, 0xbb, 0xcc, 0xdd]);
    const extra = new Uint8Array(0x1000);
    const mem = (slot: number, gpa: number, buf: Uint8Array, flags: number) => ({
      slot,
      flags,
      guest_phys_addr: BigInt(gpa),
      memory_size: 0x1000n,
      userspace_addr: buf,
    });
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, mem(1, 0, rom, KVM_MEM_READONLY)), 0);
    assert.equal(vm.ioctl(KVM_SET_USER_MEMORY_REGION, mem(2, 0x20000000, extra, 0)), 0);
    a.place(ram, 0, [
      ...a.mov32(3, 0),
      a.ldr(4, 3),
      ...a.mov32(5, 0x20000000),
      a.str(4, 5, 8),
      a.str(4, 3, 0), // to the ROM: exits
      a.b(0),
    ]);
    setReg32(v, KvmRegId.PC, RAM_BASE);
    assert.equal(runOnce(v), 0);
    assert.equal(v.kvmRun.exit_reason, KvmExit.MMIO);
    assert.equal(v.kvmRun.mmio.is_write, 1);
    assert.equal(v.kvmRun.mmio.phys_addr, 0n);
    assert.equal(reg(v, 4), 0xddccbbaa);
    assert.equal(new DataView(extra.buffer).getUint32(8, true), 0xddccbbaa);
    assert.equal(rom[0], 0xaa, 'ROM unchanged');
  });

  test('immediate_exit returns -EINTR; an exception inside the CPU is an internal error', () => {
    const { vcpus, ram } = makeVm();
    const v = vcpus[0]!;
    a.place(ram, 0, [a.b(0)]);
    setReg32(v, KvmRegId.PC, RAM_BASE);
    v.kvmRun.immediate_exit = 1;
    assert.equal(runOnce(v), -Errno.EINTR);
    v.kvmRun.immediate_exit = 0;
    v.kick();
    assert.equal(runOnce(v), -Errno.EINTR);
    assert.equal(v.kvmRun.exit_reason, KvmExit.INTR);
    const broken = v.cpu as unknown as { run: () => never };
    broken.run = () => {
      throw new Error('decoder exploded');
    };
    assert.equal(runOnce(v), 0);
    assert.equal(v.kvmRun.exit_reason, KvmExit.INTERNAL_ERROR);
    assert.equal(v.kvmRun.internal.reason, 'decoder exploded');
  });
});

describe('HVC, SMC and PSCI', () => {
  /** Vectors at 0x40002000 whose undefined-instruction entry reports LR and SPSR through MMIO. */
  function withUndefVector(ram: Uint8Array, v: KvmVcpu): void {
    a.place(ram, 0x2004, [a.b(0x3f)]); // to 0x40002100
    a.place(ram, 0x2100, [...a.mov32(3, DEVICE), a.str(14, 3), a.b(0)]);
    assert.equal(setReg32(v, KvmRegId.VBAR, RAM_BASE + 0x2000), 0);
  }

  test('an SMC raises an undefined-instruction exception in the guest', () => {
    const { vcpus, ram } = makeVm({ features: PSCI_0_2 });
    const v = vcpus[0]!;
    withUndefVector(ram, v);
    a.place(ram, 0, [...a.mov32(0, PsciFn.VERSION), a.smc()]);
    setReg32(v, KvmRegId.PC, RAM_BASE);
    assert.equal(runOnce(v), 0);
    assert.equal(v.kvmRun.exit_reason, KvmExit.MMIO);
    const lr = new DataView(v.kvmRun.mmio.data.buffer).getUint32(0, true);
    assert.equal(lr, RAM_BASE + 12, 'LR is the instruction after the call');
    assert.equal(v.cpu.mode, 0x1b, 'undefined mode');
  });

  test('an HVC nobody implements answers NOT_SUPPORTED in r0 (A32 and Thumb, PSCI 0.1 and 0.2)', () => {
    for (const [features, fn, thumb] of [
      [PSCI_0_2, 0x12345678, false],
      [PSCI_0_2, KvmPsciFn.CPU_ON, false], // a 0.1 id under 0.2
      [0, PsciFn.VERSION, false], // a 0.2 id under 0.1
      [PSCI_0_2, 0x86000000, true], // a vendor-specific id, from Thumb
    ] as [number, number, boolean][]) {
      const { vcpus, ram } = makeVm({ features });
      const v = vcpus[0]!;
      withUndefVector(ram, v);
      if (thumb) {
        // hvc #0 (T2, two halfwords); str r0, [r3]
        new DataView(ram.buffer).setUint32(0, 0x8000f7e0, true);
        new DataView(ram.buffer).setUint16(4, 0x6018, true);
        setReg32(v, KvmRegId.CPSR, 0x1d3 | 0x20);
      } else a.place(ram, 0, [a.hvc(), a.str(0, 3)]);
      setReg32(v, coreRegId(KvmRegsIndex.R0), fn);
      setReg32(v, coreRegId(KvmRegsIndex.R0 + 3), DEVICE);
      setReg32(v, KvmRegId.PC, RAM_BASE);
      assert.equal(runOnce(v), 0);
      assert.equal(v.kvmRun.exit_reason, KvmExit.MMIO);
      assert.equal(Number(v.kvmRun.mmio.phys_addr), DEVICE, 'the guest went on after the call');
      assert.equal(new DataView(v.kvmRun.mmio.data.buffer).getInt32(0, true), PsciRet.NOT_SUPPORTED);
      assert.equal(v.cpu.mode, 0x13, 'still in SVC mode');
    }
  });

  test('SMCCC: version 1.1, features of the architecture calls, workarounds not required', () => {
    const { vcpus, ram } = makeVm({ features: PSCI_0_2 });
    const v = vcpus[0]!;
    const calls: [number, number][] = [
      [PsciFn.FEATURES, SmcccFn.VERSION],
      [SmcccFn.VERSION, 0],
      [SmcccFn.ARCH_FEATURES, SmcccFn.ARCH_WORKAROUND_1],
      [SmcccFn.ARCH_FEATURES, SmcccFn.ARCH_WORKAROUND_2],
      [SmcccFn.ARCH_FEATURES, SmcccFn.ARCH_WORKAROUND_3],
      [SmcccFn.ARCH_FEATURES, 0x80001234],
    ];
    const code: number[] = [];
    calls.forEach(([fn, arg], i) =>
      code.push(...a.mov32(0, fn), ...a.mov32(1, arg), a.hvc(), a.addi(4 + i, 0, 0)),
    );
    code.push(...a.mov32(3, DEVICE), a.str(0, 3));
    a.place(ram, 0, code);
    setReg32(v, KvmRegId.PC, RAM_BASE);
    assert.equal(runOnce(v), 0);
    assert.deepEqual(
      calls.map((_, i) => reg(v, 4 + i) | 0),
      [
        PsciRet.SUCCESS,
        SMCCC_VERSION_1_1,
        SmcccRet.NOT_REQUIRED,
        SmcccRet.NOT_REQUIRED,
        SmcccRet.NOT_REQUIRED,
        SmcccRet.NOT_SUPPORTED,
      ],
    );
  });

  test('PSCI 0.1: KVM function ids, CPU_ON twice is INVALID_PARAMS', () => {
    const { vcpus, ram } = makeVm({ vcpus: 2 });
    const [v0, v1] = vcpus as [KvmVcpu, KvmVcpu];
    a.place(ram, 0, [
      ...a.mov32(0, KvmPsciFn.CPU_ON),
      ...a.mov32(1, 1),
      ...a.mov32(2, RAM_BASE + 0x1000),
      ...a.mov32(3, 0x55),
      a.hvc(),
      a.addi(8, 0, 0),
      ...a.mov32(0, KvmPsciFn.CPU_ON),
      a.hvc(),
      a.addi(9, 0, 0),
      ...a.mov32(0, KvmPsciFn.MIGRATE),
      a.hvc(),
      ...a.mov32(3, DEVICE),
      a.str(0, 3),
    ]);
    a.place(ram, 0x1000, [...a.mov32(0, KvmPsciFn.CPU_OFF), a.hvc(), a.b(0)]);
    setReg32(v0, KvmRegId.PC, RAM_BASE);
    assert.equal(v1.powerOff, true);
    assert.equal(runOnce(v0), 0);
    assert.equal(reg(v0, 8), PsciRet.SUCCESS);
    assert.equal(reg(v0, 9) | 0, PsciRet.INVALID_PARAMS);
    assert.equal(new DataView(v0.kvmRun.mmio.data.buffer).getInt32(0, true), PsciRet.NOT_SUPPORTED);
    assert.equal(v1.powerOff, false);
    assert.equal(reg(v1, 15), RAM_BASE + 0x1000);
    assert.equal(reg(v1, 0), 0x55);
    assert.equal(runOnce(v1), -Errno.EINTR, 'CPU_OFF: the vCPU blocks');
    assert.equal(v1.powerOff, true);
  });

  test('PSCI 1.0: CPU_ON, ALREADY_ON, AFFINITY_INFO and CPU_OFF across vCPUs', () => {
    const { vcpus, ram } = makeVm({ vcpus: 3, features: PSCI_0_2 });
    const out = 0x3000;
    a.place(ram, 0, [
      ...a.mov32(5, RAM_BASE + out),
      ...a.mov32(0, PsciFn.AFFINITY_INFO),
      ...a.mov32(1, 1),
      ...a.mov32(2, 0),
      a.hvc(),
      a.str(0, 5, 24), // OFF before CPU_ON
      ...a.mov32(0, PsciFn.CPU_ON),
      ...a.mov32(1, 1),
      ...a.mov32(2, RAM_BASE + 0x1000 + 1), // bit 0: enter in Thumb state
      ...a.mov32(3, 0xabcd),
      a.hvc(),
      a.str(0, 5, 0),
      ...a.mov32(0, PsciFn.CPU_ON),
      ...a.mov32(1, 0),
      a.hvc(),
      a.str(0, 5, 4), // ALREADY_ON (the caller itself)
      ...a.mov32(0, PsciFn.CPU_ON),
      ...a.mov32(1, 7),
      a.hvc(),
      a.str(0, 5, 28), // no such CPU
      // wait until CPU 1 reports in, then until AFFINITY_INFO says it is off again
      a.ldr(6, 5, 8),
      a.cmpi(6, 0),
      a.bcond(0, -2),
      ...a.mov32(0, PsciFn.AFFINITY_INFO),
      ...a.mov32(1, 1),
      ...a.mov32(2, 0),
      a.hvc(),
      a.cmpi(0, PsciAffinity.OFF),
      a.bcond(1, -7),
      a.str(0, 5, 12),
      ...a.mov32(0, PsciFn.AFFINITY_INFO),
      ...a.mov32(1, 0x0),
      ...a.mov32(2, 1), // level 1: cluster 0 has CPU 0 on
      a.hvc(),
      a.str(0, 5, 16),
      ...a.mov32(0, PsciFn.AFFINITY_INFO),
      ...a.mov32(1, 0x100),
      ...a.mov32(2, 0),
      a.hvc(),
      a.str(0, 5, 20), // no CPU with affinity 0x100
      ...a.mov32(0, PsciFn.SYSTEM_OFF),
      a.hvc(),
    ]);
    setReg32(vcpus[0]!, KvmRegId.PC, RAM_BASE);
    // CPU 1 starts in Thumb state (bit 0 of its entry): it stores r0 (the context id) and its MPIDR,
    // then calls CPU_OFF
    const t = new DataView(ram.buffer, 0x1000);
    const hw = [
      0xf243,
      0x0500, // movw r5, #0x3000
      0xf2c4,
      0x0500, // movt r5, #0x4000
      0x60a8, // str r0, [r5, #8]
      0xee10,
      0x7fb0, // mrc p15, 0, r7, c0, c0, 5
      0x626f, // str r7, [r5, #36]
      0xf240,
      0x0002, // movw r0, #2
      0xf2c8,
      0x4000, // movt r0, #0x8400
      0xf7e0,
      0x8000, // hvc #0
      0xe7fe, // b .
    ];
    hw.forEach((h, i) => t.setUint16(i * 2, h, true));
    const r = runGuest(vcpus);
    assert.equal(r.end, 'shutdown');
    const w = (off: number) => word(ram, out + off) | 0;
    assert.equal(w(24), PsciAffinity.OFF);
    assert.equal(w(0), PsciRet.SUCCESS);
    assert.equal(w(4), PsciRet.ALREADY_ON);
    assert.equal(w(28), PsciRet.INVALID_PARAMS);
    assert.equal(w(8), 0xabcd, 'context id in r0');
    assert.equal(w(36) >>> 0, 0x80000001, 'CPU 1 reads its own MPIDR');
    assert.equal(w(12), PsciAffinity.OFF);
    assert.equal(w(16), PsciAffinity.ON);
    assert.equal(w(20), PsciRet.INVALID_PARAMS);
    assert.equal(vcpus[1]!.powerOff, true);
    assert.equal(vcpus[2]!.powerOff, true, 'never started');
  });
});

describe('WFI and the timer', () => {
  test('WFI sleeps until the virtual timer PPI is pending, then IAR reads 27', () => {
    let now = 0n;
    const sleeps: number[] = [];
    const { vcpus, ram } = makeVm({
      kvm: {
        clock: () => now,
        timerFrequency: 1_000_000,
        sleep: (ms) => {
          sleeps.push(ms);
          now += BigInt(Math.ceil(ms * 1000));
        },
      },
    });
    const v = vcpus[0]!;
    a.place(ram, 0, [
      ...a.mov32(3, GICD_BASE),
      ...a.mov32(1, 1),
      a.str(1, 3, 0), // GICD_CTLR
      ...a.mov32(1, 1 << 27),
      a.str(1, 3, 0x100), // ISENABLER0: the virtual timer
      ...a.mov32(4, GICC_BASE),
      ...a.mov32(1, 1),
      a.str(1, 4, 0), // GICC_CTLR
      ...a.mov32(1, 0xf8),
      a.str(1, 4, 4), // PMR
      ...a.mov32(1, 5000), // 5 ms at 1 MHz
      a.writeCntvTval(1),
      ...a.mov32(1, 1),
      a.writeCntvCtl(1),
      a.wfi(),
      a.ldr(8, 4, 0x0c), // IAR
      ...a.mov32(3, DEVICE),
      a.str(8, 3),
    ]);
    setReg32(v, KvmRegId.PC, RAM_BASE);
    let r = runOnce(v);
    while (r === -Errno.EINTR) r = runOnce(v); // each bounded sleep ends the run, as a signal would
    assert.equal(r, 0);
    assert.equal(v.kvmRun.exit_reason, KvmExit.MMIO);
    assert.equal(new DataView(v.kvmRun.mmio.data.buffer).getUint32(0, true), 27);
    assert.ok(sleeps.length >= 1 && sleeps.every((ms) => ms <= 10), `bounded sleeps ${sleeps.join(',')}`);
    assert.ok(now >= 5000n);
  });
});

describe('the run loop and the VM around it', () => {
  test('maxRunMs bounds a busy KVM_RUN with -EINTR, as a timer signal would', () => {
    const { vcpus, ram } = makeVm({ kvm: { maxRunMs: 5 } });
    const v = vcpus[0]!;
    a.place(ram, 0, [a.addi(4, 4, 1), a.b(-1)]);
    setReg32(v, KvmRegId.PC, RAM_BASE);
    const t = performance.now();
    assert.equal(runOnce(v), -Errno.EINTR);
    assert.equal(v.kvmRun.exit_reason, KvmExit.INTR);
    assert.ok(performance.now() - t < 1000);
    assert.ok(reg(v, 4) > 0, 'the guest ran');
    assert.equal(v.cpu.exclusiveAddr, -1);
  });

  test('a memslot added after the vCPU exists becomes its RAM; registers survive the switch', () => {
    const vm = makeVm({ gic: false }).vm;
    const v = vm.vcpus[0]!;
    const ram2 = new Uint8Array(0x100000 * 32);
    a.place(ram2, 0, [...a.mov32(1, 0x77), ...a.mov32(3, DEVICE), a.str(1, 3)]);
    assert.equal(setReg32(v, coreRegId(9), 0x99), 0);
    assert.equal(
      vm.ioctl(KVM_SET_USER_MEMORY_REGION, {
        slot: 5,
        flags: 0,
        guest_phys_addr: 0x80000000n,
        memory_size: BigInt(ram2.length),
        userspace_addr: ram2,
      }),
      0,
    );
    setReg32(v, KvmRegId.PC, 0x80000000);
    assert.equal(runOnce(v), 0);
    assert.equal(v.kvmRun.exit_reason, KvmExit.MMIO);
    assert.equal(v.kvmRun.mmio.data[0], 0x77);
    assert.equal(reg(v, 9), 0x99, 'banked state carried over');
    assert.equal(v.cpu.bus.ramBase, 0x80000000, 'the larger slot is the fast path');
  });

  test('KVM_REG_ARM_TIMER_CNT sets one virtual offset for every vCPU', () => {
    let now = 5000n;
    const { vcpus } = makeVm({ vcpus: 2, kvm: { clock: () => now } });
    const [v0, v1] = vcpus as [KvmVcpu, KvmVcpu];
    const cnt = new Uint8Array(8);
    new DataView(cnt.buffer).setBigUint64(0, 100n, true);
    assert.equal(v0.ioctl(KVM_SET_ONE_REG, { id: KvmRegId.TIMER_CNT, addr: cnt }), 0);
    now += 10n;
    const out = new Uint8Array(8);
    assert.equal(v1.ioctl(KVM_GET_ONE_REG, { id: KvmRegId.TIMER_CNT, addr: out }), 0);
    assert.equal(new DataView(out.buffer).getBigUint64(0, true), 110n);
  });
});
