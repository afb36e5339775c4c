/** armvm's name and version, as `--version` and the monitor's greeting give them. */
import { readFileSync } from 'node:fs';

/** "armvm 0.1.0", from the package's manifest. */
export function armvmProduct(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `armvm ${pkg.version}`;
}
