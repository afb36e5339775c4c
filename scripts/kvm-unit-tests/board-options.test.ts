import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boardOptions } from './board-options.ts';

describe('QEMU options onto armvm', () => {
  test('memory, the GICv2 and the vCPU count become armvm options', () => {
    assert.deepEqual(boardOptions(['-m', '256', '-machine', 'gic-version=2'], 2, 'setup smp=2 mem=256'), {
      kind: 'run',
      args: ['-device', 'pci-testdev', '-m', '256', '--smp', '2', '--append', 'setup smp=2 mem=256'],
    });
    assert.deepEqual(boardOptions([], 1, undefined), {
      kind: 'run',
      args: ['-device', 'pci-testdev', '--smp', '1'],
    });
  });

  test("the older form's -smp and -append win over the defaults", () => {
    assert.deepEqual(boardOptions(['-smp', '4', '-append', 'a b'], 1, undefined), {
      kind: 'run',
      args: ['-device', 'pci-testdev', '--smp', '4', '--append', 'a b'],
    });
  });

  test('what the board lacks is a skip with the reason', () => {
    const reason = (params: string[]) => {
      const o = boardOptions(params, 2, undefined);
      return o.kind === 'skip' ? o.reason : 'ran';
    };
    assert.equal(
      reason(['-machine', 'gic-version=3']),
      "needs gic-version=3: armvm's virt board has a GICv2",
    );
    assert.equal(
      reason(['-machine', 'mte=on']),
      "needs -machine mte=on: armvm's virt board has no such option",
    );
    assert.equal(reason(['-cpu', 'cortex-a57']), "needs -cpu cortex-a57: armvm's vCPU is a Cortex-A15");
    assert.match(reason(['-icount', '0']), /^needs -icount/);
    assert.equal(reason(['-nodefaults']), 'needs QEMU option -nodefaults: armvm has no equivalent');
    assert.equal(reason(['-smp', '9']), "needs 9 vCPUs: armvm's board takes at most 8");
    assert.equal(reason(['-cpu', 'host', '-machine', 'virt,gic-version=host']), 'ran');
    assert.equal(reason(['-device', 'pci-testdev']), 'ran');
    assert.equal(reason(['-device', 'e1000']), "needs -device e1000: armvm's virt board has no such device");
  });
});
