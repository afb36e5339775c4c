import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as a from './test-support/asm.ts';
import { GICC_BASE, GICD_BASE, makeVm, RAM_BASE, runGuest, setReg32 } from './test-support/guest.ts';
import { Errno, KVM_RUN, KvmExit, KvmRegId, PsciFn } from './uapi.ts';

const PSCI_0_2 = 1 << 1;
const word = (ram: Uint8Array, off: number): number => new DataView(ram.buffer).getUint32(off, true);

describe('several vCPUs', () => {
  test('an SGI through the distributor wakes another vCPU from WFI', () => {
    const { vcpus, ram } = makeVm({ vcpus: 2, features: PSCI_0_2 });
    const out = 0x3000;
    a.place(ram, 0, [
      ...a.mov32(5, RAM_BASE + out),
      ...a.mov32(3, GICD_BASE),
      ...a.mov32(1, 1),
      a.str(1, 3, 0), // GICD_CTLR
      ...a.mov32(0, PsciFn.CPU_ON),
      ...a.mov32(1, 1),
      ...a.mov32(2, RAM_BASE + 0x1000),
      ...a.mov32(3, 0),
      a.hvc(),
      a.ldr(6, 5, 0), // wait for CPU 1 to be ready
      a.cmpi(6, 0),
      a.bcond(0, -2),
      ...a.mov32(3, GICD_BASE),
      ...a.mov32(1, ((1 << 1) << 16) | 5), // SGI 5 to CPU 1
      a.str(1, 3, 0xf00),
      a.ldr(6, 5, 4), // wait for CPU 1 to acknowledge it
      a.cmpi(6, 0),
      a.bcond(0, -2),
      ...a.mov32(0, PsciFn.SYSTEM_OFF),
      a.hvc(),
    ]);
    a.place(ram, 0x1000, [
      ...a.mov32(5, RAM_BASE + out),
      ...a.mov32(4, GICC_BASE),
      ...a.mov32(1, 1),
      a.str(1, 4, 0), // GICC_CTLR
      ...a.mov32(1, 0xf8),
      a.str(1, 4, 4), // PMR
      ...a.mov32(1, 1),
      a.str(1, 5, 0),
      a.wfi(),
      a.ldr(8, 4, 0x0c), // IAR
      a.addi(9, 8, 0),
      a.str(8, 4, 0x10), // EOIR
      ...a.mov32(1, 0x100),
      a.addi(8, 9, 0x80), // mark "seen": IAR value + 0x80 so 0 cannot pass for success
      a.str(8, 5, 4),
      a.b(0),
    ]);
    setReg32(vcpus[0]!, KvmRegId.PC, RAM_BASE);
    const r = runGuest(vcpus);
    assert.equal(r.end, 'shutdown');
    assert.equal(word(ram, out + 4), 5 + 0x80, 'SGI 5 from CPU 0 (source bits 12:10 zero)');
    assert.equal(vcpus[1]!.waiting, false);
  });

  test('LDREX/STREX stay atomic when vCPUs interleave: no increment is lost', () => {
    const n = 300;
    // a time slice coprime with the loop lengths, so switches land everywhere in the loop
    const { vcpus, ram } = makeVm({ vcpus: 2, features: PSCI_0_2, kvm: { timeSlice: 11 } });
    const counter = 0x3000;
    const worker = (done: number): number[] => [
      ...a.mov32(2, RAM_BASE + counter),
      ...a.mov32(5, n),
      a.ldrex(1, 2),
      a.addi(1, 1, 1),
      a.strex(3, 1, 2),
      a.cmpi(3, 0),
      a.bcond(1, -4),
      a.subsi(5, 5, 1),
      a.bcond(1, -6),
      ...a.mov32(1, 1),
      a.str(1, 2, done),
    ];
    a.place(ram, 0, [
      ...a.mov32(0, PsciFn.CPU_ON),
      ...a.mov32(1, 1),
      ...a.mov32(2, RAM_BASE + 0x1000),
      a.hvc(),
      ...worker(4),
      a.ldr(6, 2, 8), // wait for CPU 1
      a.cmpi(6, 0),
      a.bcond(0, -2),
      ...a.mov32(0, PsciFn.SYSTEM_OFF),
      a.hvc(),
    ]);
    a.place(ram, 0x1000, [...worker(8), ...a.mov32(0, PsciFn.CPU_OFF), a.hvc()]);
    setReg32(vcpus[0]!, KvmRegId.PC, RAM_BASE);
    let switches = 0;
    const run = (): void => {
      for (;;) {
        for (const v of vcpus) {
          const r = v.ioctl(KVM_RUN) as number;
          if (r === -Errno.EINTR) {
            switches++;
            continue;
          }
          assert.equal(r, 0);
          if (v.kvmRun.exit_reason === KvmExit.SYSTEM_EVENT) return;
        }
      }
    };
    run();
    assert.ok(switches > 50, `vCPUs interleaved (${switches} switches)`);
    assert.equal(word(ram, counter), 2 * n);
  });

  test('a reservation does not survive KVM_RUN returning: a STREX after it fails', () => {
    // what makes the test above hold: another vCPU may have written the location in between
    const { vcpus, ram } = makeVm({ vcpus: 2, features: PSCI_0_2 });
    const [v0, v1] = vcpus as [(typeof vcpus)[0], (typeof vcpus)[0]];
    const at = 0x3000;
    a.place(ram, 0, [...a.mov32(2, RAM_BASE + at), a.ldrex(1, 2), ...a.mov32(3, 0x0a000000), a.str(1, 3)]);
    a.place(ram, 0x100, [a.addi(1, 1, 1), a.strex(4, 1, 2), a.str(4, 3, 4)]);
    setReg32(v0, KvmRegId.PC, RAM_BASE);
    assert.equal(v0.ioctl(KVM_RUN), 0); // LDREX done, then an MMIO exit ends the run
    ram[at] = 41; // another agent writes the location meanwhile
    setReg32(v0, KvmRegId.PC, RAM_BASE + 0x100);
    assert.equal(v0.ioctl(KVM_RUN), 0);
    assert.equal(v0.kvmRun.mmio.phys_addr, 0x0a000004n);
    assert.equal(v0.kvmRun.mmio.data[0], 1, 'STREX failed');
    assert.equal(ram[at], 41, 'the other write survives');
    void v1;
  });

  test('Inner Shareable TLB maintenance on one vCPU reaches the TLB of every other', () => {
    const { vcpus, ram } = makeVm({ vcpus: 2 });
    const [v0, v1] = vcpus as [(typeof vcpus)[0], (typeof vcpus)[0]];
    const L1 = RAM_BASE + 0x4000;
    const va = 0x80000000;
    const view = new DataView(ram.buffer);
    const section = (pa: number) => view.setUint32(0x4000 + (va >>> 20) * 4, pa | (3 << 10) | 2, true);
    for (const v of [v0, v1]) {
      const cp = v.cpu.cp15;
      cp.write(3, 0, 0, 0, 0x55555555, false);
      cp.write(2, 0, 0, 0, L1, false);
      cp.write(1, 0, 0, 0, cp.sctlr | 1, false);
    }
    section(RAM_BASE + 0x100000);
    const read = (v: typeof v0) => v.cpu.mmu.translate(va, 0, false) >>> 0;
    assert.equal(read(v1), RAM_BASE + 0x100000);
    section(RAM_BASE + 0x200000);
    assert.equal(read(v1), RAM_BASE + 0x100000, 'cached until invalidated');
    v0.cpu.cp15.write(8, 0, 7, 3, va, false); // TLBIMVAA: this core only
    assert.equal(read(v1), RAM_BASE + 0x100000, 'a non-shareable operation stays local');
    v0.cpu.cp15.write(8, 0, 3, 3, va, false); // TLBIMVAAIS
    assert.equal(read(v1), RAM_BASE + 0x200000, 'the shareable one reached vCPU 1');
  });
});
