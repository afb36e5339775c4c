import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ESCAPE_HELP, EscapeFilter } from './terminal.ts';

function filter() {
  const got = { input: [] as number[], quit: 0, messages: [] as string[], switches: 0 };
  const f = new EscapeFilter({
    input: (bytes) => got.input.push(...bytes),
    quit: () => got.quit++,
    message: (text) => got.messages.push(text),
    switchFocus: () => got.switches++,
  });
  return { f, got };
}

describe('terminal escapes', () => {
  test('ordinary keys reach the guest unchanged, Ctrl-C included', () => {
    const { f, got } = filter();
    f.feed(Buffer.from('ls -l\r\x03'));
    assert.deepEqual(Buffer.from(got.input).toString(), 'ls -l\r\x03');
  });

  test('Ctrl-A x quits and drops what follows', () => {
    const { f, got } = filter();
    f.feed(Buffer.from('ab\x01xcd'));
    assert.equal(got.quit, 1);
    assert.deepEqual(Buffer.from(got.input).toString(), 'ab');
  });

  test('Ctrl-A Ctrl-A sends one Ctrl-A, even split across chunks', () => {
    const { f, got } = filter();
    f.feed(Buffer.from('\x01'));
    f.feed(Buffer.from('\x01z'));
    assert.deepEqual(got.input, [1, 0x7a]);
    assert.equal(got.quit, 0);
  });

  test('Ctrl-A h prints the keys, c among them; other commands are swallowed', () => {
    const { f, got } = filter();
    f.feed(Buffer.from('\x01h\x01qy'));
    assert.deepEqual(got.messages, [ESCAPE_HELP]);
    assert.match(ESCAPE_HELP, /\r\nC-a c {4}switch between the serial console and the monitor\r\n/);
    assert.deepEqual(ESCAPE_HELP.match(/C-a \S+/g), ['C-a h', 'C-a x', 'C-a c', 'C-a C-a']);
    assert.deepEqual(Buffer.from(got.input).toString(), 'y');
  });

  test('Ctrl-A c switches focus, keeping the keys around it in order', () => {
    const { f, got } = filter();
    f.feed(Buffer.from('a\x01cb'));
    assert.equal(got.switches, 1);
    assert.deepEqual(Buffer.from(got.input).toString(), 'ab');
  });
});
