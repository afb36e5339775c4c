/**
 * Guest memory as a debugger sees it (QEMU's cpu_memory_rw_debug): virtual addresses of one vCPU,
 * translated by walking its short-descriptor page tables from the registers last read from KVM
 * (arm_cpu_get_phys_page_debug), then read or written in RAM. Writes are reported so that
 * translated code on those bytes is dropped.
 */
import { ramWritten } from '@armvm/arm';
import { cp15Reg32Id, cp15Reg64Id } from '@armvm/kvm';
import type { ARMCPU } from './arm-cpu.ts';

const SCTLR = cp15Reg32Id(1, 0, 0, 0);
const TTBR0_32 = cp15Reg32Id(2, 0, 0, 0);
const TTBR1_32 = cp15Reg32Id(2, 0, 0, 1);
const TTBR0_64 = cp15Reg64Id(2, 0);
const TTBR1_64 = cp15Reg64Id(2, 1);
const TTBCR = cp15Reg32Id(2, 0, 0, 2);

/** Guest RAM: its bytes and physical base. */
export interface DebugRam {
  readonly base: number;
  readonly bytes: Uint8Array;
}

/** A register's low word from the vCPU's cpreg list (as last read from KVM); 0 when absent. */
function cpreg(cpu: ARMCPU, id: bigint, fallback?: bigint): number {
  const value = cpu.cpregValue(id) ?? (fallback === undefined ? undefined : cpu.cpregValue(fallback));
  return Number((value ?? 0n) & 0xffffffffn);
}

function ramWord(ram: DebugRam, pa: number): number | undefined {
  const off = pa - ram.base;
  if (off < 0 || off + 4 > ram.bytes.length) return undefined;
  return new DataView(ram.bytes.buffer, ram.bytes.byteOffset).getUint32(off, true);
}

/** The physical address of `va` for `cpu`, or undefined when it is not mapped (or LPAE is on). */
export function armCpuGetPhysPageDebug(cpu: ARMCPU, ram: DebugRam, va: number): number | undefined {
  va >>>= 0;
  if (!(cpreg(cpu, SCTLR) & 1)) return va; // MMU off
  const ttbcr = cpreg(cpu, TTBCR);
  if (ttbcr & 0x80000000) return undefined; // long descriptors are not walked here
  const n = ttbcr & 7;
  const useTtbr1 = n > 0 && va >>> (32 - n) !== 0;
  const ttbr = useTtbr1 ? cpreg(cpu, TTBR1_64, TTBR1_32) : cpreg(cpu, TTBR0_64, TTBR0_32);
  const base = useTtbr1 ? ttbr & 0xffffc000 : ttbr & ~((1 << (14 - n)) - 1);
  const l1 = ramWord(ram, ((base >>> 0) + (va >>> 20) * 4) >>> 0);
  if (l1 === undefined) return undefined;
  switch (l1 & 3) {
    case 1: {
      const l2 = ramWord(ram, ((l1 & 0xfffffc00) + ((va >>> 12) & 0xff) * 4) >>> 0);
      if (l2 === undefined || (l2 & 3) === 0) return undefined;
      if ((l2 & 3) === 1) return ((l2 & 0xffff0000) | (va & 0xffff)) >>> 0; // large page
      return ((l2 & 0xfffff000) | (va & 0xfff)) >>> 0; // small page
    }
    case 2:
      if (l1 & (1 << 18)) return ((l1 & 0xff000000) | (va & 0xffffff)) >>> 0; // supersection
      return ((l1 & 0xfff00000) | (va & 0xfffff)) >>> 0; // section
    default:
      return undefined;
  }
}

/**
 * Reads (`data` undefined) or writes `length` bytes at virtual address `va` of `cpu`, page by page;
 * returns the bytes read, true for a write, or undefined when some page is unmapped or not RAM.
 */
export function cpuMemoryRwDebug(
  cpu: ARMCPU,
  ram: DebugRam,
  va: number,
  length: number,
  data?: Uint8Array,
): Uint8Array | true | undefined {
  const out = new Uint8Array(data === undefined ? length : 0);
  let done = 0;
  while (done < length) {
    const at = (va + done) >>> 0;
    const chunk = Math.min(length - done, 0x1000 - (at & 0xfff));
    const pa = armCpuGetPhysPageDebug(cpu, ram, at);
    if (pa === undefined) return undefined;
    const off = pa - ram.base;
    if (off < 0 || off + chunk > ram.bytes.length) return undefined;
    if (data === undefined) out.set(ram.bytes.subarray(off, off + chunk), done);
    else {
      ram.bytes.set(data.subarray(done, done + chunk), off);
      ramWritten(ram.bytes, off, chunk);
    }
    done += chunk;
  }
  return data === undefined ? out : true;
}
