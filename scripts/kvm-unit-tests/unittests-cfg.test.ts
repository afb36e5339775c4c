import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_TIMEOUT, durationSeconds, parseUnittestsCfg } from './unittests-cfg.ts';

const CFG = `##############################
# a comment
[selftest-setup]
file = selftest.flat
smp = 2
test_args = 'setup smp=2 mem=256'
qemu_params = -m 256
kvmtool_params = --mem 256
groups = selftest

[gicv2-mmio-3p]
file = gic.flat
smp = $((($MAX_SMP < 3)?$MAX_SMP:3))
test_args = mmio
qemu_params = -machine gic-version=2
groups = gic

[old-style]
file = old.flat
extra_params = -smp 2 -append 'a b'
arch = arm64
timeout = 10s
disabled_if = [[ "$TARGET" != qemu ]]

[multi]
file = multi.flat
  qemu_params = """-m 512 \\
-machine gic-version=3
-cpu host"""
accel = kvm
groups = nodefault gic
`;

describe('unittests.cfg', () => {
  const tests = parseUnittestsCfg(CFG);

  test('one entry per section, fields as written', () => {
    assert.deepEqual(
      tests.map((t) => t.name),
      ['selftest-setup', 'gicv2-mmio-3p', 'old-style', 'multi'],
    );
    const [setup, mmio] = tests;
    assert.equal(setup!.file, 'selftest.flat');
    assert.equal(setup!.smp, '2');
    assert.equal(setup!.testArgs, "'setup smp=2 mem=256'");
    assert.equal(setup!.params, '-m 256', 'kvmtool_params are not QEMU options');
    assert.deepEqual(setup!.groups, ['selftest']);
    assert.equal(setup!.timeout, DEFAULT_TIMEOUT);
    assert.equal(mmio!.smp, '$((($MAX_SMP < 3)?$MAX_SMP:3))');
  });

  test('the older extra_params, arch, timeout and disabled_if', () => {
    const old = tests[2]!;
    assert.equal(old.params, "-smp 2 -append 'a b'");
    assert.equal(old.testArgs, undefined);
    assert.equal(old.arch, 'arm64');
    assert.equal(old.timeout, '10s');
    assert.equal(old.disabledIf, '[[ "$TARGET" != qemu ]]');
    assert.equal(old.smp, '1', 'one vCPU unless told');
  });

  test('a multi-line value runs to the closing quotes; a backslash joins lines', () => {
    const multi = tests[3]!;
    assert.equal(multi.params, '-m 512 -machine gic-version=3\n-cpu host');
    assert.equal(multi.accel, 'kvm');
    assert.deepEqual(multi.groups, ['nodefault', 'gic']);
  });

  test('timeout(1) durations', () => {
    assert.equal(durationSeconds('90s'), 90);
    assert.equal(durationSeconds('10'), 10);
    assert.equal(durationSeconds('2m'), 120);
    assert.ok(Number.isNaN(durationSeconds('soon')));
  });
});
