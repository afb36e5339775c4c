import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerminalMux } from './terminal-mux.ts';

function setup(mode: 'mux' | 'stdio' | 'none') {
  const got = { serial: '', monitor: '', focused: 0 };
  const mux = new TerminalMux(mode, (b) => (got.serial += Buffer.from(b).toString()), {
    focus: () => got.focused++,
    feed: (b) => (got.monitor += Buffer.from(b).toString()),
  });
  return { mux, got };
}

describe('terminal mux', () => {
  test('shared terminal: keys go to the guest until Ctrl-A c, then to the monitor, and back', () => {
    const { mux, got } = setup('mux');
    mux.start();
    mux.input(Buffer.from('ls\r'));
    mux.switchFocus();
    assert.equal(mux.focus, 'monitor');
    mux.input(Buffer.from('info cpus\r'));
    mux.switchFocus();
    mux.input(Buffer.from('x'));
    assert.deepEqual(got, { serial: 'ls\rx', monitor: 'info cpus\r', focused: 1 });
  });

  test('-monitor stdio: the monitor greets at once and has every key; Ctrl-A c changes nothing', () => {
    const { mux, got } = setup('stdio');
    mux.start();
    mux.switchFocus();
    mux.input(Buffer.from('q\n'));
    assert.deepEqual(got, { serial: '', monitor: 'q\n', focused: 1 });
  });

  test('-monitor none: the guest has every key', () => {
    const { mux, got } = setup('none');
    mux.start();
    mux.switchFocus();
    mux.input(Buffer.from('a'));
    assert.deepEqual(got, { serial: 'a', monitor: '', focused: 0 });
  });
});
