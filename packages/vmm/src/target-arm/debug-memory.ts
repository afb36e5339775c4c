/**
 * Guest memory as a debugger sees it (QEMU's cpu_memory_rw_debug): virtual addresses of one vCPU,
 * translated by walking its page tables, short- or long-descriptor as TTBCR.EAE says, from the
 * registers last read from KVM (arm_cpu_get_phys_page_debug), then read or written in RAM. Writes are reported so that
 * translated code on those bytes is dropped.
 */
import { ramWritten } from '@armvm/arm';
import { cp15Reg32Id, cp15Reg64Id } from '@armvm/kvm';
import type { GuestRam } from '../loader/guest-ram.ts';
import type { ARMCPU } from './arm-cpu.ts';

const SCTLR = cp15Reg32Id(1, 0, 0, 0);
const TTBR0_32 = cp15Reg32Id(2, 0, 0, 0);
const TTBR1_32 = cp15Reg32Id(2, 0, 0, 1);
const TTBR0_64 = cp15Reg64Id(2, 0);
const TTBR1_64 = cp15Reg64Id(2, 1);
const TTBCR = cp15Reg32Id(2, 0, 0, 2);

/** A register's low word from the vCPU's cpreg list (as last read from KVM); 0 when absent. */
function cpreg(cpu: ARMCPU, id: bigint, fallback?: bigint): number {
  const value = cpu.cpregValue(id) ?? (fallback === undefined ? undefined : cpu.cpregValue(fallback));
  return Number((value ?? 0n) & 0xffffffffn);
}

function ramWord(ram: GuestRam, pa: number): number | undefined {
  const off = pa - ram.base;
  if (off < 0 || off + 4 > ram.bytes.length) return undefined;
  return new DataView(ram.bytes.buffer, ram.bytes.byteOffset).getUint32(off, true);
}

/** A 64-bit descriptor of a long-descriptor table, or undefined outside RAM. */
function ramDoubleword(ram: GuestRam, pa: number): bigint | undefined {
  const off = pa - ram.base;
  if (off < 0 || off + 8 > ram.bytes.length) return undefined;
  return new DataView(ram.bytes.buffer, ram.bytes.byteOffset).getBigUint64(off, true);
}

/**
 * The long-descriptor (LPAE) walk: TTBR0 below 2^(32-T0SZ), TTBR1 in the top 2^(32-T1SZ) bytes,
 * starting at level 1 for regions above 1 GiB and at level 2 otherwise; blocks at levels 1 and 2,
 * pages at level 3. Output addresses above 4 GiB are not RAM here.
 */
function walkLong(cpu: ARMCPU, ram: GuestRam, ttbcr: number, va: number): number | undefined {
  const t0sz = ttbcr & 7;
  const t1sz = (ttbcr >>> 16) & 7;
  let tsz: number;
  let ttbr: bigint;
  if (t1sz > 0 && va >= 2 ** 32 - 2 ** (32 - t1sz)) {
    tsz = t1sz;
    ttbr = cpu.cpregValue(TTBR1_64) ?? 0n;
  } else if (t0sz === 0 || va < 2 ** (32 - t0sz)) {
    tsz = t0sz;
    ttbr = cpu.cpregValue(TTBR0_64) ?? 0n;
  } else {
    return undefined; // between the two regions: a translation fault
  }
  let level = tsz <= 1 ? 1 : 2;
  const tableBits = level === 1 ? 5 - tsz : 14 - tsz; // log2 of the first table's size
  let table = ttbr & 0xffffffffffn & ~((1n << BigInt(tableBits)) - 1n);
  const vaBig = BigInt(va);
  for (;;) {
    const shift = 39 - 9 * level; // 30, 21, 12
    const index = (vaBig >> BigInt(shift)) & (level === 1 ? (1n << BigInt(32 - tsz - 30)) - 1n : 0x1ffn);
    if (table >= 1n << 32n) return undefined;
    const desc = ramDoubleword(ram, Number(table + index * 8n));
    if (desc === undefined || (desc & 1n) === 0n) return undefined;
    const isTable = (desc & 2n) !== 0n;
    if (level === 3 && !isTable) return undefined; // reserved at level 3
    const out = desc & 0xfffffff000n; // bits 39:12
    if (level === 3 || !isTable) {
      const size = 1n << BigInt(shift);
      const pa = (out & ~(size - 1n)) | (vaBig & (size - 1n));
      return pa < 1n << 32n ? Number(pa) : undefined;
    }
    table = out;
    level++;
  }
}

/** The physical address of `va` for `cpu`, or undefined when it is not mapped. */
export function armCpuGetPhysPageDebug(cpu: ARMCPU, ram: GuestRam, va: number): number | undefined {
  va >>>= 0;
  if (!(cpreg(cpu, SCTLR) & 1)) return va; // MMU off
  const ttbcr = cpreg(cpu, TTBCR);
  if (ttbcr & 0x80000000) return walkLong(cpu, ram, ttbcr, va);
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
  ram: GuestRam,
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
