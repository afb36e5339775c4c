/** QEMU's arm_cpu_dump_state: the register file as text, for crash reports and traces. */
import { modeName } from '@armvm/arm';
import { CPSR, type CPUARMState } from './cpu-arm-state.ts';

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** R00..R15, the PSR with its flags and mode, and the FPSCR, in QEMU's layout. */
export function cpuDumpState(env: CPUARMState): string {
  const lines: string[] = [];
  for (let i = 0; i < 16; i += 4) {
    lines.push(
      [0, 1, 2, 3].map((j) => `R${String(i + j).padStart(2, '0')}=${hex8(env.regs[i + j]!)}`).join(' '),
    );
  }
  const psr = env.cpsrRead();
  const flags = `${psr & 0x80000000 ? 'N' : '-'}${psr & 0x40000000 ? 'Z' : '-'}${psr & 0x20000000 ? 'C' : '-'}${psr & 0x10000000 ? 'V' : '-'}`;
  const state = psr & CPSR.T ? 'T' : 'A';
  lines.push(`PSR=${hex8(psr)} ${flags} ${state} ${modeName(psr & CPSR.M)}32`);
  lines.push(`FPSCR: ${hex8(env.vfpGetFpscr())}`);
  return `${lines.join('\n')}\n`;
}
