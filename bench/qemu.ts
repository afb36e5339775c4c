/**
 * The peer most figures are measured against: qemu-system-arm on the virt board, as conformance/
 * records it. Its command lines come from the vmm's test support (`qemuVirtArgs`), as the tests' do.
 */
import { spawnSync } from 'node:child_process';

export { qemuVirtArgs } from '../packages/vmm/src/test-support/qemu-command-lines.ts';

/** True when qemu-system-arm can be run; otherwise says so for `section` and returns false. */
export function qemuAvailable(section: string): boolean {
  if (!spawnSync('qemu-system-arm', ['--version']).error) return true;
  console.log(`${section}: qemu-system-arm is not installed (scripts/install-deps.sh installs it); skipped`);
  return false;
}
