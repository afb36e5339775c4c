import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatHelp, formatInfoHelp, MONITOR_COMMANDS, parseMonitorLine } from './monitor-command.ts';

describe('monitor command parser', () => {
  test('every command and alias', () => {
    assert.deepEqual(parseMonitorLine('help'), { kind: 'help', topic: undefined });
    assert.deepEqual(parseMonitorLine('? x'), { kind: 'help', topic: 'x' });
    assert.deepEqual(parseMonitorLine('info registers'), { kind: 'info', item: 'registers' });
    assert.deepEqual(parseMonitorLine('  info   cpus '), { kind: 'info', item: 'cpus' });
    assert.deepEqual(parseMonitorLine('info mtree'), { kind: 'info', item: 'mtree' });
    assert.deepEqual(parseMonitorLine('info qtree'), { kind: 'info', item: 'qtree' });
    assert.deepEqual(parseMonitorLine('info'), { kind: 'info', item: undefined });
    assert.deepEqual(parseMonitorLine('cpu 1'), { kind: 'cpu', index: 1 });
    assert.deepEqual(parseMonitorLine('stop'), { kind: 'stop' });
    assert.deepEqual(parseMonitorLine('cont'), { kind: 'cont' });
    assert.deepEqual(parseMonitorLine('c'), { kind: 'cont' });
    assert.deepEqual(parseMonitorLine('system_reset'), { kind: 'system_reset' });
    assert.deepEqual(parseMonitorLine('quit'), { kind: 'quit' });
    assert.deepEqual(parseMonitorLine('q'), { kind: 'quit' });
    assert.equal(parseMonitorLine('   '), undefined);
  });

  test('x and xp, with the format glued on or apart, or none', () => {
    const x = (physical: boolean, format: string | undefined, address: string) => ({
      kind: 'x',
      physical,
      format,
      address,
    });
    assert.deepEqual(parseMonitorLine('x /4xw 0x40010000'), x(false, '4xw', '0x40010000'));
    assert.deepEqual(parseMonitorLine('x/2i $pc'), x(false, '2i', '$pc'));
    assert.deepEqual(parseMonitorLine('xp 0x40000000'), x(true, undefined, '0x40000000'));
    assert.deepEqual(parseMonitorLine('xp /8xb $sp - 4'), x(true, '8xb', '$sp - 4'));
    assert.throws(() => parseMonitorLine('x /4xw'), /^MonitorError: x: missing parameter 'addr'$/);
  });

  test('what it cannot parse is one line, as QEMU says it', () => {
    assert.throws(() => parseMonitorLine('foo'), { message: "unknown command: 'foo'" });
    assert.throws(() => parseMonitorLine('info foo'), { message: "unknown command: 'info foo'" });
    assert.throws(() => parseMonitorLine('cpu'), { message: "cpu: missing parameter 'index'" });
    assert.throws(() => parseMonitorLine('cpu x'), { message: "cpu: bad index 'x'" });
  });

  test('help has one line per command, each with a description', () => {
    const lines = formatHelp().trimEnd().split('\n');
    assert.equal(lines.length, MONITOR_COMMANDS.length);
    for (const line of lines) assert.match(line, /^[a-z_|?]+( \S.*)? -- \S/);
    assert.ok(lines.includes('cont|c -- resume the guest'));
    assert.equal(formatHelp('q'), 'quit|q -- end armvm\n');
    assert.match(formatHelp('info'), /^info \[subcommand\] -- .*\ninfo registers -- /);
    assert.match(formatInfoHelp(), /^info registers -- .*\ninfo cpus -- .*\ninfo mtree -- /);
    assert.throws(() => formatHelp('frob'), { message: "unknown command: 'frob'" });
  });
});
