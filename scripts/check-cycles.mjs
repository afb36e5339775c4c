#!/usr/bin/env node
// `npm run cycles`: fails when a package's source has an import cycle (madge). Each package is
// checked on its own; imports of other packages are left out (their own check covers them).
//
// `import type` is erased from the JavaScript, so a cycle of type imports cannot change the order in
// which modules run. It still ties the files together: they cannot be read, tested or moved apart,
// which is why the CPU's executors take an ExecContext rather than the Cpu class. So a package listed
// in STRICT counts type imports too; the others count the imports that remain at run time, until
// their type-level cycles are undone and they join STRICT.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import madge from 'madge';

const STRICT = new Set(['arm', 'cachefiles', 'fscache', 'kvm', 'netfs-http', 'vmm']);
const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages')).sort();

let failed = false;
for (const name of packages) {
  const strict = STRICT.has(name);
  const result = await madge(join(root, 'packages', name, 'src'), {
    fileExtensions: ['ts'],
    excludeRegExp: [/^\.\.\//], // another package, reached through its export
    detectiveOptions: { ts: { skipTypeImports: !strict } },
  });
  const cycles = result.circular();
  const counted = strict ? 'every import' : 'run-time imports';
  console.log(`${name}: ${Object.keys(result.obj()).length} files, ${cycles.length} cycles (${counted})`);
  for (const cycle of cycles) console.log(`  ${cycle.join(' > ')}`);
  if (cycles.length > 0) failed = true;
}
process.exit(failed ? 1 : 0);
