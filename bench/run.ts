/**
 * `npm run bench`: every figure beside its peer, measured in the same run. `--quick` for a short
 * run; name sections to run only those (e.g. `npm run bench -- fscache`).
 */
import { benchCacheIo } from './cache-io.ts';
import { benchCpu } from './cpu.ts';
import { benchFscacheCore } from './fscache-lifecycle.ts';
import { benchKvm } from './kvm.ts';
import { benchLinux } from './linux.ts';
import { machineLine } from './machine.ts';
import { benchVmm } from './vmm.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const sections: Record<string, () => Promise<void>> = {
  fscache: () => benchFscacheCore({ quick }),
  cache: () => benchCacheIo({ quick }),
  cpu: () => benchCpu({ quick }),
  kvm: () => benchKvm({ quick }),
  vmm: () => benchVmm({ quick }),
  linux: () => benchLinux({ quick }),
};
for (const name of only)
  if (!sections[name])
    throw new Error(`unknown bench section "${name}" (have: ${Object.keys(sections).join(', ')})`);

console.log(`machine: ${machineLine()}`);
for (const [name, run] of Object.entries(sections)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n== ${name}`);
  await run();
}
