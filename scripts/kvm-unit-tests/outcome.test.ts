import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { outcome } from './outcome.ts';

const end = (output: string, more: { status?: number | null; timedOut?: string; stderr?: string } = {}) =>
  outcome({ output, status: more.status ?? 0, timedOut: more.timedOut, stderr: more.stderr ?? '' });

describe("a test's outcome", () => {
  test('EXIT: STATUS=1 passes, with the summary', () => {
    assert.deepEqual(end('PASS: a\nSUMMARY: 2 tests\n\nEXIT: STATUS=1\n'), {
      kind: 'pass',
      summary: '2 tests',
    });
  });

  test("77 is the test's own skip, with what it said", () => {
    assert.deepEqual(end('PCI bus probing failed, skipping tests...\nSUMMARY: 0 tests\nEXIT: STATUS=77\n'), {
      kind: 'skip',
      reason: '0 tests: PCI bus probing failed, skipping tests...',
    });
    assert.deepEqual(end('SKIP: psci: no psci\nSUMMARY: 1 tests, 1 skipped\nEXIT: STATUS=77\n'), {
      kind: 'skip',
      reason: '1 tests, 1 skipped: psci: no psci',
    });
  });

  test('any other status fails with the failing lines', () => {
    const o = end(
      'PASS: a\nFAIL: gicv2: mmio: ITARGETSR\nSUMMARY: 2 tests, 1 unexpected failures\nEXIT: STATUS=3\n',
    );
    assert.deepEqual(o, {
      kind: 'fail',
      reason: '2 tests, 1 unexpected failures',
      lines: ['FAIL: gicv2: mmio: ITARGETSR'],
    });
  });

  test('a timeout, a crash or a silent power-off fails', () => {
    const t = end('PASS: a\n', { status: null, timedOut: '90s' });
    assert.equal(t.kind === 'fail' && t.reason, 'timeout; duration=90s');
    const crash = end('booting\n', { status: 1, stderr: 'armvm: guest crash\n' });
    assert.equal(crash.kind === 'fail' && crash.reason, 'armvm exited with status 1');
    assert.ok(crash.kind === 'fail' && crash.lines.includes('armvm: guest crash'));
    const silent = end('hello\n');
    assert.equal(silent.kind === 'fail' && silent.reason, 'the guest powered off without an exit status');
  });
});
