/**
 * A guest that hangs silently (an undefined instruction whose handler returns to it) is found with
 * `-d int` (the log says which exception, where, in which mode) written to `-D FILE`, apart from
 * the guest's own output, and with the monitor (`info registers`, `x`, `stop`, `cont`, `quit`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { armvmTyping, armvmWithin } from '../test-support/armvm-in-process.ts';
import { IMAGE_BASE, UDF_AT, writeUndefinedLoop } from '../test-support/hanging-guest.ts';

let dir = '';
let image = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'armvm-hang-'));
  image = writeUndefinedLoop(join(dir, 'udf-loop.bin'));
});
after(() => rm(dir, { recursive: true, force: true }));

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

describe('a hanging guest located', () => {
  test('-d int -D FILE: every exception with its vector, modes and PC, in the file only', async () => {
    const log = join(dir, 'int.log');
    const r = await armvmWithin(
      1500,
      'run',
      '-nographic',
      '-kernel',
      image,
      '-d',
      'int,cpu_reset',
      '-D',
      log,
    );
    assert.equal(r.status, 0, r.err);
    assert.equal(r.out, '', 'the log never reaches the guest output');
    assert.doesNotMatch(r.err, /Taking exception/, 'with -D the log stays out of stderr');
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^CPU Reset \(CPU 0\)\n/);
    const first = text.indexOf('Taking exception');
    assert.equal(
      text.slice(first, text.indexOf('\n', text.indexOf('\n', first) + 1)),
      `Taking exception 1 [Undefined Instruction] on CPU 0\n...at PC ${hex(UDF_AT)}, mode svc -> und, vector ${hex(0x40010104)}`,
    );
    assert.ok(text.split('Taking exception 1').length > 100, 'the same exception, over and over');
  });

  test('-d int without -D goes to stderr, apart from the guest output', async () => {
    const r = await armvmWithin(1000, 'run', '-kernel', image, '-d', 'int');
    assert.match(r.err, /Taking exception 1 \[Undefined Instruction\] on CPU 0/);
    assert.equal(r.out, '');
  });
});

const bin = fileURLToPath(new URL('../../bin/armvm.js', import.meta.url));
const PROMPT = '(armvm) ';

/** armvm as a child process with the monitor on its stdin and stdout, one command at a time. */
class MonitorSession {
  readonly #child;
  #out = '';
  #waiter: (() => void) | undefined;
  readonly exited: Promise<number | null>;

  constructor(...args: string[]) {
    this.#child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stdout.on('data', (d: Buffer) => {
      this.#out += d.toString('latin1');
      this.#waiter?.();
    });
    this.exited = new Promise((resolve) => this.#child.on('exit', (code) => resolve(code)));
  }

  /** Everything up to the next prompt (the greeting, or a command's echo and answer). */
  async prompt(): Promise<string> {
    const deadline = Date.now() + 30_000;
    while (!this.#out.includes(PROMPT)) {
      if (Date.now() > deadline) throw new Error(`no prompt; got ${JSON.stringify(this.#out)}`);
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
        setTimeout(resolve, 100);
      });
    }
    const at = this.#out.indexOf(PROMPT);
    const text = this.#out.slice(0, at);
    this.#out = this.#out.slice(at + PROMPT.length);
    return text;
  }

  /** Types `line`; returns its answer (without the echoed line). */
  async command(line: string): Promise<string> {
    this.#child.stdin.write(`${line}\n`);
    const text = await this.prompt();
    assert.ok(text.startsWith(`${line}\r\n`), `the line is echoed: ${JSON.stringify(text)}`);
    return text.slice(line.length + 2).replace(/\r\n/g, '\n');
  }

  /** Ends the process if a failed test left it running. */
  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill();
  }

  /** Types `line` and waits for the process to end. */
  async last(line: string): Promise<{ status: number | null; rest: string }> {
    this.#child.stdin.write(`${line}\n`);
    const status = await this.exited;
    return { status, rest: this.#out };
  }
}

describe('a hanging guest located with the monitor', () => {
  test(
    'armvm -monitor stdio: info registers, x, stop, cont, quit',
    { skip: !existsSync(join(bin, '../../dist/cli/main.js')) && 'not built' },
    async (t) => {
      const s = new MonitorSession('run', '-kernel', image, '-monitor', 'stdio');
      t.after(() => s.kill());
      assert.match(await s.prompt(), /^armvm \d+\.\d+\.\d+ monitor - type 'help' for more information\r\n$/);
      await new Promise((r) => setTimeout(r, 200)); // let the guest reach its loop
      assert.equal(await s.command('info status'), 'VM status: running\n');
      const running = await s.command('info registers');
      assert.match(running, new RegExp(`R15=${hex(UDF_AT).slice(2)}\n`), 'the looping PC');
      assert.equal(await s.command('stop'), '');
      assert.equal(await s.command('info status'), 'VM status: paused\n');
      const regs = await s.command('info registers');
      assert.match(regs, new RegExp(`R15=${hex(UDF_AT).slice(2)}\n`));
      // UND mode's banked registers: the LR points just past the UDF, the SPSR holds the svc mode
      // the exception came from, and VBAR is the guest's own table
      assert.match(regs, /\n {5}usr +\*svc +abt +und +irq +fiq\n/);
      assert.match(regs, new RegExp(`\nR14 {2}(\\w{8} ){3}${hex(UDF_AT + 4).slice(2)} `));
      assert.match(regs, /\nSPSR -------- (\w{8} ){2}000001d3 /);
      assert.match(regs, new RegExp(`VBAR=${hex(IMAGE_BASE + 0x100).slice(2)}\n`));
      assert.equal(await s.command('x /2xw $pc'), `${hex(UDF_AT).slice(2)}: 0xe7f000f0 0xeafffffe\n`);
      assert.equal(await s.command('x /1xw $r14'), '00000000: Cannot access memory\n', 'svc LR: 0, not RAM');
      assert.equal(
        await s.command(`xp /1xw ${hex(IMAGE_BASE + 0x104)}`),
        `00000000${hex(IMAGE_BASE + 0x104).slice(2)}: 0xe25ef004\n`,
      );
      assert.equal(await s.command('info cpus'), `* CPU #0: pc=${hex(UDF_AT)} (paused)\n`);
      assert.equal(await s.command('cont'), '');
      assert.equal(await s.command('info status'), 'VM status: running\n');
      assert.equal(await s.command('foo'), "unknown command: 'foo'\n");
      const end = await s.last('quit');
      assert.equal(end.status, 0);
    },
  );

  test('-nographic: Ctrl-A c turns the terminal to the monitor', async () => {
    const r = await armvmTyping(
      20_000,
      '\x01cstop\ninfo registers\nquit\n',
      'run',
      '-nographic',
      '-kernel',
      image,
    );
    assert.equal(r.status, 0, r.err);
    assert.match(
      r.out,
      /^armvm \S+ monitor - type 'help' for more information\r\n\(armvm\) stop\r\n\(armvm\) info registers\r\n/,
    );
    assert.match(r.out, new RegExp(`R15=${hex(UDF_AT).slice(2)}\r\n`));
    assert.match(r.err, /quit from the monitor/);
  });
});
