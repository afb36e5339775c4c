/**
 * The SMC Calling Convention's own functions, as a KVM host answers them on HVC: SMCCC 1.1, and the
 * Spectre workaround queries of SMCCC_ARCH_FEATURES. Every function id nobody implements gets
 * NOT_SUPPORTED in r0, never an undefined instruction: guests probe ids and expect that answer.
 */

/** Function ids of the architecture service (owning entity 0, fast calls). */
export const SmcccFn = {
  VERSION: 0x80000000,
  ARCH_FEATURES: 0x80000001,
  /** Spectre v2 (branch predictor hardening). */
  ARCH_WORKAROUND_1: 0x80008000,
  /** Spectre v4 (speculative store bypass). */
  ARCH_WORKAROUND_2: 0x80007fff,
  /** Spectre-BHB. */
  ARCH_WORKAROUND_3: 0x80003fff,
} as const;

/** SMCCC return values in r0. */
export const SmcccRet = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  /** The CPU is not affected: the workaround is not needed (SMCCC_RET_NOT_REQUIRED). */
  NOT_REQUIRED: -2,
} as const;

/** SMCCC version 1.1, as major << 16 | minor. */
export const SMCCC_VERSION_1_1 = 0x10001;

/**
 * The result of architecture-service call `fn` with first argument `arg1`, or undefined when `fn`
 * is not one of them. The vCPU is software: no speculation, so every workaround is not required.
 */
export function smcccCall(fn: number, arg1: number): number | undefined {
  switch (fn) {
    case SmcccFn.VERSION:
      return SMCCC_VERSION_1_1;
    case SmcccFn.ARCH_FEATURES:
      switch (arg1) {
        case SmcccFn.ARCH_WORKAROUND_1:
        case SmcccFn.ARCH_WORKAROUND_2:
        case SmcccFn.ARCH_WORKAROUND_3:
          return SmcccRet.NOT_REQUIRED;
        default:
          return SmcccRet.NOT_SUPPORTED;
      }
    default:
      return undefined;
  }
}
