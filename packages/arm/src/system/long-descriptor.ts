/**
 * The long-descriptor translation table walk (LPAE, ARM ARM B3.6) of the PL1&0 stage 1 regime, as
 * a KVM guest has it: TTBCR.T0SZ/T1SZ split the 32-bit input between TTBR0 and TTBR1 (with a gap
 * that faults when both are set), EPD0/EPD1 forbid walks, and three levels of 64-bit descriptors
 * end in 1 GiB or 2 MiB blocks or 4 KiB pages with a 40-bit output address. Permissions come from
 * AP[2:1], XN and PXN, limited by the APTable/XNTable/PXNTable bits of the tables on the way and
 * by SCTLR.WXN/UWXN. A clear access flag faults (no hardware update). There are no domains.
 *
 * The walk fills a reused `LongWalk` and returns 0, or the long-format fault status (LPAE bit,
 * status and level; WnR is the caller's).
 */
import type { Bus } from '../bus.ts';
import { type Cp15, Ttbcr } from './cp15.ts';
import { LongFaultStatus } from './exceptions.ts';
import { P0R, P0W, P0X, P1R, P1W, P1X } from './permissions.ts';

/** SCTLR.WXN: writable memory is never executable. */
const SCTLR_WXN = 1 << 19;
/** SCTLR.UWXN: memory writable at PL0 is never executable at PL1. */
const SCTLR_UWXN = 1 << 20;

/** Descriptor bits (low word): valid, table/page, the access flag and not-global. */
const VALID = 1;
const TABLE = 2;
const AF = 1 << 10;
const NG = 1 << 11;
/** Descriptor bits (high word, bit n + 32): PXN (53) and XN (54). */
const PXN_HI = 1 << 21;
const XN_HI = 1 << 22;
/** Table attributes gathered from bits 63:59: PXNTable, XNTable, APTable[0] (no PL0), APTable[1] (read-only). */
const PXN_TABLE = 1;
const XN_TABLE = 2;
const AP_TABLE_NO_PL0 = 4;
const AP_TABLE_READ_ONLY = 8;

/** What a successful walk found. */
export class LongWalk {
  /** Output address bits 31:12 of the 4 KiB page holding the input address (as int32). */
  pageLo = 0;
  /** Output address bits 39:32. */
  pageHi = 0;
  /** log2 of the block or page size: 30, 21 or 12. */
  span = 12;
  /** Permission bits (`permissions.ts`). */
  perm = 0;
  /** nG: the translation belongs to the current ASID. */
  notGlobal = false;
  /** The level of the block or page descriptor (1 to 3), for a permission fault. */
  level = 3;
}

/** The fault status of a `kind` fault at `level`. */
function fault(kind: number, level: number): number {
  return LongFaultStatus.lpae | kind | level;
}

/** Walks the tables for `va` (under `cp`'s TTBCR, TTBRs and SCTLR) into `out`; 0 or a fault status. */
export function walkLong(bus: Bus, cp: Cp15, va: number, out: LongWalk): number {
  const ttbcr = cp.ttbcr;
  const uva = va >>> 0;
  const t0sz = ttbcr & 7;
  const t1sz = (ttbcr >>> 16) & 7;
  // TTBR1 takes the top 2^(32-T1SZ) bytes, or everything above TTBR0's range when T1SZ is 0
  const select = t1sz === 0 ? uva > 0xffffffff >>> t0sz : uva >= ~(0xffffffff >>> t1sz) >>> 0;
  const tsz = select ? t1sz : t0sz;
  // between the two ranges (both sizes set): a level 1 translation fault
  if (tsz !== 0 && uva >>> (32 - tsz) !== (select ? (1 << tsz) - 1 : 0)) {
    return fault(LongFaultStatus.translation, 1);
  }
  if (ttbcr & (select ? Ttbcr.EPD1 : Ttbcr.EPD0)) return fault(LongFaultStatus.translation, 1);
  const baseHi = select ? cp.ttbr1Hi : cp.ttbr0Hi;
  // base address bits 47:40 must be zero (an address size fault, reported at level 0)
  if (baseHi & 0xff00) return fault(LongFaultStatus.addressSize, 0);
  // a range of 1 GiB or less starts at level 2; its first table holds 2^(11 - tsz) entries
  let level = tsz <= 1 ? 1 : 2;
  const alignBits = level === 1 ? 5 - tsz : 14 - tsz;
  let tableLo = (select ? cp.ttbr1 : cp.ttbr0) & ~((1 << alignBits) - 1);
  let tableHi = baseHi & 0xff;
  let index =
    level === 1
      ? ((uva >>> 30) & ((1 << (2 - tsz)) - 1)) << 3
      : ((uva >>> 21) & ((1 << (11 - tsz)) - 1)) << 3;
  let limits = 0;
  const view = bus.view;
  for (;;) {
    const off = tableHi !== 0 ? -1 : bus.ramOffset((tableLo | index) >>> 0, 8);
    // a walk that leaves RAM is a synchronous external abort on the walk
    if (off < 0) return fault(LongFaultStatus.externalWalk, level);
    const lo = view.getInt32(off, true);
    const hi = view.getInt32(off + 4, true);
    if ((lo & VALID) === 0 || (level === 3 && (lo & TABLE) === 0)) {
      return fault(LongFaultStatus.translation, level);
    }
    if (level < 3 && (lo & TABLE) !== 0) {
      limits |= hi >>> 27;
      tableLo = lo & 0xfffff000;
      tableHi = hi & 0xff;
      level++;
      index = ((uva >>> (level === 2 ? 21 : 12)) & 0x1ff) << 3;
      continue;
    }
    if ((lo & AF) === 0) return fault(LongFaultStatus.accessFlag, level);
    const span = level === 1 ? 30 : level === 2 ? 21 : 12;
    const blockMask = (1 << span) - 1; // 2^30 - 1 at most: still an int32
    out.pageLo = (lo & ~blockMask) | (uva & blockMask & ~0xfff);
    out.pageHi = hi & 0xff;
    out.span = span;
    out.level = level;
    out.notGlobal = (lo & NG) !== 0;
    out.perm = permissions(lo, hi, limits, cp.sctlr);
    return 0;
  }
}

/** The permission bits of a block or page descriptor under the table limits and SCTLR. */
function permissions(lo: number, hi: number, limits: number, sctlr: number): number {
  const pl0 = (lo & (1 << 6)) !== 0 && (limits & AP_TABLE_NO_PL0) === 0; // AP[1]
  const readOnly = (lo & (1 << 7)) !== 0 || (limits & AP_TABLE_READ_ONLY) !== 0; // AP[2]
  const xn = (hi & XN_HI) !== 0 || (limits & XN_TABLE) !== 0;
  const pxn = (hi & PXN_HI) !== 0 || (limits & PXN_TABLE) !== 0;
  const wxn = (sctlr & SCTLR_WXN) !== 0;
  let perm = P1R;
  if (!readOnly) perm |= P1W;
  if (pl0) perm |= readOnly ? P0R : P0R | P0W;
  // executing needs reading at that level; WXN and UWXN take it from writable memory
  if (!xn && !pxn && !(wxn && !readOnly) && !(sctlr & SCTLR_UWXN && pl0 && !readOnly)) perm |= P1X;
  if (!xn && pl0 && !(wxn && !readOnly)) perm |= P0X;
  return perm;
}
