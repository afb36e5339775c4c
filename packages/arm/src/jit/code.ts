/**
 * Generated code as the emitters build it: JavaScript text with the points the translator fills in
 * kept apart from the text. A guest register or flag is a `reg`/`flag` part (read or written), so the
 * translator knows which it may keep in locals; `syncOut` and `syncIn` are the places where the
 * locals must be written back to the CPU (before a return, or a call that may read them or fault)
 * or read again (after a call that may change them); `exit` is a static exit, which the translator
 * resolves once it knows the other blocks of the function; `execCall` calls an executor by its index
 * in the block. Fragments are joined with the `js` template tag:
 *
 *   js`a = ${reg(rn)}; ${setReg(rd, js`(a + ${imm}) | 0`)}`
 */

/** The guest flags kept in locals. */
export type Flag = 'n' | 'z' | 'c' | 'v';

/** A part of generated code that is not plain text. */
export type Mark =
  | { readonly kind: 'reg'; readonly n: number; readonly write: boolean }
  | { readonly kind: 'flag'; readonly f: Flag; readonly write: boolean }
  | { readonly kind: 'syncOut' }
  | { readonly kind: 'syncIn' }
  | { readonly kind: 'exit'; readonly j: number }
  | { readonly kind: 'execCall'; readonly k: number; readonly word: number };

/** What a `js` template may hold: code, or text and numbers taken as they print. */
export type Piece = Code | string | number | boolean;

/** What goes between the texts of code: a piece, or a mark. */
export type Part = Piece | Mark;

/**
 * A fragment of generated code, shaped like a template literal: `texts[0]`, `parts[0]`, `texts[1]`,
 * ... `texts[parts.length]`. Nested code stays nested, so joining never copies.
 */
export class Code {
  readonly texts: readonly string[];
  readonly parts: readonly Part[];

  constructor(texts: readonly string[], parts: readonly Part[]) {
    this.texts = texts;
    this.parts = parts;
  }

  /** Calls `f` with each mark in order. */
  eachMark(f: (m: Mark) => void): void {
    for (const p of this.parts) {
      if (typeof p !== 'object') continue;
      if (p instanceof Code) p.eachMark(f);
      else f(p);
    }
  }

  /** The last mark, unless text other than white space follows it. */
  lastMark(): Mark | null {
    for (let i = this.parts.length - 1; i >= 0; i--) {
      if (this.texts[i + 1]!.trim() !== '') return null;
      const p = this.parts[i]!;
      if (typeof p !== 'object') {
        if (String(p).trim() !== '') return null;
      } else if (p instanceof Code) {
        if (!p.isBlank()) return p.lastMark();
      } else return p;
    }
    return null;
  }

  private isBlank(): boolean {
    return (
      this.texts.every((t) => t.trim() === '') &&
      this.parts.every((p) =>
        typeof p !== 'object' ? String(p).trim() === '' : p instanceof Code && p.isBlank(),
      )
    );
  }

  /** Code must be joined with `js`, never turned into text by a plain template. */
  toString(): never {
    throw new Error('generated code used as a string: build it with the js tag');
  }

  /** The code as text, each mark written as `mark` says. */
  render(mark: (m: Mark) => string): string {
    let s = this.texts[0]!;
    for (let i = 0; i < this.parts.length; i++) {
      const p = this.parts[i]!;
      s += typeof p !== 'object' ? String(p) : p instanceof Code ? p.render(mark) : mark(p);
      s += this.texts[i + 1]!;
    }
    return s;
  }
}

/** The template tag that joins text and code into code. */
export function js(strings: TemplateStringsArray, ...pieces: Piece[]): Code {
  return new Code(strings, pieces);
}

/** Code from pieces in a row, with `sep` between them (a JavaScript `join` for code). */
export function join(pieces: readonly Piece[], sep = ''): Code {
  const texts = pieces.map((_, i) => (i === 0 ? '' : sep));
  texts.push('');
  return new Code(texts, pieces);
}

const mark = (m: Mark): Code => new Code(['', ''], [m]);

// code is never changed once built, so the common marks are shared
const REG_READ = Array.from({ length: 15 }, (_, n) => mark({ kind: 'reg', n, write: false }));
const REG_WRITE = Array.from({ length: 15 }, (_, n) => mark({ kind: 'reg', n, write: true }));
const FLAGS: readonly Flag[] = ['n', 'z', 'c', 'v'];
const FLAG_READ = new Map(FLAGS.map((f) => [f, mark({ kind: 'flag', f, write: false })]));
const FLAG_WRITE = new Map(FLAGS.map((f) => [f, mark({ kind: 'flag', f, write: true })]));
const PC = js`r[15]`;
const ASSIGN = ['', ' = ', ';'];
const SYNC_OUT = mark({ kind: 'syncOut' });
const SYNC_IN = mark({ kind: 'syncIn' });

/** Reads guest register `n` (the PC, 15, always lives in the CPU). */
export function reg(n: number): Code {
  return n === 15 ? PC : REG_READ[n]!;
}

/** `r[n] = value;` */
export function setReg(n: number, value: Piece): Code {
  return new Code(ASSIGN, [n === 15 ? PC : REG_WRITE[n]!, value]);
}

/** Reads guest flag `f` (0 or 1). */
export function flag(f: Flag): Code {
  return FLAG_READ.get(f)!;
}

/** `cpu.f = value;` */
export function setFlag(f: Flag, value: Piece): Code {
  return new Code(ASSIGN, [FLAG_WRITE.get(f)!, value]);
}

/** Writes back what the code changed, before a return or a call that may read it or fault. */
export function syncOut(): Code {
  return SYNC_OUT;
}

/** Reads the registers and flags again after a call that may have changed them. */
export function syncIn(): Code {
  return SYNC_IN;
}

/** Static exit `j` of the basic block. */
export function exit(j: number): Code {
  return mark({ kind: 'exit', j });
}

/** The call `E[k](cpu, word);` of the block's executor `k`, with no write-back around it. */
export function execCall(k: number, word: number): Code {
  return mark({ kind: 'execCall', k, word });
}

/**
 * The code as it would run without locals, each mark as its plain text (a static exit as a comment
 * holding `exit:j`), for tests and for reading.
 */
export function plainText(code: Code): string {
  return code.render((m) => {
    switch (m.kind) {
      case 'reg':
        return `r[${m.n}]`;
      case 'flag':
        return `cpu.${m.f}`;
      case 'exit':
        return `/*exit:${m.j}*/`;
      case 'execCall':
        return `E[${m.k}](cpu, ${m.word});`;
      default:
        return '';
    }
  });
}
