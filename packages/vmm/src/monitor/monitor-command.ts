/**
 * The human monitor's command language: the table of commands (names, arguments, one line of help
 * each) and the parser that turns a typed line into a command. Executing them is `monitor.ts`'s job.
 */
import { CodedError } from '@armvm/fscache';

/** A line the monitor cannot act on; the message is the one line the user sees. */
export class MonitorError extends CodedError<'ARMVM_MONITOR'> {
  constructor(message: string) {
    super('ARMVM_MONITOR', message);
  }
}

/** What `info` can show. */
export const INFO_ITEMS = {
  registers: "the current vCPU's registers, banked, fault and MMU registers included",
  cpus: 'each vCPU with its PC and whether it runs',
  mtree: 'the memory regions and the addresses they cover',
  qtree: 'the devices and what is plugged into them',
  status: 'whether the guest runs or is paused',
} as const;
export type InfoItem = keyof typeof INFO_ITEMS;

/** A parsed command line. */
export type MonitorCommand =
  | { readonly kind: 'help'; readonly topic: string | undefined }
  | { readonly kind: 'info'; readonly item: InfoItem | undefined }
  /** `x` (virtual, through the current vCPU's MMU) or `xp` (physical); `format` as typed after `/`. */
  | {
      readonly kind: 'x';
      readonly physical: boolean;
      readonly format: string | undefined;
      readonly address: string;
    }
  | { readonly kind: 'cpu'; readonly index: number }
  | { readonly kind: 'stop' }
  | { readonly kind: 'cont' }
  | { readonly kind: 'system_reset' }
  | { readonly kind: 'quit' };

/** One row of the command table: what `help` prints and what the parser accepts. */
interface CommandSpec {
  /** The name first, then its aliases. */
  readonly names: readonly string[];
  readonly args: string;
  readonly help: string;
  /** Builds the command from the words after the name. */
  readonly parse: (args: readonly string[], rest: string) => MonitorCommand;
}

function noArgs(command: MonitorCommand): CommandSpec['parse'] {
  return () => command;
}

function parseX(physical: boolean, name: string): CommandSpec['parse'] {
  return (_args, rest) => {
    // `x/4xw addr`, `x /4xw addr` and `x addr` are all accepted, as in QEMU
    const m = /^(?:\/(\S*))?\s*(.*)$/.exec(rest.trim())!;
    const address = m[2]!.trim();
    if (address === '') throw new MonitorError(`${name}: missing parameter 'addr'`);
    return { kind: 'x', physical, format: m[1], address };
  };
}

/** Every command, in the order `help` lists them. */
export const MONITOR_COMMANDS: readonly CommandSpec[] = [
  {
    names: ['cont', 'c'],
    args: '',
    help: 'resume the guest',
    parse: noArgs({ kind: 'cont' }),
  },
  {
    names: ['cpu'],
    args: 'index',
    help: 'select the vCPU that info registers and x look at',
    parse: (args) => {
      const index = Number(args[0]);
      if (args[0] === undefined) throw new MonitorError("cpu: missing parameter 'index'");
      if (!Number.isInteger(index) || index < 0) throw new MonitorError(`cpu: bad index '${args[0]}'`);
      return { kind: 'cpu', index };
    },
  },
  {
    names: ['help', '?'],
    args: '[cmd]',
    help: 'list the commands, or show one',
    parse: (args) => ({ kind: 'help', topic: args[0] }),
  },
  {
    names: ['info'],
    args: '[subcommand]',
    help: 'show the state of the machine (info alone lists what)',
    parse: (args) => {
      const item = args[0];
      if (item === undefined) return { kind: 'info', item: undefined };
      if (!Object.hasOwn(INFO_ITEMS, item)) throw new MonitorError(`unknown command: 'info ${item}'`);
      return { kind: 'info', item: item as InfoItem };
    },
  },
  {
    names: ['quit', 'q'],
    args: '',
    help: 'end armvm',
    parse: noArgs({ kind: 'quit' }),
  },
  {
    names: ['stop'],
    args: '',
    help: 'pause the guest',
    parse: noArgs({ kind: 'stop' }),
  },
  {
    names: ['system_reset'],
    args: '',
    help: 'reset the machine, as a guest reset does',
    parse: noArgs({ kind: 'system_reset' }),
  },
  {
    names: ['x'],
    args: '/fmt addr',
    help: 'dump memory at a virtual address of the current vCPU',
    parse: parseX(false, 'x'),
  },
  {
    names: ['xp'],
    args: '/fmt addr',
    help: 'dump memory at a physical address',
    parse: parseX(true, 'xp'),
  },
];

function find(name: string): CommandSpec | undefined {
  return MONITOR_COMMANDS.find((c) => c.names.includes(name));
}

/** Parses one typed line; undefined for a blank line. Throws MonitorError for what it cannot parse. */
export function parseMonitorLine(line: string): MonitorCommand | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  // the name ends at a space or at the '/' of `x/4xw`
  const m = /^([^\s/]+)(.*)$/.exec(text);
  const name = m?.[1] ?? text;
  const rest = m?.[2] ?? '';
  const spec = find(name);
  if (spec === undefined) throw new MonitorError(`unknown command: '${name}'`);
  return spec.parse(rest.trim().split(/\s+/).filter(Boolean), rest);
}

function helpLine(spec: CommandSpec): string {
  return `${spec.names.join('|')}${spec.args ? ` ${spec.args}` : ''} -- ${spec.help}`;
}

/** `help` or `help CMD`: one line per command with its arguments and what it does. */
export function formatHelp(topic?: string): string {
  if (topic === undefined) return MONITOR_COMMANDS.map(helpLine).join('\n') + '\n';
  const spec = find(topic);
  if (spec === undefined) throw new MonitorError(`unknown command: '${topic}'`);
  return `${helpLine(spec)}\n${spec.names[0] === 'info' ? formatInfoHelp() : ''}`;
}

/** `info` alone: what it can show. */
export function formatInfoHelp(): string {
  return Object.entries(INFO_ITEMS)
    .map(([item, help]) => `info ${item} -- ${help}\n`)
    .join('');
}
