/**
 * A GDB remote stub over TCP (QEMU's gdbstub, for the virt machine on KVM): one thread per vCPU,
 * registers from the vCPU state read through KVM, memory at virtual addresses through the guest's
 * page tables, breakpoints and watchpoints through KVM_SET_GUEST_DEBUG, single step, Ctrl-C,
 * continue, detach and kill. The VM stops while gdb looks at it, as QEMU's does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { KvmAccel } from '../accel/kvm-accel.ts';
import {
  kvmInsertBreakpoint,
  kvmRemoveAllBreakpoints,
  kvmRemoveBreakpoint,
  kvmUpdateGuestDebug,
} from '../accel/kvm-guest-debug.ts';
import type { PauseReason, VcpuScheduler } from '../accel/vcpu-scheduler.ts';
import type { ARMCPU } from '../target-arm/arm-cpu.ts';
import { CpsrWriteType } from '../target-arm/cpu-arm-state.ts';
import { type DebugMemoryAccess, GdbBreakpointType } from '../target-arm/kvm.ts';
import { armTargetXml, GdbReg } from './arm-target-xml.ts';
import { encodePacket, fromHex, RspDecoder, toHex } from './rsp-packet.ts';

/** What the stub needs of the machine. */
export interface GdbMachine {
  readonly cpus: readonly ARMCPU[];
  readonly accel: KvmAccel;
  readonly scheduler: VcpuScheduler;
  /** Guest memory at `cpu`'s virtual addresses (its registers synchronized first). */
  debugMemory(cpu: ARMCPU): DebugMemoryAccess;
  /** Ends the run (gdb's kill). */
  stop(reason: string): void;
}

const SIGINT = 2;
const SIGTRAP = 5;

function u32le(v: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b.toString('hex');
}

function u64le(v: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b.toString('hex');
}

/** The stub: listens, serves one gdb at a time. */
export class GdbStub {
  readonly #m: GdbMachine;
  readonly #server: Server;
  #socket: Socket | undefined;
  readonly #decoder = new RspDecoder();
  #noAck = false;
  /** gdb speaks the multiprocess extensions: thread ids are `p1.N` (one process, the VM). */
  #multiprocess = false;
  /** The thread for g/m/Z (Hg) and the one to report in stop replies. */
  #current = 0;
  /** gdb waits for a stop reply (after c, s, ? while running). */
  #awaitingStop = false;
  #interrupted = false;
  readonly #xml = armTargetXml();
  /** Told of the port once listening (tests ask for port 0). */
  readonly listening: Promise<number>;

  constructor(machine: GdbMachine, host: string, port: number) {
    this.#m = machine;
    machine.scheduler.onPause = (reason) => this.#paused(reason);
    this.#server = createServer((socket) => this.#accept(socket));
    this.listening = new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        const a = this.#server.address();
        resolve(typeof a === 'object' && a !== null ? a.port : port);
      });
    });
  }

  /** The guest ended (powered off, or reset under -no-reboot): gdb hears it exited, as from QEMU. */
  guestExited(code: number): void {
    this.#send(`W${code.toString(16).padStart(2, '0')}`);
    this.#socket?.end();
  }

  /** Stops listening and drops the connection. */
  close(): void {
    this.#socket?.destroy();
    this.#server.close();
  }

  #accept(socket: Socket): void {
    if (this.#socket) {
      socket.destroy(); // one debugger at a time
      return;
    }
    this.#socket = socket;
    this.#noAck = false;
    socket.on('data', (chunk) => this.#receive(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    // QEMU stops the VM when gdb connects
    this.#m.scheduler.requestPause('gdb attached');
  }

  #receive(chunk: Buffer): void {
    for (const e of this.#decoder.feed(chunk)) {
      if (e.kind === 'interrupt') {
        this.#interrupted = true;
        this.#m.scheduler.requestPause('interrupted by gdb');
      } else if (e.kind === 'bad-checksum') this.#socket?.write('-');
      else if (e.kind === 'packet') {
        if (!this.#noAck) this.#socket?.write('+');
        const reply = this.#command(Buffer.from(e.payload).toString('latin1'), e.payload);
        if (reply !== undefined) this.#send(reply);
      }
    }
  }

  #send(payload: string): void {
    this.#socket?.write(encodePacket(payload));
  }

  /** The VM paused: single steps are over; gdb gets its stop reply if it waits for one. */
  #paused(reason: PauseReason): void {
    for (const cpu of this.#m.cpus) {
      if (cpu.singlestepEnabled) {
        cpu.singlestepEnabled = false;
        kvmUpdateGuestDebug(this.#m.accel.s, cpu);
      }
    }
    if (reason.kind === 'debug') this.#current = reason.cpuIndex;
    if (!this.#awaitingStop) return;
    this.#awaitingStop = false;
    this.#send(this.#stopReply(reason));
  }

  /** A thread id as gdb expects it: vCPU n is thread n + 1. */
  #threadId(cpuIndex: number): string {
    const tid = (cpuIndex + 1).toString(16).padStart(2, '0');
    return this.#multiprocess ? `p01.${tid}` : tid;
  }

  /** A vCPU index from a thread id (`N`, `pP.N`); -1 for "all", undefined for "any". */
  #parseThread(text: string): number | undefined {
    const tid = text.startsWith('p') ? (text.split('.')[1] ?? '-1') : text;
    if (tid === '-1') return -1;
    const n = parseInt(tid, 16);
    return n > 0 ? n - 1 : undefined;
  }

  #stopReply(reason: PauseReason | undefined): string {
    const thread = `thread:${this.#threadId(this.#current)};`;
    const signal = this.#interrupted && reason?.kind !== 'debug' ? SIGINT : SIGTRAP;
    this.#interrupted = false;
    let text = `T${signal.toString(16).padStart(2, '0')}${thread}`;
    const hit = reason?.kind === 'debug' ? this.#m.accel.s.watchpointHit : undefined;
    if (hit) {
      const kind =
        hit.hit.type === GdbBreakpointType.WATCH_READ
          ? 'rwatch'
          : hit.hit.type === GdbBreakpointType.WATCH_ACCESS
            ? 'awatch'
            : 'watch';
      text += `${kind}:${hit.address.toString(16)};`;
    }
    return text;
  }

  #cpu(): ARMCPU {
    return this.#m.cpus[this.#current] ?? this.#m.cpus[0]!;
  }

  #synced(): ARMCPU {
    const cpu = this.#cpu();
    this.#m.accel.synchronizeState(cpu);
    return cpu;
  }

  #readRegister(cpu: ARMCPU, n: number): string | undefined {
    const env = cpu.env;
    if (n < 16) return u32le(env.regs[n]!);
    if (n === GdbReg.cpsr) return u32le(env.cpsrRead());
    if (n >= GdbReg.d0 && n < GdbReg.d0 + 32) return u64le(env.vfp.regs[n - GdbReg.d0]!);
    if (n === GdbReg.fpscr) return u32le(env.vfpGetFpscr());
    return undefined;
  }

  #writeRegister(cpu: ARMCPU, n: number, bytes: Uint8Array): boolean {
    const env = cpu.env;
    const view = Buffer.from(bytes);
    if (n < 16 && bytes.length === 4) env.regs[n] = view.readUInt32LE();
    else if (n === GdbReg.cpsr && bytes.length === 4)
      env.cpsrWrite(view.readUInt32LE(), 0xffffffff, CpsrWriteType.byInstruction);
    else if (n >= GdbReg.d0 && n < GdbReg.d0 + 32 && bytes.length === 8)
      env.vfp.regs[n - GdbReg.d0] = view.readBigUInt64LE();
    else if (n === GdbReg.fpscr && bytes.length === 4) env.vfpSetFpscr(view.readUInt32LE());
    else return false;
    cpu.vcpuDirty = true;
    return true;
  }

  #allRegisters(): string {
    const cpu = this.#synced();
    const order = [...Array.from({ length: 16 }, (_, i) => i), GdbReg.cpsr];
    for (let i = 0; i < 32; i++) order.push(GdbReg.d0 + i);
    order.push(GdbReg.fpscr);
    return order.map((n) => this.#readRegister(cpu, n)).join('');
  }

  #resume(step: boolean, thread?: number): void {
    const s = this.#m.accel.s;
    const cpu = thread !== undefined ? (this.#m.cpus[thread] ?? this.#cpu()) : this.#cpu();
    if (step) {
      cpu.singlestepEnabled = true;
      kvmUpdateGuestDebug(s, cpu);
    }
    this.#awaitingStop = true;
    this.#m.scheduler.resume(step ? cpu.cpuIndex : undefined);
  }

  #breakpoint(insert: boolean, args: string): string {
    const [type, addr, kind] = args.split(',').map((x) => parseInt(x, 16)) as [number, number, number];
    if (!(type >= 0 && type <= 4) || Number.isNaN(addr)) return '';
    const s = this.#m.accel.s;
    const cpu = this.#synced();
    const mem = this.#m.debugMemory(cpu);
    const ret = (insert ? kvmInsertBreakpoint : kvmRemoveBreakpoint)(
      s,
      this.#m.cpus,
      cpu,
      addr,
      kind,
      type,
      mem,
    );
    if (ret === -38 /* ENOSYS */) return '';
    return ret < 0 ? 'E22' : 'OK';
  }

  /** One command; the reply, or undefined when the reply comes later (a stop reply). */
  #command(text: string, raw: Uint8Array): string | undefined {
    const m = this.#m;
    switch (text[0]) {
      case '?':
        if (m.scheduler.paused) return this.#stopReply(undefined);
        this.#awaitingStop = true;
        m.scheduler.requestPause('gdb asked why it stopped');
        return undefined;
      case 'g':
        return this.#allRegisters();
      case 'G': {
        const cpu = this.#synced();
        const bytes = fromHex(text.slice(1));
        if (!bytes) return 'E22';
        const order = [...Array.from({ length: 16 }, (_, i) => i), GdbReg.cpsr];
        let at = 0;
        for (const n of order) {
          if (at + 4 > bytes.length) break;
          this.#writeRegister(cpu, n, bytes.subarray(at, at + 4));
          at += 4;
        }
        return 'OK';
      }
      case 'p': {
        const r = this.#readRegister(this.#synced(), parseInt(text.slice(1), 16));
        return r ?? 'E14';
      }
      case 'P': {
        const [n, v] = text.slice(1).split('=') as [string, string];
        const bytes = fromHex(v ?? '');
        return bytes && this.#writeRegister(this.#synced(), parseInt(n, 16), bytes) ? 'OK' : 'E22';
      }
      case 'm': {
        const [a, l] = text
          .slice(1)
          .split(',')
          .map((x) => parseInt(x, 16)) as [number, number];
        const got = m.debugMemory(this.#synced())(a, Math.min(l, 0x4000));
        return got instanceof Uint8Array ? toHex(got) : 'E14';
      }
      case 'M': {
        const [head, hex] = text.slice(1).split(':') as [string, string];
        const [a, l] = head.split(',').map((x) => parseInt(x, 16)) as [number, number];
        const bytes = fromHex(hex ?? '');
        if (!bytes || bytes.length !== l) return 'E22';
        return m.debugMemory(this.#synced())(a, l, bytes) === true ? 'OK' : 'E14';
      }
      case 'X': {
        const colon = raw.indexOf(0x3a);
        const [a, l] = text
          .slice(1, colon)
          .split(',')
          .map((x) => parseInt(x, 16)) as [number, number];
        const bytes = raw.subarray(colon + 1);
        if (bytes.length !== l) return 'E22';
        if (l === 0) return 'OK';
        return m.debugMemory(this.#synced())(a, l, Uint8Array.from(bytes)) === true ? 'OK' : 'E14';
      }
      case 'Z':
      case 'z':
        return this.#breakpoint(text[0] === 'Z', text.slice(1));
      case 'c':
      case 'C':
        this.#resume(false);
        return undefined;
      case 's':
      case 'S':
        this.#resume(true);
        return undefined;
      case 'H': {
        const id = this.#parseThread(text.slice(2));
        if (id !== undefined && id >= 0 && id < m.cpus.length) this.#current = id;
        return 'OK';
      }
      case 'T': {
        const id = this.#parseThread(text.slice(1));
        return id !== undefined && id >= 0 && id < m.cpus.length ? 'OK' : 'E22';
      }
      case 'D':
        kvmRemoveAllBreakpoints(m.accel.s, m.cpus, m.debugMemory(this.#synced()));
        this.#send('OK');
        this.#socket?.end();
        m.scheduler.resume();
        return undefined;
      case 'k':
        kvmRemoveAllBreakpoints(m.accel.s, m.cpus, m.debugMemory(this.#synced()));
        m.stop('killed by gdb');
        m.scheduler.resume();
        this.#socket?.end();
        return undefined;
      case 'v':
        return this.#vCommand(text);
      case 'q':
      case 'Q':
        return this.#query(text);
      default:
        return '';
    }
  }

  #vCommand(text: string): string | undefined {
    if (text === 'vCont?') return 'vCont;c;C;s;S';
    if (text.startsWith('vCont;')) {
      // the first action that names a step wins (gdb steps one thread and may continue others)
      const actions = text.slice(6).split(';');
      for (const a of actions) {
        const [action, thread] = a.split(':') as [string, string?];
        if (action[0] === 's' || action[0] === 'S') {
          const id = thread === undefined ? this.#current : (this.#parseThread(thread) ?? this.#current);
          this.#resume(true, id >= 0 ? id : this.#current);
          return undefined;
        }
      }
      this.#resume(false);
      return undefined;
    }
    if (text === 'vMustReplyEmpty') return '';
    return '';
  }

  #query(text: string): string {
    const m = this.#m;
    if (text.startsWith('qSupported')) {
      this.#multiprocess = text.includes('multiprocess+');
      const extra = this.#multiprocess ? ';multiprocess+' : '';
      return `PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+${extra}`;
    }
    if (text === 'QStartNoAckMode') {
      this.#noAck = true;
      return 'OK';
    }
    if (text.startsWith('qXfer:features:read:target.xml:')) {
      const [off, len] = text
        .split(':')[4]!
        .split(',')
        .map((x) => parseInt(x, 16)) as [number, number];
      const part = this.#xml.slice(off, off + len);
      return (off + len >= this.#xml.length ? 'l' : 'm') + part;
    }
    if (text === 'qAttached') return '1';
    if (text === 'qC') return `QC${this.#threadId(this.#current)}`;
    if (text === 'qfThreadInfo') return `m${m.cpus.map((c) => this.#threadId(c.cpuIndex)).join(',')}`;
    if (text === 'qsThreadInfo') return 'l';
    if (text.startsWith('qThreadExtraInfo,')) {
      const id = this.#parseThread(text.slice(17)) ?? 0;
      return Buffer.from(`CPU#${id} [${m.scheduler.paused ? 'paused' : 'running'}]`).toString('hex');
    }
    if (text === 'qSymbol::') return 'OK';
    return '';
  }
}
