/**
 * Addresses as the monitor reads them: numbers (0x hex or decimal) and registers of the current
 * vCPU (`$pc`, `$sp`, `$lr`, `$r0`..`$r15`, `$cpsr`), added and subtracted: `x /4xw $pc-8`.
 */
import { MonitorError } from './monitor-command.ts';

/** A register's value by lower-case name, or undefined for a name the vCPU has not. */
export type RegisterLookup = (name: string) => number | undefined;

const ALIASES: Record<string, string> = { pc: 'r15', lr: 'r14', sp: 'r13', ip: 'r12', fp: 'r11' };

function term(text: string, register: RegisterLookup): number {
  if (text.startsWith('$')) {
    const name = text.slice(1).toLowerCase();
    const value = register(ALIASES[name] ?? name);
    if (value === undefined) throw new MonitorError(`unknown register '${text}'`);
    return value;
  }
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new MonitorError(`invalid address '${text}'`);
  return Number(text);
}

/** The 32-bit address `text` names. */
export function evaluateAddress(text: string, register: RegisterLookup): number {
  const parts = text.replace(/\s+/g, '').split(/(?=[+-])/);
  let value = 0;
  for (const part of parts) {
    const sign = part[0] === '-' ? -1 : 1;
    const body = part[0] === '+' || part[0] === '-' ? part.slice(1) : part;
    if (body === '') throw new MonitorError(`invalid address '${text}'`);
    value += sign * term(body, register);
  }
  return value >>> 0;
}
