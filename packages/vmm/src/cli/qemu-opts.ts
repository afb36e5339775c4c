/**
 * QEMU's property lists, as `-machine virt,highmem=off` or `-drive if=none,file=d.img,id=d0` spell
 * them: an optional leading bare value (the "implied" key, e.g. the machine type), then `key=value`
 * pairs separated by commas, where `,,` stands for a comma inside a value.
 */
import { CodedError } from '@armvm/fscache';

/** One parsed list: the implied value (if any) and the properties in order. */
export interface QemuOpts {
  readonly implied: string | undefined;
  readonly props: ReadonlyMap<string, string>;
}

/** A list that cannot be read; the message names the option and what is wrong. */
export class QemuOptsError extends CodedError<'ARMVM_BAD_OPTS'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ARMVM_BAD_OPTS', message, options);
  }
}

/** Splits on single commas; `,,` is a literal comma (QEMU's escape). */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== ',') current += c;
    else if (text[i + 1] === ',') {
      current += ',';
      i++;
    } else {
      parts.push(current);
      current = '';
    }
  }
  parts.push(current);
  return parts;
}

/**
 * Parses `text` given to option `option`. With `impliedKey`, a first part without `=` is that key's
 * value (`virt` in `-M virt`); a key given twice is refused, as QEMU does for most options.
 */
export function parseQemuOpts(option: string, text: string, impliedKey?: string): QemuOpts {
  let implied: string | undefined;
  const props = new Map<string, string>();
  splitList(text).forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (i === 0 && impliedKey !== undefined) implied = part;
      else if (part !== '') props.set(part, 'on'); // QEMU's bare flag: "readonly" means readonly=on
      return;
    }
    const key = part.slice(0, eq);
    if (key === impliedKey && i === 0) implied = part.slice(eq + 1);
    else if (props.has(key)) throw new QemuOptsError(`${option} ${text}: "${key}" given twice`);
    else props.set(key, part.slice(eq + 1));
  });
  return { implied, props };
}

/** QEMU's booleans: on/off, yes/no, true/false. */
export function qemuBool(option: string, key: string, value: string): boolean {
  if (value === 'on' || value === 'yes' || value === 'true') return true;
  if (value === 'off' || value === 'no' || value === 'false') return false;
  throw new QemuOptsError(`${option}: ${key}="${value}" is not on or off`);
}

/** Refuses properties outside `known`, naming the first one. */
export function onlyProps(option: string, opts: QemuOpts, known: readonly string[]): void {
  for (const key of opts.props.keys()) {
    if (!known.includes(key)) {
      throw new QemuOptsError(
        `${option}: property "${key}" is not supported (armvm knows: ${known.join(', ') || 'none'})`,
      );
    }
  }
}
