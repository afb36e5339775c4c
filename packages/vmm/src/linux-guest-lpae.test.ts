/**
 * Debian's armmp-lpae kernel (guests/linux, `--flavour armmp-lpae`) under armvm: it walks
 * long-descriptor page tables from its first instruction with the MMU on, and its workload prints
 * what qemu-system-arm prints for the same kernel, initrd and disk, on 1 and 2 vCPUs, with a clean
 * boot log. (The armmp kernel's tests, beside this file, cover 4 vCPUs and the shell.)
 */
// test-file-timeout: 30 min (two boots of up to 15 minutes each)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { builtGuest } from '../../../guests/linux/guest.ts';
import { checkArmvmWorkload } from './test-support/linux-workload.ts';

const guest = builtGuest('armmp-lpae');
const skip = guest
  ? false
  : 'the armmp-lpae guest is not built (npm run guest:linux -- --flavour armmp-lpae; it needs apt with armhf)';
const dir = mkdtempSync(join(tmpdir(), 'armvm-linux-lpae-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** A boot under load on a small machine can take minutes; a hang still ends with the test's name. */
const LIMIT_MS = 15 * 60_000;

describe('Linux (Debian armmp-lpae) under armvm', { skip }, () => {
  for (const cpus of [1, 2]) {
    // one run lets the zImage decompress itself in the guest, so that path stays tested too
    const decompress = cpus === 1 ? ' (the zImage decompressing itself in the guest)' : '';
    test(
      `the workload on ${cpus} vCPU${cpus > 1 ? 's' : ''} prints what qemu-system-arm prints${decompress}`,
      { timeout: LIMIT_MS },
      async () => {
        const extra = decompress ? ['--guest-decompress'] : [];
        const out = await checkArmvmWorkload(guest!, dir, cpus, LIMIT_MS - 60_000, extra);
        assert.match(out, /Linux version \S+-armmp-lpae /, 'the LPAE kernel booted');
      },
    );
  }
});
