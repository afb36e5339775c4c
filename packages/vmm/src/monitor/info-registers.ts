/**
 * `info registers` for an ARMv7 vCPU: the core registers and PSR as QEMU prints them (the crash
 * report's `cpuDumpState`), then what locates a hang or a fault loop: r13, r14 and the SPSR of every
 * mode (the LR and SPSR of the mode an exception entered point back at the instruction that took
 * it), the fault status and address registers, and the registers that say where the vectors and
 * page tables are.
 */
import { Bank, BANK_COUNT, bankOf } from '@armvm/arm';
import { cp15Reg32Id, KvmRegId } from '@armvm/kvm';
import { cpuDumpState } from '../target-arm/cpu-dump.ts';
import { CPSR, type CPUARMState } from '../target-arm/cpu-arm-state.ts';

/** A system register by its KVM id, as last synchronized; undefined when KVM did not list it. */
export type SystemRegisterLookup = (id: bigint) => bigint | undefined;

/** The cp15 registers shown, by name, in the order printed (two lines). */
const SYSTEM_REGISTERS: readonly (readonly [string, bigint, 32 | 64])[][] = [
  [
    ['SCTLR', KvmRegId.SCTLR, 32],
    ['TTBCR', KvmRegId.TTBCR, 32],
    ['TTBR0', KvmRegId.TTBR0, 64],
    ['TTBR1', KvmRegId.TTBR1, 64],
    ['DACR', KvmRegId.DACR, 32],
  ],
  [
    ['DFSR', cp15Reg32Id(5, 0, 0, 0), 32],
    ['DFAR', cp15Reg32Id(6, 0, 0, 0), 32],
    ['IFSR', cp15Reg32Id(5, 0, 0, 1), 32],
    ['IFAR', cp15Reg32Id(6, 0, 0, 2), 32],
    ['VBAR', KvmRegId.VBAR, 32],
  ],
];

const BANK_NAMES = Object.keys(Bank) as (keyof typeof Bank)[];

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** r13, r14 and SPSR of each bank, the current mode's from the live registers. */
function bankedTable(env: CPUARMState): string {
  const current = bankOf(env.cpsrRead() & CPSR.M);
  const cell = (bank: number, row: 'r13' | 'r14' | 'spsr'): string => {
    if (row === 'spsr' && bank === Bank.usr) return '--------'; // usr/sys have no SPSR
    if (bank === current)
      return hex8(row === 'r13' ? env.regs[13]! : row === 'r14' ? env.regs[14]! : env.spsr);
    const banks = row === 'r13' ? env.bankedR13 : row === 'r14' ? env.bankedR14 : env.bankedSpsr;
    return hex8(banks[bank]!);
  };
  const banks = Array.from({ length: BANK_COUNT }, (_, b) => b);
  const header = banks.map((b) => (b === current ? `*${BANK_NAMES[b]}` : BANK_NAMES[b]!).padEnd(8)).join(' ');
  const rows = (['r13', 'r14', 'spsr'] as const).map(
    (row) => `${row.toUpperCase().padEnd(5)}${banks.map((b) => cell(b, row)).join(' ')}`,
  );
  return `     ${header.trimEnd()}\n${rows.join('\n')}\n`;
}

function systemLines(sysreg: SystemRegisterLookup): string {
  return SYSTEM_REGISTERS.map((line) =>
    line
      .map(([name, id, bits]) => {
        const v = sysreg(id);
        const digits = bits / 4;
        return `${name}=${v === undefined ? '?'.repeat(digits) : v.toString(16).padStart(digits, '0')}`;
      })
      .join(' '),
  )
    .map((l) => `${l}\n`)
    .join('');
}

/** The whole `info registers` text for one vCPU. */
export function formatArmRegisters(env: CPUARMState, sysreg: SystemRegisterLookup): string {
  return cpuDumpState(env) + bankedTable(env) + systemLines(sysreg);
}
