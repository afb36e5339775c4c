/** The peer most figures are measured against: qemu-system-arm on the virt board, as conformance/ records it. */
import { spawnSync } from 'node:child_process';

/** The reference command line (conformance/Makefile's QEMU_FLAGS); the ELF follows `-kernel`. */
export const QEMU_VIRT_ARGS = [
  '-M',
  'virt,highmem=off',
  '-cpu',
  'cortex-a15',
  '-display',
  'none',
  '-serial',
  'stdio',
  '-monitor',
  'none',
  '-nic',
  'none',
];

/** True when qemu-system-arm can be run; otherwise says so for `section` and returns false. */
export function qemuAvailable(section: string): boolean {
  if (!spawnSync('qemu-system-arm', ['--version']).error) return true;
  console.log(`${section}: qemu-system-arm is not installed (scripts/install-deps.sh installs it); skipped`);
  return false;
}
