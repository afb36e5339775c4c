/** The `info` answers: registers, cpus, mtree and qtree, from hand-made state and the real board. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Mode } from '@armvm/arm';
import { cp15Reg32Id, KvmRegId } from '@armvm/kvm';
import { createVirtBoard } from '../board/virt-board.ts';
import { VirtioBlk } from '../devices/virtio/virtio-blk.ts';
import { PciTestdev } from '../devices/pci/pci-testdev.ts';
import { CpsrWriteType, CPUARMState } from '../target-arm/cpu-arm-state.ts';
import { formatCpuList } from './info-cpus.ts';
import { formatMemoryTree } from './info-mtree.ts';
import { formatDeviceTree } from './info-qtree.ts';
import { formatArmRegisters } from './info-registers.ts';

describe('info registers', () => {
  test("QEMU's core lines, the banks with the current mode starred, the fault and MMU registers", () => {
    const env = new CPUARMState();
    for (let i = 0; i < 16; i++) env.regs[i] = 0x1000 * i;
    env.cpsrWrite(0x600001db, 0xffffffff, CpsrWriteType.raw); // und, Z and C
    env.spsr = 0x000001d3;
    env.bankedR14[1] = 0xc0008000;
    const sys = new Map<bigint, bigint>([
      [KvmRegId.SCTLR, 0x00c50879n],
      [KvmRegId.TTBR0, 0x4000406an],
      [cp15Reg32Id(5, 0, 0, 0), 0x805n],
      [cp15Reg32Id(6, 0, 0, 0), 0xdeadbeefn],
      [KvmRegId.VBAR, 0xffff0000n],
    ]);
    const text = formatArmRegisters(env, (id) => sys.get(id));
    assert.equal(
      text,
      [
        'R00=00000000 R01=00001000 R02=00002000 R03=00003000',
        'R04=00004000 R05=00005000 R06=00006000 R07=00007000',
        'R08=00008000 R09=00009000 R10=0000a000 R11=0000b000',
        'R12=0000c000 R13=0000d000 R14=0000e000 R15=0000f000',
        'PSR=600001db -ZC- A und32',
        'FPSCR: 00000000',
        '     usr      svc      abt      *und     irq      fiq',
        'R13  00000000 00000000 00000000 0000d000 00000000 00000000',
        'R14  00000000 c0008000 00000000 0000e000 00000000 00000000',
        'SPSR -------- 00000000 00000000 000001d3 00000000 00000000',
        'SCTLR=00c50879 TTBCR=???????? TTBR0=000000004000406a TTBR1=???????????????? DACR=????????',
        'DFSR=00000805 DFAR=deadbeef IFSR=???????? IFAR=???????? VBAR=ffff0000',
        '',
      ].join('\n'),
    );
    assert.equal(Mode.und, 0x1b);
  });
});

describe('info cpus', () => {
  test('each vCPU with its PC and state, the current one starred', () => {
    assert.equal(
      formatCpuList(
        [
          { index: 0, pc: 0x40010008, state: 'running' },
          { index: 1, pc: 0, state: 'powered off' },
        ],
        1,
      ),
      '  CPU #0: pc=0x40010008 (running)\n* CPU #1: pc=0x00000000 (powered off)\n',
    );
  });
});

const irq = () => ({ set: () => {} });

describe('info mtree', () => {
  test('the virt board: RAM, the GIC frames, the devices, in address order under system', () => {
    const board = createVirtBoard({ ramSize: 2 ** 27, irq, uartOutput: () => {} });
    const lines = formatMemoryTree(board.space).split('\n');
    assert.equal(lines[0], 'address-space: memory');
    assert.equal(lines[1], '  0000000000000000-00000000ffffffff (prio 0, container): system');
    assert.equal(lines[2], '    0000000008000000-000000000800ffff (prio 0, kvm): kvm-gic_dist');
    assert.ok(lines.includes('    0000000009000000-0000000009000fff (prio 0, i/o): pl011'));
    assert.ok(lines.includes('    000000000a003e00-000000000a003fff (prio 0, i/o): virtio-mmio@31'));
    assert.ok(lines.includes('    000000003f000000-000000003fffffff (prio 0, i/o): pcie-ecam'));
    assert.equal(lines.at(-3), '    0000000040000000-0000000047ffffff (prio 0, ram): virt.ram');
  });
});

describe('info qtree', () => {
  test('the GIC, the UARTs, each virtio-mmio slot with its device, the PCIe host and its functions', () => {
    const board = createVirtBoard({
      ramSize: 2 ** 24,
      irq,
      uartOutput: () => {},
      virtioDevices: [new VirtioBlk({ size: 512, readOnly: true } as never, 'disk0')],
      pciDevices: [new PciTestdev()],
    });
    const text = formatDeviceTree(board, 2);
    assert.match(
      text,
      /^bus: main-system-bus\n {2}type System\n {2}dev: kvm-arm-gic, id ""\n {4}num-cpu = 2\n/,
    );
    assert.match(
      text,
      /\n {2}dev: pl011, id ""\n {4}irq SPI 1\n {4}mmio 0000000009000000\/0000000000001000\n/,
    );
    assert.match(text, /\n {2}dev: pl031, id ""\n/);
    assert.match(
      text,
      /\n {2}dev: virtio-mmio, id ""\n {4}irq SPI 47\n {4}mmio 000000000a003e00\/0000000000000200\n {4}status = 0x00\n {4}bus: virtio-mmio-bus.31\n {6}type virtio-mmio-bus\n {6}dev: virtio-blk-device, id ""\n/,
    );
    assert.equal(text.split('dev: virtio-mmio,').length - 1, 32);
    assert.match(
      text,
      /\n {4}bus: pcie.0\n {6}type PCIE\n {6}dev: gpex-root, id ""\n {8}addr = 00.0\n {8}class 0600, addr 00:00.0, pci id 1b36:0008\n/,
    );
    assert.match(
      text,
      /\n {6}dev: pci-testdev, id ""\n {8}addr = 01.0\n {8}class ff00, addr 00:01.0, pci id 1b36:0005\n {8}bar 0: mem unmapped\n/,
    );
  });
});
