/**
 * A device tree held in memory: nodes with ordered properties and children. Property values are
 * raw bytes; the helpers below encode the usual kinds (32-bit cells, 64-bit values, strings,
 * string lists) big-endian, as the flattened format wants.
 */
import { FdtError } from './fdt-error.ts';

/** A property value before encoding. */
export type FdtValue = Uint8Array | string | readonly string[] | number | readonly number[] | null;

const NAME_CHARS = /^[A-Za-z0-9,._+#?@-]+$/;

/** Encodes 32-bit cells big-endian. */
export function cells(...values: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 32) {
      throw new FdtError('FDT_BAD_VALUE', `cell value ${v} does not fit 32 bits`);
    }
    view.setUint32(4 * i, v >>> 0);
  });
  return out;
}

/** Splits 64-bit values into pairs of cells (high, low). */
export function cells64(...values: readonly number[]): number[] {
  return values.flatMap((v) => {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new FdtError('FDT_BAD_VALUE', `64-bit value ${v} is not a safe integer`);
    return [Math.floor(v / 2 ** 32), v % 2 ** 32];
  });
}

/** Encodes strings NUL-terminated, one after another (a stringlist). */
export function strings(...values: readonly string[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts = values.map((s) => {
    if (s.includes('\0')) throw new FdtError('FDT_BAD_VALUE', 'a string holds a NUL byte');
    return encoder.encode(`${s}\0`);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Turns a value into bytes: numbers are cells, strings NUL-terminated, null an empty property. */
export function encodeValue(value: FdtValue): Uint8Array {
  if (value === null) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return strings(value);
  if (typeof value === 'number') return cells(value);
  if (value.length === 0) return new Uint8Array(0);
  if (typeof value[0] === 'string') return strings(...(value as readonly string[]));
  return cells(...(value as readonly number[]));
}

/** One node. */
export class FdtNode {
  /** Node name with unit address, e.g. `pl011@9000000`; empty for the root. */
  readonly name: string;
  readonly #props = new Map<string, Uint8Array>();
  readonly #children: FdtNode[] = [];

  constructor(name: string) {
    if (name !== '' && (!NAME_CHARS.test(name) || name.length > 255)) {
      throw new FdtError('FDT_BAD_NAME', `bad node name ${JSON.stringify(name)}`);
    }
    this.name = name;
  }

  /** Properties in the order they were first set. */
  get properties(): ReadonlyMap<string, Uint8Array> {
    return this.#props;
  }

  /** Children in the order they were added. */
  get children(): readonly FdtNode[] {
    return this.#children;
  }

  /** Sets (or replaces) a property. */
  set(name: string, value: FdtValue): this {
    if (!NAME_CHARS.test(name) || name.length > 255) {
      throw new FdtError('FDT_BAD_NAME', `bad property name ${JSON.stringify(name)}`);
    }
    this.#props.set(name, encodeValue(value));
    return this;
  }

  /** The raw bytes of a property, if set. */
  get(name: string): Uint8Array | undefined {
    return this.#props.get(name);
  }

  /** Adds a child node and returns it. */
  add(name: string): FdtNode {
    if (this.#children.some((c) => c.name === name)) {
      throw new FdtError(
        'FDT_BAD_NAME',
        `node ${JSON.stringify(name)} already exists under ${JSON.stringify(this.name || '/')}`,
      );
    }
    const child = new FdtNode(name);
    this.#children.push(child);
    return child;
  }

  /** The child named `name`, if any. */
  child(name: string): FdtNode | undefined {
    return this.#children.find((c) => c.name === name);
  }

  /** The node at a path such as `/cpus/cpu@0`, if any. */
  find(path: string): FdtNode | undefined {
    const parts = path.split('/').filter((p) => p !== '');
    return parts.reduce<FdtNode | undefined>((node, part) => node?.child(part), this);
  }
}
