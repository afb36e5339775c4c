import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cp15Reg32Id, cp15Reg64Id } from '@armvm/kvm';
import { ARMCPU } from './arm-cpu.ts';
import type { GuestRam } from '../loader/guest-ram.ts';
import { armCpuGetPhysPageDebug, cpuMemoryRwDebug } from './debug-memory.ts';

const RAM_BASE = 0x40000000;
const SCTLR = cp15Reg32Id(1, 0, 0, 0);
const TTBCR = cp15Reg32Id(2, 0, 0, 2);
const TTBR0 = cp15Reg64Id(2, 0);
const TTBR1 = cp15Reg64Id(2, 1);

/** A vCPU whose cpreg list holds these registers, as if just read from KVM. */
function cpuWith(regs: [bigint, bigint][]): ARMCPU {
  const cpu = new ARMCPU(0);
  cpu.cpregIndexes = BigUint64Array.from(regs.map(([id]) => id));
  cpu.cpregValues = BigUint64Array.from(regs.map(([, v]) => v));
  cpu.cpregArrayLen = regs.length;
  return cpu;
}

function ram(): GuestRam & {
  put64(pa: number, value: bigint): void;
  put32(pa: number, value: number): void;
} {
  const bytes = new Uint8Array(1 << 22);
  const view = new DataView(bytes.buffer);
  return {
    base: RAM_BASE,
    bytes,
    put64: (pa, value) => view.setBigUint64(pa - RAM_BASE, value, true),
    put32: (pa, value) => view.setUint32(pa - RAM_BASE, value, true),
  };
}

describe("the debugger's view of guest memory", () => {
  it('is the physical address space while the MMU is off', () => {
    assert.equal(armCpuGetPhysPageDebug(cpuWith([[SCTLR, 0n]]), ram(), 0x40001234), 0x40001234);
  });

  it('walks short descriptors: a section', () => {
    const r = ram();
    r.put32(RAM_BASE + 0xc00 * 4, 0x40000000 | 0x402); // VA 0xc0000000 -> PA 0x40000000
    const cpu = cpuWith([
      [SCTLR, 1n],
      [TTBCR, 0n],
      [TTBR0, BigInt(RAM_BASE)],
    ]);
    assert.equal(armCpuGetPhysPageDebug(cpu, r, 0xc0012345), 0x40012345);
    assert.equal(armCpuGetPhysPageDebug(cpu, r, 0xc0112345), undefined);
  });

  it('walks long descriptors (LPAE): level 1 and 2 blocks, level 3 pages, both TTBRs, the gap', () => {
    const r = ram();
    const l1 = RAM_BASE + 0x1000; // TTBR0, T0SZ = 0: four level 1 entries
    const l2 = RAM_BASE + 0x2000;
    const l3 = RAM_BASE + 0x3000;
    r.put64(l1 + 1 * 8, 0x40000000n | 0x401n); // 0x40000000..: a 1 GiB block onto itself
    r.put64(l1 + 0 * 8, BigInt(l2) | 3n); // 0x00000000..: a level 2 table
    r.put64(l2 + 1 * 8, 0x40200000n | 0x401n); // 0x00200000: a 2 MiB block at 0x40200000
    r.put64(l2 + 2 * 8, BigInt(l3) | 3n); // 0x00400000: a level 3 table
    r.put64(l3 + 5 * 8, 0x40305000n | 0x403n); // 0x00405000: a page at 0x40305000
    r.put64(l3 + 6 * 8, 0x100000000n | 0x403n); // 0x00406000: a page above 4 GiB
    const eae = 0x80000000n;
    const cpu = cpuWith([
      [SCTLR, 1n],
      [TTBCR, eae],
      [TTBR0, BigInt(l1)],
      [TTBR1, 0n],
    ]);
    assert.equal(armCpuGetPhysPageDebug(cpu, r, 0x40abcdef), 0x40abcdef);
    assert.equal(armCpuGetPhysPageDebug(cpu, r, 0x00212345), 0x40212345);
    assert.equal(armCpuGetPhysPageDebug(cpu, r, 0x00405abc), 0x40305abc);
    assert.equal(armCpuGetPhysPageDebug(cpu, r, 0x00406000), undefined, 'not RAM');
    assert.equal(armCpuGetPhysPageDebug(cpu, r, 0x00407000), undefined, 'invalid');
    assert.equal(armCpuGetPhysPageDebug(cpu, r, 0x80000000), undefined, 'invalid level 1 entry');

    // T1SZ = 2: TTBR1 maps the top GiB from a level 2 table, T0SZ = 2: TTBR0 the bottom GiB; the
    // middle two are a fault
    const t1 = RAM_BASE + 0x5000;
    r.put64(t1 + 0x1ff * 8, 0x40600000n | 0x401n); // 0xffe00000: a 2 MiB block
    const split = cpuWith([
      [SCTLR, 1n],
      [TTBCR, eae | (2n << 16n) | 2n],
      [TTBR0, BigInt(l2) | (5n << 48n)], // the ASID field is not part of the address
      [TTBR1, BigInt(t1)],
    ]);
    assert.equal(armCpuGetPhysPageDebug(split, r, 0xffe00010), 0x40600010);
    assert.equal(armCpuGetPhysPageDebug(split, r, 0x00212345), 0x40212345);
    assert.equal(armCpuGetPhysPageDebug(split, r, 0x80000000), undefined);
  });

  it('reads and writes across pages through the walk', () => {
    const r = ram();
    r.put32(RAM_BASE + 0xc00 * 4, 0x40000000 | 0x402);
    const cpu = cpuWith([
      [SCTLR, 1n],
      [TTBCR, 0n],
      [TTBR0, BigInt(RAM_BASE)],
    ]);
    assert.equal(cpuMemoryRwDebug(cpu, r, 0xc0010ffe, 4, Uint8Array.of(1, 2, 3, 4)), true);
    assert.deepEqual(cpuMemoryRwDebug(cpu, r, 0xc0010ffe, 4), Uint8Array.of(1, 2, 3, 4));
    assert.equal(cpuMemoryRwDebug(cpu, r, 0xc00ffffe, 4), undefined, 'the second page is unmapped');
  });
});
