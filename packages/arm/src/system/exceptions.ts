/** Exceptions taken to PL1 (ARM ARM B1.8): which mode, which vector, which return address. */
import type { CpuState } from '../cpu-state.ts';
import { Psr } from '../cpu-state.ts';
import { Mode } from './modes.ts';

/** The exceptions a PL1 guest takes; Reset, HVC and SMC belong to the owner. */
export const ExceptionKind = {
  undefined: 0,
  svc: 1,
  prefetchAbort: 2,
  dataAbort: 3,
  irq: 4,
  fiq: 5,
} as const;

/** One of the `ExceptionKind` values. */
export type ExceptionKindValue = (typeof ExceptionKind)[keyof typeof ExceptionKind];

/** Fault status codes of the short-descriptor format (FS[4] in bit 10, FS[3:0] in bits 3:0). */
export const FaultStatus = {
  alignment: 0x001,
  debug: 0x002,
  accessFlagSection: 0x003,
  translationSection: 0x005,
  translationPage: 0x007,
  external: 0x008,
  domainSection: 0x009,
  domainPage: 0x00b,
  permissionSection: 0x00d,
  permissionPage: 0x00f,
} as const;

/**
 * Fault status codes of the long-descriptor format (STATUS in bits 5:0; the translation, access
 * flag, permission and walk-abort codes carry the lookup level in bits 1:0). A DFSR/IFSR value in
 * this format also has the LPAE bit set; TTBCR.EAE selects the format for every abort.
 */
export const LongFaultStatus = {
  addressSize: 0x00,
  translation: 0x04,
  accessFlag: 0x08,
  permission: 0x0c,
  external: 0x10,
  externalWalk: 0x14,
  alignment: 0x21,
  debug: 0x22,
  /** DFSR/IFSR bit 9: the value is in the long-descriptor format. */
  lpae: 0x200,
} as const;

/**
 * The long-descriptor form of a short-format DFSR/IFSR value raised outside a long-descriptor walk
 * (alignment, debug, external aborts), keeping WnR and ExT; a value already in the long format is
 * returned as it is.
 */
export function longFaultStatus(fsr: number): number {
  if (fsr & LongFaultStatus.lpae) return fsr;
  const keep = fsr & 0x1800; // WnR, ExT
  let status: number;
  switch (((fsr >>> 6) & 0x10) | (fsr & 0xf)) {
    case FaultStatus.alignment:
      status = LongFaultStatus.alignment;
      break;
    case FaultStatus.debug:
      status = LongFaultStatus.debug;
      break;
    case 0x1c: // external abort on a first-level walk
      status = LongFaultStatus.externalWalk | 1;
      break;
    case 0x1e: // ... on a second-level walk
      status = LongFaultStatus.externalWalk | 2;
      break;
    default:
      status = LongFaultStatus.external;
  }
  return keep | LongFaultStatus.lpae | status;
}

/**
 * A synchronous exception raised while executing an instruction. The interpreter throws it and
 * catches it at the instruction boundary, so the half-done instruction leaves no trace. Not an
 * Error: it is guest control flow, and a stack trace would only cost time.
 */
export class GuestException {
  /** Which exception. */
  readonly kind: ExceptionKindValue;
  /** DFSR/IFSR value for aborts (fault status, domain, WnR). */
  readonly fsr: number;
  /** DFAR/IFAR value for aborts. */
  readonly far: number;

  constructor(kind: ExceptionKindValue, fsr = 0, far = 0) {
    this.kind = kind;
    this.fsr = fsr;
    this.far = far;
  }
}

/** The undefined-instruction exception, shared because it carries nothing. */
export const UNDEFINED = new GuestException(ExceptionKind.undefined);

interface Entry {
  readonly mode: number;
  readonly vector: number;
  /** CPSR mask bits set on entry. */
  readonly mask: number;
}

const entries: readonly Entry[] = [
  { mode: Mode.und, vector: 0x04, mask: Psr.I },
  { mode: Mode.svc, vector: 0x08, mask: Psr.I },
  { mode: Mode.abt, vector: 0x0c, mask: Psr.I | Psr.A },
  { mode: Mode.abt, vector: 0x10, mask: Psr.I | Psr.A },
  { mode: Mode.irq, vector: 0x18, mask: Psr.I | Psr.A },
  { mode: Mode.fiq, vector: 0x1c, mask: Psr.I | Psr.A | Psr.F },
];

/**
 * The value LR takes for an exception raised by the instruction at `insnAddr` (synchronous kinds)
 * or before the instruction at `insnAddr` runs (IRQ/FIQ), in ARM (`thumb` 0) or Thumb state.
 */
export function exceptionLr(kind: ExceptionKindValue, insnAddr: number, thumb: number): number {
  switch (kind) {
    case ExceptionKind.undefined:
    case ExceptionKind.svc:
      return (insnAddr + (thumb ? 2 : 4)) | 0;
    case ExceptionKind.dataAbort:
      return (insnAddr + 8) | 0;
    default:
      return (insnAddr + 4) | 0;
  }
}

/** SCTLR bits that steer exception entry. */
const SCTLR_V = 1 << 13;
const SCTLR_EE = 1 << 25;
const SCTLR_TE = 1 << 30;

/**
 * Enters exception `kind`: saves CPSR into the new mode's SPSR, sets LR, masks, state bits from
 * SCTLR (TE selects Thumb handlers, EE the data endianness), and returns the vector address.
 */
export function enterException(
  s: CpuState,
  kind: ExceptionKindValue,
  lr: number,
  sctlr: number,
  vbar: number,
): number {
  const e = entries[kind]!;
  const spsr = s.cpsr;
  s.setMode(e.mode);
  s.currentSpsr = spsr;
  s.r[14] = lr;
  s.it = 0;
  s.t = sctlr & SCTLR_TE ? 1 : 0;
  s.masks = (s.masks & ~Psr.E) | e.mask | (sctlr & SCTLR_EE ? Psr.E : 0);
  const base = sctlr & SCTLR_V ? 0xffff0000 : vbar & ~0x1f;
  return (base + e.vector) | 0;
}
