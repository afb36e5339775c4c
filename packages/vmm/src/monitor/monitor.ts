/**
 * The human monitor (QEMU's HMP) for the virt machine: reads command lines typed on the terminal,
 * runs them against the machine and prints the answers. Like the gdb stub it looks at the guest
 * only through KVM: registers by the accelerator's register sync (KVM_GET_ONE_REG), power state by
 * KVM_GET_MP_STATE, virtual memory through the same page-table walk, and it pauses and resumes the
 * VM through the vCPU scheduler.
 */
import type { KvmAccel } from '../accel/kvm-accel.ts';
import type { VcpuScheduler } from '../accel/vcpu-scheduler.ts';
import type { VirtBoard } from '../board/virt-board.ts';
import type { ARMCPU } from '../target-arm/arm-cpu.ts';
import { type DebugMemoryAccess, kvmArmSyncMpstateToQemu } from '../target-arm/kvm.ts';
import { formatCpuList, type VcpuSummary } from './info-cpus.ts';
import { formatMemoryTree } from './info-mtree.ts';
import { formatDeviceTree } from './info-qtree.ts';
import { formatArmRegisters } from './info-registers.ts';
import { DEFAULT_DUMP, type DumpSpec, formatMemoryDump, parseDumpFormat } from './memory-dump.ts';
import {
  formatHelp,
  formatInfoHelp,
  type InfoItem,
  type MonitorCommand,
  MonitorError,
  parseMonitorLine,
} from './monitor-command.ts';
import { evaluateAddress } from './monitor-expression.ts';
import { MonitorReadline } from './monitor-readline.ts';

/** What the monitor needs of the machine (the virt machine has it all). */
export interface MonitorMachine {
  readonly cpus: readonly ARMCPU[];
  readonly accel: KvmAccel;
  readonly scheduler: VcpuScheduler;
  readonly board: VirtBoard;
  /** Guest memory at `cpu`'s virtual addresses (its registers synchronized first). */
  debugMemory(cpu: ARMCPU): DebugMemoryAccess;
  /** Ends the run (`quit`). */
  stop(reason: string): void;
}

/** How the monitor talks to its user. */
export interface MonitorOptions {
  /** Text for the terminal; lines end in CR LF, as a terminal in raw mode needs. */
  write(text: string): void;
  /** Who answers, for the greeting: "armvm 0.1.0". */
  product: string;
}

export const MONITOR_PROMPT = '(armvm) ';

/** One monitor on one terminal. */
export class Monitor {
  readonly #m: MonitorMachine;
  readonly #o: MonitorOptions;
  readonly #readline = new MonitorReadline();
  /** The vCPU `info registers` and `x` look at (`cpu N`). */
  #current = 0;
  /** `x` and `xp` remember the last format and size, as QEMU's do. */
  #lastDump: DumpSpec = DEFAULT_DUMP;
  #greeted = false;
  #quit = false;
  /** Lines run one after the other: `stop` waits for the VM to pause before the next line runs. */
  #queue: Promise<void> = Promise.resolve();

  constructor(machine: MonitorMachine, options: MonitorOptions) {
    this.#m = machine;
    this.#o = options;
  }

  /** The terminal turned to the monitor: the greeting the first time, then a prompt. */
  focus(): void {
    // after the answers still owed, so the prompt comes last
    this.#queue = this.#queue.then(() => {
      if (!this.#greeted) {
        this.#greeted = true;
        this.#write(`${this.#o.product} monitor - type 'help' for more information\n`);
      }
      this.#write(MONITOR_PROMPT);
    });
  }

  /** Keystrokes for the monitor. */
  feed(bytes: Uint8Array): void {
    // A chunk may hold several lines (a paste, a pipe): each line's echo waits for the line before
    // it to be answered, so the terminal shows question, answer, question, answer.
    let from = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0d && bytes[i] !== 0x0a) continue;
      const part = bytes.subarray(from, Math.min(i + 1, bytes.length));
      from = i + 1;
      if (part.length === 0) continue;
      this.#queue = this.#queue.then(() => this.#handle(part));
    }
  }

  async #handle(part: Uint8Array): Promise<void> {
    if (this.#quit) return;
    const { echo, lines } = this.#readline.feed(part);
    if (echo) this.#write(echo);
    for (const line of lines) {
      this.#write(await this.execute(line));
      if (!this.#quit) this.#write(MONITOR_PROMPT);
    }
  }

  /** Runs one command line; returns what it prints (a failure is one line). */
  async execute(line: string): Promise<string> {
    try {
      const command = parseMonitorLine(line);
      return command === undefined ? '' : await this.#run(command);
    } catch (err) {
      if (err instanceof MonitorError) return `${err.message}\n`;
      throw err;
    }
  }

  #write(text: string): void {
    this.#o.write(text.replace(/\r?\n/g, '\r\n'));
  }

  async #run(c: MonitorCommand): Promise<string> {
    const m = this.#m;
    switch (c.kind) {
      case 'help':
        return formatHelp(c.topic);
      case 'info':
        return this.#info(c.item);
      case 'cpu':
        if (c.index >= m.cpus.length)
          throw new MonitorError(`cpu: no vCPU ${c.index} (0..${m.cpus.length - 1})`);
        this.#current = c.index;
        return '';
      case 'x':
        return this.#dump(c.physical, c.format, c.address);
      case 'stop':
        m.scheduler.requestPause('stop from the monitor');
        await m.scheduler.whenPaused();
        return '';
      case 'cont':
        if (m.scheduler.paused) m.scheduler.resume();
        return '';
      case 'system_reset':
        m.scheduler.requestReset();
        return '';
      case 'quit':
        this.#quit = true;
        m.stop('quit from the monitor');
        return '';
    }
  }

  #cpu(): ARMCPU {
    const cpu = this.#m.cpus[this.#current]!;
    // cpu_synchronize_state: between the scheduler's rounds no vCPU is inside KVM_RUN
    this.#m.accel.synchronizeState(cpu);
    return cpu;
  }

  #info(item: InfoItem | undefined): string {
    const m = this.#m;
    switch (item) {
      case undefined:
        return formatInfoHelp();
      case 'registers': {
        const cpu = this.#cpu();
        return formatArmRegisters(cpu.env, (id) => cpu.cpregValue(id));
      }
      case 'cpus':
        return formatCpuList(
          m.cpus.map((cpu) => this.#summary(cpu)),
          this.#current,
        );
      case 'mtree':
        return formatMemoryTree(m.board.space);
      case 'qtree':
        return formatDeviceTree(m.board, m.cpus.length);
      case 'status':
        return `VM status: ${m.scheduler.paused ? 'paused' : 'running'}\n`;
    }
  }

  #summary(cpu: ARMCPU): VcpuSummary {
    this.#m.accel.synchronizeState(cpu);
    if (kvmArmSyncMpstateToQemu(cpu) < 0)
      throw new MonitorError(`cpu ${cpu.cpuIndex}: KVM_GET_MP_STATE failed`);
    const state = cpu.powerState === 'off' ? 'powered off' : this.#m.scheduler.paused ? 'paused' : 'running';
    return { index: cpu.cpuIndex, pc: cpu.env.regs[15]!, state };
  }

  #dump(physical: boolean, format: string | undefined, addressText: string): string {
    const spec = parseDumpFormat(format, this.#lastDump);
    const cpu = this.#cpu();
    const address = evaluateAddress(addressText, (name) => {
      if (name === 'cpsr') return cpu.env.cpsrRead();
      const n = /^r(\d+)$/.exec(name)?.[1];
      return n !== undefined && Number(n) < 16 ? cpu.env.regs[Number(n)] : undefined;
    });
    this.#lastDump = spec;
    const read = physical ? this.#physicalReader() : this.#virtualReader(cpu);
    return formatMemoryDump(address, spec, read, physical);
  }

  #virtualReader(cpu: ARMCPU): (address: number, length: number) => Uint8Array | undefined {
    const access = this.#m.debugMemory(cpu);
    return (address, length) => {
      const got = access(address, length);
      return got instanceof Uint8Array ? got : undefined;
    };
  }

  #physicalReader(): (address: number, length: number) => Uint8Array | undefined {
    const memory = this.#m.board.memory;
    return (address, length) => {
      try {
        return memory.read(address, length);
      } catch {
        return undefined; // not RAM: device registers are not read, reading them could change them
      }
    };
  }
}
