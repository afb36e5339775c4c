import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MonitorReadline } from './monitor-readline.ts';
import { evaluateAddress } from './monitor-expression.ts';

const feed = (r: MonitorReadline, text: string) => r.feed(Buffer.from(text, 'latin1'));

describe('monitor line editor', () => {
  test('echo, Backspace, Ctrl-U; CR, LF and CR LF each end one line, across chunks too', () => {
    const r = new MonitorReadline();
    assert.deepEqual(feed(r, 'inf'), { echo: 'inf', lines: [] });
    assert.deepEqual(feed(r, 'x\x7fo\r'), { echo: 'x\b \bo\n', lines: ['info'] });
    assert.deepEqual(feed(r, '\nstop\ncont\r\n'), { echo: 'stop\ncont\n', lines: ['stop', 'cont'] });
    assert.deepEqual(feed(r, 'ab\x15q\n'), { echo: 'ab\b \b\b \bq\n', lines: ['q'] });
  });

  test('cursor keys and other escape sequences are ignored', () => {
    const r = new MonitorReadline();
    assert.deepEqual(feed(r, 'c\x1b[A\x1bOP\x1b[3~\r'), { echo: 'c\n', lines: ['c'] });
  });
});

describe('monitor addresses', () => {
  const regs: Record<string, number> = { r15: 0x40010008, r13: 0x1000, cpsr: 0x1d3 };
  const lookup = (name: string) => regs[name];
  test('numbers, registers by name or alias, sums and differences, wrapped to 32 bits', () => {
    assert.equal(evaluateAddress('0x40010000', lookup), 0x40010000);
    assert.equal(evaluateAddress('4096', lookup), 4096);
    assert.equal(evaluateAddress('$pc', lookup), 0x40010008);
    assert.equal(evaluateAddress('$pc - 8', lookup), 0x40010000);
    assert.equal(evaluateAddress('$sp+0x10-4', lookup), 0x100c);
    assert.equal(evaluateAddress('-4', lookup), 0xfffffffc);
    assert.throws(() => evaluateAddress('$foo', lookup), { message: "unknown register '$foo'" });
    assert.throws(() => evaluateAddress('zz', lookup), { message: "invalid address 'zz'" });
  });
});
