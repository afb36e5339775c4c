/**
 * `info cpus`: one line per vCPU with its PC and state, the monitor's current vCPU marked with `*`
 * (the one `info registers` and `x` look at; `cpu N` changes it).
 */

/** Where a vCPU is, as the monitor learnt it through KVM. */
export type VcpuRunState = 'running' | 'halted' | 'powered off' | 'paused';

/** One vCPU's row. */
export interface VcpuSummary {
  readonly index: number;
  readonly pc: number;
  readonly state: VcpuRunState;
}

/** The lines of `info cpus`. */
export function formatCpuList(cpus: readonly VcpuSummary[], current: number): string {
  return cpus
    .map(
      (c) =>
        `${c.index === current ? '*' : ' '} CPU #${c.index}: pc=0x${(c.pc >>> 0).toString(16).padStart(8, '0')} (${c.state})\n`,
    )
    .join('');
}
