/**
 * The ONE_REG registry: every register id KVM exposes for a 32-bit ARM vCPU, in the kernel's
 * KVM_GET_REG_LIST order, each with its size and how to read and write it on our CPU. GET/SET_ONE_REG,
 * GET_REG_LIST and their tests are all driven by this one table.
 */
import { type Cpu, CortexA15Id, Mode, VfpId } from '@armvm/arm';
import {
  ccsidrId,
  coreRegId,
  cp15Reg32Id,
  cp15Reg64Id,
  Errno,
  KVM_REG_ARM,
  KVM_REG_ARM_VFP_FPEXC,
  KVM_REG_ARM_VFP_FPINST,
  KVM_REG_ARM_VFP_FPINST2,
  KVM_REG_ARM_VFP_FPSCR,
  KVM_REG_ARM_VFP_FPSID,
  KVM_REG_ARM_VFP_MVFR0,
  KVM_REG_ARM_VFP_MVFR1,
  KVM_REG_SIZE_MASK,
  KvmRegId,
  KvmRegsIndex,
  vfpControlId,
  vfpDRegId,
} from './uapi.ts';

/** State a vCPU keeps for KVM that the CPU model has no field for. */
export class KvmExtraRegs {
  /** `usr_regs.ARM_ORIG_r0`: stored, never used by the guest. */
  origR0 = 0;
  /** FPINST and FPINST2 (no VFP subarchitecture traps here; kept as written). */
  fpinst = 0;
  fpinst2 = 0;
}

/** What a register accessor works on. */
export interface RegisterContext {
  readonly cpu: Cpu;
  readonly extra: KvmExtraRegs;
  /** Sets CNTVOFF of every vCPU of the VM so the virtual count reads `count` now (KVM_REG_ARM_TIMER_CNT). */
  setVirtualCount(count: bigint): void;
}

/** One register: its id, size in bytes, accessors and whether it is a host constant. */
export interface RegisterEntry {
  readonly id: bigint;
  readonly size: 4 | 8;
  readonly name: string;
  get(ctx: RegisterContext): bigint;
  /** Returns 0 or a negative errno. */
  set(ctx: RegisterContext, value: bigint): number;
  /** Invariant: SET must pass the value GET returns (else -EINVAL). */
  readonly invariant?: boolean;
}

const u32 = (v: number): bigint => BigInt(v >>> 0);
const lo32 = (v: bigint): number => Number(v & 0xffffffffn) | 0;

function reg32(
  id: bigint,
  name: string,
  get: (c: RegisterContext) => number,
  set: (c: RegisterContext, v: number) => number | void,
): RegisterEntry {
  return {
    id,
    size: 4,
    name,
    get: (c) => u32(get(c)),
    set: (c, v) => set(c, lo32(v)) ?? 0,
  };
}

function invariant32(id: bigint, name: string, value: (c: RegisterContext) => number): RegisterEntry {
  return {
    id,
    size: 4,
    name,
    invariant: true,
    get: (c) => u32(value(c)),
    set: (c, v) => (v === u32(value(c)) ? 0 : -Errno.EINVAL),
  };
}

/** The modes whose CPSR a VMM may write (SYS is refused, as the kernel's switch does). */
const SETTABLE_MODES = new Set<number>([Mode.usr, Mode.fiq, Mode.irq, Mode.svc, Mode.abt, Mode.und]);

/** Core registers: the 38 words of `struct kvm_regs`, in order. */
function coreRegisters(): RegisterEntry[] {
  const out: RegisterEntry[] = [];
  const I = KvmRegsIndex;
  for (let i = 0; i < 8; i++) {
    out.push(
      reg32(
        coreRegId(i),
        `r${i}`,
        (c) => c.cpu.r[i]!,
        (c, v) => {
          c.cpu.r[i] = v;
        },
      ),
    );
  }
  for (let i = 8; i < 15; i++) {
    out.push(
      reg32(
        coreRegId(i),
        `r${i}_usr`,
        (c) => c.cpu.getBanked(Mode.usr, i),
        (c, v) => c.cpu.setBanked(Mode.usr, i, v),
      ),
    );
  }
  out.push(
    reg32(
      coreRegId(I.PC),
      'pc',
      (c) => c.cpu.r[15]!,
      (c, v) => {
        c.cpu.r[15] = v;
      },
    ),
  );
  out.push(
    reg32(
      coreRegId(I.CPSR),
      'cpsr',
      (c) => c.cpu.cpsr,
      (c, v) => {
        if (!SETTABLE_MODES.has(v & 0x1f)) return -Errno.EINVAL;
        c.cpu.cpsr = v >>> 0;
        return 0;
      },
    ),
  );
  out.push(
    reg32(
      coreRegId(I.ORIG_R0),
      'orig_r0',
      (c) => c.extra.origR0,
      (c, v) => {
        c.extra.origR0 = v;
      },
    ),
  );
  const banks: [string, number, number][] = [
    ['svc', Mode.svc, I.SVC_SP],
    ['abt', Mode.abt, I.ABT_SP],
    ['und', Mode.und, I.UND_SP],
    ['irq', Mode.irq, I.IRQ_SP],
  ];
  for (const [name, mode, base] of banks) {
    out.push(
      reg32(
        coreRegId(base),
        `sp_${name}`,
        (c) => c.cpu.getBanked(mode, 13),
        (c, v) => c.cpu.setBanked(mode, 13, v),
      ),
      reg32(
        coreRegId(base + 1),
        `lr_${name}`,
        (c) => c.cpu.getBanked(mode, 14),
        (c, v) => c.cpu.setBanked(mode, 14, v),
      ),
      reg32(
        coreRegId(base + 2),
        `spsr_${name}`,
        (c) => c.cpu.getSpsr(mode),
        (c, v) => c.cpu.setSpsr(mode, v),
      ),
    );
  }
  for (let i = 8; i < 15; i++) {
    out.push(
      reg32(
        coreRegId(I.FIQ_R8 + i - 8),
        `r${i}_fiq`,
        (c) => c.cpu.getBanked(Mode.fiq, i),
        (c, v) => c.cpu.setBanked(Mode.fiq, i, v),
      ),
    );
  }
  out.push(
    reg32(
      coreRegId(I.FIQ_SPSR),
      'spsr_fiq',
      (c) => c.cpu.getSpsr(Mode.fiq),
      (c, v) => c.cpu.setSpsr(Mode.fiq, v),
    ),
  );
  return out;
}

/** The virtual timer's registers (later kernels list them right after the core registers). */
function timerRegisters(): RegisterEntry[] {
  return [
    reg32(
      KvmRegId.TIMER_CTL,
      'cntv_ctl',
      (c) => c.cpu.cp15.timer.virtual.ctl,
      (c, v) => {
        c.cpu.cp15.timer.writeCtl(c.cpu.cp15.timer.virtual, v);
      },
    ),
    {
      id: KvmRegId.TIMER_CNT,
      size: 8,
      name: 'cntvct',
      get: (c) => c.cpu.cp15.timer.virtualCount,
      set: (c, v) => {
        c.setVirtualCount(v);
        return 0;
      },
    },
    {
      id: KvmRegId.TIMER_CVAL,
      size: 8,
      name: 'cntv_cval',
      get: (c) => c.cpu.cp15.timer.virtual.cval,
      set: (c, v) => {
        c.cpu.cp15.timer.virtual.cval = v;
        return 0;
      },
    },
  ];
}

/** The invariant cp15 registers (host identification), in the kernel's table order. */
function invariantCp15(): RegisterEntry[] {
  const id = CortexA15Id;
  const rows: [number, number, number, number, string, number][] = [
    [0, 0, 0, 0, 'midr', id.midr],
    [0, 0, 0, 1, 'ctr', id.ctr],
    [0, 0, 0, 2, 'tcmtr', id.tcmtr],
    [0, 0, 0, 3, 'tlbtr', id.tlbtr],
    [0, 0, 0, 6, 'revidr', id.midr], // our CPU reads REVIDR as MIDR
    [0, 1, 0, 0, 'id_pfr0', id.idPfr0],
    [0, 1, 0, 1, 'id_pfr1', id.idPfr1],
    [0, 1, 0, 2, 'id_dfr0', id.idDfr0],
    [0, 1, 0, 3, 'id_afr0', id.idAfr0],
    [0, 1, 0, 4, 'id_mmfr0', id.idMmfr0],
    [0, 1, 0, 5, 'id_mmfr1', id.idMmfr1],
    [0, 1, 0, 6, 'id_mmfr2', id.idMmfr2],
    [0, 1, 0, 7, 'id_mmfr3', id.idMmfr3],
    [0, 2, 0, 0, 'id_isar0', id.idIsar0],
    [0, 2, 0, 1, 'id_isar1', id.idIsar1],
    [0, 2, 0, 2, 'id_isar2', id.idIsar2],
    [0, 2, 0, 3, 'id_isar3', id.idIsar3],
    [0, 2, 0, 4, 'id_isar4', id.idIsar4],
    [0, 2, 0, 5, 'id_isar5', id.idIsar5],
    [0, 0, 1, 1, 'clidr', id.clidr],
    [0, 0, 1, 7, 'aidr', id.aidr],
  ];
  return rows.map(([crn, crm, op1, op2, name, value]) =>
    invariant32(cp15Reg32Id(crn, crm, op1, op2), name, () => value),
  );
}

/** A cp15 register that is plain storage in `Cp15`. */
type Cp15Field =
  | 'mpidr'
  | 'csselr'
  | 'sctlr'
  | 'actlr'
  | 'cpacr'
  | 'ttbr0'
  | 'ttbr1'
  | 'ttbcr'
  | 'dacr'
  | 'dfsr'
  | 'ifsr'
  | 'adfsr'
  | 'aifsr'
  | 'dfar'
  | 'ifar'
  | 'prrr'
  | 'nmrr'
  | 'vbar'
  | 'contextidr'
  | 'tpidrurw'
  | 'tpidruro'
  | 'tpidrprw';

function cp15Field(crn: number, crm: number, op1: number, op2: number, field: Cp15Field): RegisterEntry {
  return reg32(
    cp15Reg32Id(crn, crm, op1, op2),
    field,
    (c) => c.cpu.cp15[field],
    (c, v) => {
      c.cpu.cp15[field] = v;
      c.cpu.cp15.onTranslationChange(); // SCTLR, TTBCR, DACR, PRRR... may change translation
    },
  );
}

/** A 64-bit cp15 register (MCRR/MRRC) kept as two words in `Cp15`. */
function cp15Field64(crm: number, op1: number, lo: 'ttbr0' | 'ttbr1' | 'par'): RegisterEntry {
  const hi = `${lo}Hi` as const;
  return {
    id: cp15Reg64Id(crm, op1),
    size: 8,
    name: lo,
    get: (c) => (u32(c.cpu.cp15[hi]) << 32n) | u32(c.cpu.cp15[lo]),
    set: (c, v) => {
      c.cpu.cp15[lo] = lo32(v);
      c.cpu.cp15[hi] = lo32(v >> 32n);
      c.cpu.cp15.onTranslationChange(); // a TTBR's base or ASID
      return 0;
    },
  };
}

/**
 * AMAIR0/AMAIR1: the kernel saves them, but the Cortex-A15 implements them as RAZ/WI, so what a
 * host reads back after any guest run is zero; a write is accepted and has no effect.
 */
function amair(op2: 0 | 1): RegisterEntry {
  return reg32(
    cp15Reg32Id(10, 3, 0, op2),
    `amair${op2}`,
    (c) => c.cpu.cp15.read(10, 0, 3, op2, false)!,
    () => {},
  );
}

/**
 * The saved cp15 state, in the order the kernel walks its merged target and generic tables (sorted
 * by CRn, CRm, Op1, Op2, a 64-bit register filed under CRn = its CRm and before the 32-bit ones).
 * TTBR0 and TTBR1 are listed twice, as the kernel does: the 64-bit register and its low word.
 * PRRR/NMRR are MAIR0/MAIR1 in the long-descriptor format. L2CTLR, in the kernel's A15 table, is
 * left out: the CPU model has no such register for the guest to read.
 */
function savedCp15(): RegisterEntry[] {
  return [
    cp15Field(0, 0, 0, 5, 'mpidr'),
    cp15Field(0, 0, 2, 0, 'csselr'),
    cp15Field(1, 0, 0, 0, 'sctlr'),
    cp15Field(1, 0, 0, 1, 'actlr'),
    cp15Field(1, 0, 0, 2, 'cpacr'),
    cp15Field64(2, 0, 'ttbr0'),
    cp15Field(2, 0, 0, 0, 'ttbr0'),
    cp15Field(2, 0, 0, 1, 'ttbr1'),
    cp15Field(2, 0, 0, 2, 'ttbcr'),
    cp15Field64(2, 1, 'ttbr1'),
    cp15Field(3, 0, 0, 0, 'dacr'),
    cp15Field(5, 0, 0, 0, 'dfsr'),
    cp15Field(5, 0, 0, 1, 'ifsr'),
    cp15Field(5, 1, 0, 0, 'adfsr'),
    cp15Field(5, 1, 0, 1, 'aifsr'),
    cp15Field(6, 0, 0, 0, 'dfar'),
    cp15Field(6, 0, 0, 2, 'ifar'),
    cp15Field64(7, 0, 'par'),
    cp15Field(10, 2, 0, 0, 'prrr'),
    cp15Field(10, 2, 0, 1, 'nmrr'),
    amair(0),
    amair(1),
    cp15Field(12, 0, 0, 0, 'vbar'),
    cp15Field(13, 0, 0, 1, 'contextidr'),
    cp15Field(13, 0, 0, 2, 'tpidrurw'),
    cp15Field(13, 0, 0, 3, 'tpidruro'),
    cp15Field(13, 0, 0, 4, 'tpidrprw'),
    reg32(
      cp15Reg32Id(14, 1, 0, 0),
      'cntkctl',
      (c) => c.cpu.cp15.timer.cntkctl,
      (c, v) => {
        c.cpu.cp15.timer.cntkctl = v;
      },
    ),
  ];
}

/** D0-D31 (MVFR0.A_SIMD = 2 means 32 registers), then the seven control registers. */
function vfpRegisters(): RegisterEntry[] {
  const out: RegisterEntry[] = [];
  for (let i = 0; i < 32; i++) {
    out.push({
      id: vfpDRegId(i),
      size: 8,
      name: `d${i}`,
      get: (c) => c.cpu.vfp.d(i),
      set: (c, v) => {
        c.cpu.vfp.setD(i, v);
        return 0;
      },
    });
  }
  out.push(
    reg32(
      vfpControlId(KVM_REG_ARM_VFP_FPEXC),
      'fpexc',
      (c) => c.cpu.vfp.fpexc,
      (c, v) => {
        c.cpu.vfp.fpexc = v; // the kernel restores FPEXC whole
      },
    ),
    reg32(
      vfpControlId(KVM_REG_ARM_VFP_FPSCR),
      'fpscr',
      (c) => c.cpu.vfp.fpscr,
      (c, v) => {
        c.cpu.vfp.fpscr = v;
      },
    ),
    reg32(
      vfpControlId(KVM_REG_ARM_VFP_FPINST),
      'fpinst',
      (c) => c.extra.fpinst,
      (c, v) => {
        c.extra.fpinst = v;
      },
    ),
    reg32(
      vfpControlId(KVM_REG_ARM_VFP_FPINST2),
      'fpinst2',
      (c) => c.extra.fpinst2,
      (c, v) => {
        c.extra.fpinst2 = v;
      },
    ),
    invariant32(vfpControlId(KVM_REG_ARM_VFP_MVFR0), 'mvfr0', () => VfpId.mvfr0),
    invariant32(vfpControlId(KVM_REG_ARM_VFP_MVFR1), 'mvfr1', () => VfpId.mvfr1),
    invariant32(vfpControlId(KVM_REG_ARM_VFP_FPSID), 'fpsid', () => VfpId.fpsid),
  );
  return out;
}

/** CSSELR values naming a cache CLIDR says exists (the kernel's is_valid_cache). */
export function validCsselrs(clidr: number): number[] {
  const out: number[] = [];
  for (let csselr = 0; csselr < 12; csselr++) {
    const level = csselr >> 1;
    const instruction = (csselr & 1) === 1;
    const ctype = (clidr >>> (level * 3)) & 7;
    const ok =
      ctype === 1 ? instruction : ctype === 2 || ctype === 4 ? !instruction : ctype === 3 ? true : false;
    if (ok) out.push(csselr);
  }
  return out;
}

/** CCSIDR per cache, the demultiplexed invariant registers. */
function demuxRegisters(): RegisterEntry[] {
  return validCsselrs(CortexA15Id.clidr).map((csselr) =>
    invariant32(ccsidrId(csselr), `ccsidr${csselr}`, () => CortexA15Id.ccsidr[csselr]!),
  );
}

/** Every register, in KVM_GET_REG_LIST order: core, timer, invariant cp15, cp15, VFP, demux. */
export const REGISTERS: readonly RegisterEntry[] = Object.freeze([
  ...coreRegisters(),
  ...timerRegisters(),
  ...invariantCp15(),
  ...savedCp15(),
  ...vfpRegisters(),
  ...demuxRegisters(),
]);

const BY_ID = new Map<bigint, RegisterEntry>(REGISTERS.map((r) => [r.id, r]));

/** The entry for an id, or the errno the kernel gives (-EINVAL for a non-ARM id, -ENOENT unknown). */
export function lookupRegister(id: bigint): RegisterEntry | number {
  if ((id & ~KVM_REG_SIZE_MASK) >> 32n !== KVM_REG_ARM >> 32n) return -Errno.EINVAL;
  return BY_ID.get(id) ?? -Errno.ENOENT;
}

/** Reads a register into `addr` (little-endian, `size` bytes). */
export function getOneReg(ctx: RegisterContext, id: bigint, addr: Uint8Array): number {
  const entry = lookupRegister(id);
  if (typeof entry === 'number') return entry;
  if (!(addr instanceof Uint8Array) || addr.length < entry.size) return -Errno.EFAULT;
  const view = new DataView(addr.buffer, addr.byteOffset, entry.size);
  const v = entry.get(ctx);
  if (entry.size === 4) view.setUint32(0, Number(v & 0xffffffffn), true);
  else view.setBigUint64(0, BigInt.asUintN(64, v), true);
  return 0;
}

/** Writes a register from `addr`. */
export function setOneReg(ctx: RegisterContext, id: bigint, addr: Uint8Array): number {
  const entry = lookupRegister(id);
  if (typeof entry === 'number') return entry;
  if (!(addr instanceof Uint8Array) || addr.length < entry.size) return -Errno.EFAULT;
  const view = new DataView(addr.buffer, addr.byteOffset, entry.size);
  const v = entry.size === 4 ? BigInt(view.getUint32(0, true)) : view.getBigUint64(0, true);
  return entry.set(ctx, v);
}
