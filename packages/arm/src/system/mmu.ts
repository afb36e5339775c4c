/**
 * The MMU: a direct-mapped TLB in front of two table walks, the short-descriptor one (ARM ARM B3.5:
 * sections, supersections, large and small pages, domains, AP[2:0], XN/PXN) here and the
 * long-descriptor one (LPAE, B3.6) in `long-descriptor.ts`; TTBCR.EAE picks the walk. Translation
 * faults become guest aborts carrying the fault status of the format in use.
 *
 * TLB entries of non-global (nG) mappings carry the ASID they were walked under (CONTEXTIDR[7:0],
 * or in the long format the ASID field of TTBR0/TTBR1); global ones match every ASID. A context
 * switch only changes the current ASID, so each address space keeps its entries. Flushing
 * everything bumps a generation number instead of clearing. Long-descriptor entries have no domain
 * (`NO_DOMAIN`): DACR never applies to them.
 */
import type { Bus } from '../bus.ts';
import { type Cp15, Ttbcr } from './cp15.ts';
import { ExceptionKind, FaultStatus, GuestException, LongFaultStatus } from './exceptions.ts';
import { LargeMappings } from './large-mappings.ts';
import { LongWalk, walkLong } from './long-descriptor.ts';
import { NEED_PL0, NEED_PL1, P0R, P0W, P0X, P1R, P1W, P1X, PALL } from './permissions.ts';

/** The kind of access being translated. */
export const Access = { read: 0, write: 1, fetch: 2 } as const;

/** One of the `Access` values. */
export type AccessValue = (typeof Access)[keyof typeof Access];

const TLB_SIZE = 1024;

/** The domain of a long-descriptor entry: above DACR's sixteen, so no DACR field or domain mask names it. */
export const NO_DOMAIN = 16;

/** The ASID field of a global entry: matches every ASID. */
const GLOBAL = -1;
/** The TLB slots a non-global page may sit in: its page number salted by ASID << 3, 7 bits of it. */
const ASID_SALTS = 128;

/** The TLB maintenance operations (CP15 c8, op2), as the TLBI* registers name them. */
export const TlbOp = {
  /** TLBIALL: everything. */
  all: 0,
  /** TLBIMVA: the page of an address, for one ASID and the global entries. */
  mva: 1,
  /** TLBIASID: every non-global entry of one ASID. */
  asid: 2,
  /** TLBIMVAA: the page of an address, for every ASID. */
  mvaAllAsids: 3,
} as const;

/** Translates virtual addresses for one core. */
export class Mmu {
  private readonly tag = new Int32Array(TLB_SIZE).fill(-1);
  /** The generation each entry was filled in; entries of older generations are flushed. */
  private readonly gen = new Int32Array(TLB_SIZE).fill(-1);
  /** The ASID of a non-global entry, or GLOBAL. */
  private readonly asid = new Int16Array(TLB_SIZE);
  /** log2 of the bytes the mapping behind an entry covers (12, 16, 20, 21, 24 or 30), for TLBIMVA. */
  private readonly span = new Uint8Array(TLB_SIZE);
  /** Physical address bits 31:12 of the entry's page (an entry whose page lies above 4 GiB is never left valid). */
  private readonly page = new Int32Array(TLB_SIZE);
  /** Permissions in a Client domain (from AP, XN, PXN). */
  private readonly perm = new Uint8Array(TLB_SIZE);
  /** Permissions in a Manager domain. */
  private readonly managerPerm = new Uint8Array(TLB_SIZE);
  /**
   * The domain of each entry, or NO_DOMAIN: DACR is applied at each lookup, so a DACR write keeps
   * the TLB.
   */
  private readonly domain = new Uint8Array(TLB_SIZE);
  /** Fault status of a permission fault for each cached entry (short: section or page and domain; long: level). */
  private readonly permFault = new Uint16Array(TLB_SIZE);
  /**
   * Per virtual page, the generation in which a non-global entry was cached for it: TLBIMVAA looks
   * in the ASID-salted slots only for such pages. The kernel's own pages are global, and Linux
   * flushes kernel ranges (vmalloc, fixmap, text patching) page by page with TLBIMVAA.
   */
  private readonly nonGlobalGen = new Int32Array(1 << 20).fill(-1);
  /** Where an entry of a mapping larger than 4 KiB is cached, so TLBIMVA looks beyond one page only there. */
  private readonly large = new LargeMappings();
  /** Where the long-descriptor walk leaves its result. */
  private readonly longWalk = new LongWalk();
  /** Table walks performed (a TLB miss each). */
  walks = 0;
  /** log2 of the size of the mapping the last successful `translate` used (12 for a small page). */
  lastSpan = 12;
  /** The domain of the mapping the last successful `translate` used (NO_DOMAIN for the long format). */
  lastDomain = 0;
  /** The current generation: a full flush starts a new one. */
  private generation = 0;
  /** The ASID translations are walked and matched under (CONTEXTIDR[7:0]). */
  private currentAsid = 0;

  private readonly bus: Bus;
  private readonly cp15: Cp15;

  constructor(bus: Bus, cp15: Cp15) {
    this.bus = bus;
    this.cp15 = cp15;
  }

  /** Drops every cached translation in O(1) (TLBIALL, or a change to SCTLR, TTBCR, PRRR or NMRR). */
  flush(): void {
    this.generation++;
    this.large.clear();
    if (this.generation === 0x7fffffff) {
      // after two billion flushes, start the numbering again with every entry stale
      this.gen.fill(-1);
      this.nonGlobalGen.fill(-1);
      this.generation = 0;
    }
  }

  /** Switches to the address space of `asid` (a CONTEXTIDR or TTBR write); cached entries stay. */
  setAsid(asid: number): void {
    this.currentAsid = asid & 0xff;
  }

  /** Performs TLB maintenance operation `op` (a `TlbOp`) with the register value written. */
  invalidate(op: number, value: number): void {
    if (op === TlbOp.all) {
      this.flush();
      return;
    }
    const asid = value & 0xff;
    if (op !== TlbOp.asid && !this.large.covers(value)) {
      // only 4 KiB pages can hold this address: look at its global slot and its ASID-salted ones
      const vpn = value >>> 12;
      this.dropPage((vpn & (TLB_SIZE - 1)) | 0, vpn, -2);
      if (op === TlbOp.mva) this.dropPage((vpn ^ (asid << 3)) & (TLB_SIZE - 1), vpn, asid);
      else if (this.nonGlobalGen[vpn] === this.generation)
        for (let a = 0; a < ASID_SALTS; a++) this.dropPage((vpn ^ (a << 3)) & (TLB_SIZE - 1), vpn, -1);
      return;
    }
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.gen[i] !== this.generation || this.tag[i] === -1) continue;
      const global = this.asid[i] === GLOBAL;
      let hit: boolean;
      if (op === TlbOp.asid) hit = !global && this.asid[i] === asid;
      else {
        // the entry caches one page of a mapping that may be larger: drop it if the mapping covers the address
        const span = this.span[i]!;
        const covers = ((this.tag[i]! << 12) ^ value) >>> span === 0;
        hit = covers && (op === TlbOp.mvaAllAsids || global || this.asid[i] === asid);
      }
      if (hit) this.tag[i] = -1;
    }
  }

  /**
   * Drops slot `i` if it caches page `vpn`: a global entry when `asid` is -2, a non-global one of
   * `asid`, or a non-global one of any ASID when `asid` is -1.
   */
  private dropPage(i: number, vpn: number, asid: number): void {
    if (this.tag[i] !== vpn || this.gen[i] !== this.generation) return;
    const entryAsid = this.asid[i]!;
    const hit =
      asid === -2 ? entryAsid === GLOBAL : entryAsid !== GLOBAL && (asid === -1 || entryAsid === asid);
    if (hit) this.tag[i] = -1;
  }

  /** The physical address of `va` for an access of `kind`, at PL0 when `user`; throws the guest's abort. */
  translate(va: number, kind: AccessValue, user: boolean): number {
    const vpn = va >>> 12;
    const gen = this.generation;
    // global entries live in the slot of their page; non-global ones in a slot salted by their ASID,
    // so address spaces that use the same addresses do not evict each other
    let i = vpn & (TLB_SIZE - 1);
    if (this.tag[i] !== vpn || this.gen[i] !== gen || this.asid[i] !== GLOBAL) {
      i = (vpn ^ (this.currentAsid << 3)) & (TLB_SIZE - 1);
      if (this.tag[i] !== vpn || this.gen[i] !== gen || this.asid[i] !== this.currentAsid) {
        i = this.walk(va, kind);
        if (this.tag[i] === -1) return this.translateHigh(i, va, kind, user);
      }
    }
    const domain = this.domain[i]!;
    // a long-descriptor entry has no domain: it is checked as a Client's (its two sets are the same)
    const access = domain === NO_DOMAIN ? 1 : (this.cp15.dacr >>> (domain << 1)) & 3;
    if (access === 0 || access === 2) throw this.fault(domainFault(this.permFault[i]!), va, kind);
    const need = user ? NEED_PL0[kind]! : NEED_PL1[kind]!;
    if (((access === 3 ? this.managerPerm[i]! : this.perm[i]!) & need) === 0) {
      throw this.fault(this.permFault[i]!, va, kind);
    }
    this.lastSpan = this.span[i]!;
    this.lastDomain = domain;
    return (this.page[i]! | (va & 0xfff)) >>> 0;
  }

  /**
   * The end of `translate` for a page above 4 GiB (long format), which the TLB never keeps: `walk`
   * filled slot `i` and left it invalid. The address is MMIO, or an abort, to whoever uses it.
   */
  private translateHigh(i: number, va: number, kind: AccessValue, user: boolean): number {
    const need = user ? NEED_PL0[kind]! : NEED_PL1[kind]!;
    if ((this.perm[i]! & need) === 0) throw this.fault(this.permFault[i]!, va, kind);
    this.lastSpan = this.span[i]!;
    this.lastDomain = NO_DOMAIN;
    return this.longWalk.pageHi * 2 ** 32 + ((this.page[i]! | (va & 0xfff)) >>> 0);
  }

  private fault(fsr: number, va: number, kind: AccessValue): GuestException {
    if (kind === Access.fetch) return new GuestException(ExceptionKind.prefetchAbort, fsr, va);
    return new GuestException(ExceptionKind.dataAbort, fsr | (kind === Access.write ? 1 << 11 : 0), va);
  }

  private readTable(pa: number, va: number, level: number, kind: AccessValue): number {
    const off = this.bus.ramOffset(pa, 4);
    // a walk that leaves RAM is a synchronous external abort on the walk
    if (off < 0) throw this.fault(level === 1 ? 0x40c : 0x40e, va, kind);
    return this.bus.view.getInt32(off, true);
  }

  /** Walks the tables for `va` and fills a TLB slot (returned), or throws a translation/domain fault. */
  private walk(va: number, kind: AccessValue): number {
    this.walks++;
    const cp = this.cp15;
    if (cp.ttbcr & Ttbcr.EAE) return this.walkLongDescriptors(va, kind);
    const n = cp.ttbcr & 7;
    const useTtbr1 = n !== 0 && va >>> (32 - n) !== 0;
    if (cp.ttbcr & (useTtbr1 ? 0x20 : 0x10)) throw this.fault(FaultStatus.translationSection, va, kind);
    const base = useTtbr1 ? cp.ttbr1 & 0xffffc000 : cp.ttbr0 & ~((1 << (14 - n)) - 1);
    const l1Index = useTtbr1 ? va >>> 20 : (va >>> 20) & (0xfff >>> n);
    const l1 = this.readTable((base | (l1Index << 2)) >>> 0, va, 1, kind);
    const type = l1 & 3;
    if (type === 0) throw this.fault(FaultStatus.translationSection, va, kind);
    let domain: number;
    let pa: number;
    let ap: number;
    let xn: number;
    let pxn = 0;
    let isPage: boolean;
    let notGlobal: number;
    let span: number;
    if (type === 1) {
      domain = (l1 >>> 5) & 0xf;
      pxn = (l1 >>> 2) & 1;
      const l2 = this.readTable(((l1 & 0xfffffc00) | (((va >>> 12) & 0xff) << 2)) >>> 0, va, 2, kind);
      if ((l2 & 3) === 0) throw this.fault(FaultStatus.translationPage | (domain << 4), va, kind);
      isPage = true;
      notGlobal = (l2 >>> 11) & 1;
      if ((l2 & 3) === 1) {
        pa = (l2 & 0xffff0000) | (va & 0xf000);
        xn = (l2 >>> 15) & 1;
        span = 16;
      } else {
        pa = l2 & 0xfffff000;
        xn = l2 & 1;
        span = 12;
      }
      ap = ((l2 >>> 4) & 3) | ((l2 >>> 7) & 4);
    } else {
      isPage = false;
      notGlobal = (l1 >>> 17) & 1;
      pxn = l1 & 1;
      xn = (l1 >>> 4) & 1;
      ap = ((l1 >>> 10) & 3) | ((l1 >>> 13) & 4);
      if (l1 & (1 << 18)) {
        domain = 0;
        pa = (l1 & 0xff000000) | (va & 0x00fff000);
        span = 24;
      } else {
        domain = (l1 >>> 5) & 0xf;
        pa = (l1 & 0xfff00000) | (va & 0x000ff000);
        span = 20;
      }
    }
    // cache the mapping with both permission sets; translate applies DACR and checks
    let perm = apPermissions(ap);
    let managerPerm = PALL;
    if (xn) {
      perm &= ~(P1X | P0X);
      managerPerm &= ~(P1X | P0X);
    }
    if (pxn) {
      perm &= ~P1X;
      managerPerm &= ~P1X;
    }
    const vpn = va >>> 12;
    const i = (notGlobal ? vpn ^ (this.currentAsid << 3) : vpn) & (TLB_SIZE - 1);
    this.tag[i] = vpn;
    this.gen[i] = this.generation;
    this.asid[i] = notGlobal ? this.currentAsid : GLOBAL;
    if (notGlobal) this.nonGlobalGen[vpn] = this.generation;
    this.span[i] = span;
    this.page[i] = pa & 0xfffff000;
    this.perm[i] = perm;
    this.managerPerm[i] = managerPerm;
    this.domain[i] = domain;
    this.permFault[i] = (isPage ? FaultStatus.permissionPage : FaultStatus.permissionSection) | (domain << 4);
    this.large.note(va, span);
    return i;
  }

  /** The long-descriptor walk for `va`: fills a TLB slot (returned) or throws the fault. */
  private walkLongDescriptors(va: number, kind: AccessValue): number {
    const w = this.longWalk;
    const fsr = walkLong(this.bus, this.cp15, va, w);
    if (fsr !== 0) throw this.fault(fsr, va, kind);
    const vpn = va >>> 12;
    const i = (w.notGlobal ? vpn ^ (this.currentAsid << 3) : vpn) & (TLB_SIZE - 1);
    // a page above 4 GiB gets the slot for its permissions but no tag, so it never hits
    this.tag[i] = w.pageHi === 0 ? vpn : -1;
    this.gen[i] = this.generation;
    this.asid[i] = w.notGlobal ? this.currentAsid : GLOBAL;
    if (w.notGlobal) this.nonGlobalGen[vpn] = this.generation;
    this.span[i] = w.span;
    this.page[i] = w.pageLo;
    this.perm[i] = w.perm;
    this.managerPerm[i] = w.perm;
    this.domain[i] = NO_DOMAIN;
    this.permFault[i] = LongFaultStatus.lpae | LongFaultStatus.permission | w.level;
    this.large.note(va, w.span);
    return i;
  }
}

/** The domain fault status matching a cached entry's permission fault status (same level, domain). */
function domainFault(permFault: number): number {
  return (
    (permFault & ~0xf) |
    ((permFault & 0xf) === FaultStatus.permissionPage ? FaultStatus.domainPage : FaultStatus.domainSection)
  );
}

/** Read/write permissions of AP[2:0] (SCTLR.AFE clear); execute follows read. */
function apPermissions(ap: number): number {
  switch (ap) {
    case 1:
      return P1R | P1W | P1X;
    case 2:
      return P1R | P1W | P1X | P0R | P0X;
    case 3:
      return P1R | P1W | P1X | P0R | P0W | P0X;
    case 5:
      return P1R | P1X;
    case 6:
    case 7:
      return P1R | P1X | P0R | P0X;
    default:
      return 0;
  }
}
