/**
 * Guest registers and flags in JavaScript locals: a function's code keeps the registers r0-r14 and
 * the flags N, Z, C, V it uses in locals for the whole function, so loops run on locals (and V8
 * drops flag values nothing reads). The code says where the CPU must be current (`syncOut`: the
 * registers and flags it writes are written back) and where it may have changed (`syncIn`: they are
 * read again); this writes those points out, once it has seen every mark of the function.
 */
import type { Flag, Mark } from './code.ts';

export class GuestLocals {
  private readonly used = new Set<number>();
  private readonly usedFlags = new Set<Flag>();
  // only registers and flags the code assigns can differ from their copy in the CPU (kept in the
  // order they are first written, as the write-back lists them)
  private readonly written = new Set<number>();
  private readonly flagsWritten = new Set<Flag>();
  private flush = '';
  private reload = '';
  private none = true;

  /** Takes note of a mark of the function's code. */
  readonly see = (m: Mark): void => {
    if (m.kind === 'reg') {
      this.used.add(m.n);
      if (m.write) this.written.add(m.n);
    } else if (m.kind === 'flag') {
      this.usedFlags.add(m.f);
      if (m.write) this.flagsWritten.add(m.f);
    }
  };

  /** Once every mark was seen: the declaration of the locals (empty when the code needs none). */
  declare(): string {
    this.none = this.used.size === 0 && this.usedFlags.size === 0;
    // nothing in locals: the code works on the CPU directly
    if (this.none) return '';
    const regs = [...this.used].sort((x, y) => x - y);
    const flags = [...this.usedFlags].sort();
    this.flush =
      `{ ${[...this.written].map((n) => `r[${n}] = R${n};`).join(' ')}` +
      `${[...this.flagsWritten].map((f) => ` cpu.${f} = F${f};`).join('')} } `;
    this.reload =
      ` { ${regs.map((n) => `R${n} = r[${n}];`).join(' ')}` +
      `${flags.map((f) => ` F${f} = cpu.${f};`).join('')} }`;
    const locals = [...regs.map((n) => `R${n} = r[${n}]`), ...flags.map((f) => `F${f} = cpu.${f}`)];
    return `let ${locals.join(', ')};`;
  }

  /** After `declare`: the text of a register, flag or sync mark. */
  readonly text = (m: Mark): string => {
    switch (m.kind) {
      case 'reg':
        return this.none ? `r[${m.n}]` : `R${m.n}`;
      case 'flag':
        return this.none ? `cpu.${m.f}` : `F${m.f}`;
      case 'syncOut':
        return this.flush;
      case 'syncIn':
        return this.none ? '' : this.reload;
      default:
        throw new Error(`${m.kind} mark left to the translator`);
    }
  };
}
