/**
 * The table of registers kvm_arch_put/get_registers move one by one: each KVM core register (a word
 * of `struct kvm_regs`) or VFP system register, and the CPUARMState field it lives in. QEMU builds
 * it with the COREREG and VFPSYSREG macros from offsetof; here each entry names its field and
 * reaches it through a getter and a setter.
 *
 * The CPSR, FPSCR and the D registers are not in the table: they need conversion (cpsr_read,
 * vfp_get_fpscr) or are 64-bit, and the hooks handle them after it.
 */
import {
  coreRegId,
  KVM_REG_ARM_VFP_FPEXC,
  KVM_REG_ARM_VFP_FPINST,
  KVM_REG_ARM_VFP_FPINST2,
  KVM_REG_ARM_VFP_FPSID,
  KVM_REG_ARM_VFP_MVFR0,
  KVM_REG_ARM_VFP_MVFR1,
  KvmRegsIndex,
  vfpControlId,
} from '@armvm/kvm';
import { ARM_VFP, type CPUARMState } from './cpu-arm-state.ts';

/** One row of the table. */
export interface Reg {
  /** KVM ONE_REG id (32-bit). */
  readonly id: bigint;
  /** The kernel's name for it, e.g. "svc_regs[2]". */
  readonly kernelName: string;
  /** The CPUARMState field, e.g. "bankedSpsr[1]". */
  readonly qemuField: string;
  get(env: CPUARMState): number;
  set(env: CPUARMState, value: number): void;
}

type WordArrayField = 'regs' | 'usrRegs' | 'fiqRegs' | 'bankedR13' | 'bankedR14' | 'bankedSpsr';

/** COREREG: a word of kvm_regs and the element of a CPUARMState array that holds it. */
function COREREG(kernelName: string, index: number, field: WordArrayField, element: number): Reg {
  return {
    id: coreRegId(index),
    kernelName,
    qemuField: `${field}[${element}]`,
    get: (env) => env[field][element]!,
    set: (env, value) => {
      env[field][element] = value;
    },
  };
}

/** VFPSYSREG: a VFP control register kept in `vfp.xregs`. */
function VFPSYSREG(name: keyof typeof ARM_VFP, kvmIndex: bigint): Reg {
  const x = ARM_VFP[name];
  return {
    id: vfpControlId(kvmIndex),
    kernelName: `VFP ${name}`,
    qemuField: `vfp.xregs[ARM_VFP_${name}]`,
    get: (env) => env.vfp.xregs[x]!,
    set: (env, value) => {
      env.vfp.xregs[x] = value;
    },
  };
}

const I = KvmRegsIndex;

/** Banked modes in kvm_regs order after usr_regs, with their CPUARMState bank numbers. */
const BANKED = [
  ['svc', I.SVC_SP, 1],
  ['abt', I.ABT_SP, 2],
  ['und', I.UND_SP, 3],
  ['irq', I.IRQ_SP, 4],
] as const;

/** QEMU's regs[] (same rows, same order). */
export const KVM_CORE_REGS: readonly Reg[] = [
  // R0_usr .. R7_usr: the same in every mode.
  ...Array.from({ length: 8 }, (_, n) => COREREG(`usr_regs.uregs[${n}]`, n, 'regs', n)),
  // R8_usr .. R12_usr: the non-FIQ copies.
  ...Array.from({ length: 5 }, (_, n) => COREREG(`usr_regs.uregs[${n + 8}]`, n + 8, 'usrRegs', n)),
  COREREG('usr_regs.uregs[13]', 13, 'bankedR13', 0),
  COREREG('usr_regs.uregs[14]', 14, 'bankedR14', 0),
  // R13, R14 and SPSR of SVC, ABT, UND and IRQ.
  ...BANKED.flatMap(([mode, base, bank]) => [
    COREREG(`${mode}_regs[0]`, base, 'bankedR13', bank),
    COREREG(`${mode}_regs[1]`, base + 1, 'bankedR14', bank),
    COREREG(`${mode}_regs[2]`, base + 2, 'bankedSpsr', bank),
  ]),
  // R8_fiq .. R12_fiq, then R13, R14 and SPSR of FIQ.
  ...Array.from({ length: 5 }, (_, n) => COREREG(`fiq_regs[${n}]`, I.FIQ_R8 + n, 'fiqRegs', n)),
  COREREG('fiq_regs[5]', I.FIQ_SP, 'bankedR13', 5),
  COREREG('fiq_regs[6]', I.FIQ_LR, 'bankedR14', 5),
  COREREG('fiq_regs[7]', I.FIQ_SPSR, 'bankedSpsr', 5),
  // R15.
  COREREG('usr_regs.uregs[15]', I.PC, 'regs', 15),
  // VFP system registers (FPSCR is a special case).
  VFPSYSREG('FPSID', KVM_REG_ARM_VFP_FPSID),
  VFPSYSREG('MVFR1', KVM_REG_ARM_VFP_MVFR1),
  VFPSYSREG('MVFR0', KVM_REG_ARM_VFP_MVFR0),
  VFPSYSREG('FPEXC', KVM_REG_ARM_VFP_FPEXC),
  VFPSYSREG('FPINST', KVM_REG_ARM_VFP_FPINST),
  VFPSYSREG('FPINST2', KVM_REG_ARM_VFP_FPINST2),
];
