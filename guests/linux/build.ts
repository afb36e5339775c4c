/**
 * `npm run guest:linux [-- --flavour armmp|armmp-lpae]`: fetches Debian's armhf kernel and busybox
 * and builds the guest images into guests/linux/out/ (see guest.ts).
 */
import { parseArgs } from 'node:util';
import { buildGuest, type Flavour, GuestUnavailableError } from './guest.ts';

const FLAVOURS: readonly Flavour[] = ['armmp', 'armmp-lpae'];

let flavour: Flavour;
try {
  const { values } = parseArgs({ options: { flavour: { type: 'string', default: 'armmp' } } });
  if (!FLAVOURS.includes(values.flavour as Flavour)) {
    throw new Error(`unknown flavour "${values.flavour}" (known: ${FLAVOURS.join(', ')})`);
  }
  flavour = values.flavour as Flavour;
} catch (err) {
  console.error(`guest:linux: ${(err as Error).message}`);
  process.exit(2);
}
try {
  const guest = buildGuest(flavour, undefined, (line) => console.log(`guest:linux: ${line}`));
  for (const [what, path] of Object.entries({
    kernel: guest.kernel,
    'workload initrd': guest.workloadInitrd,
    'shell initrd': guest.shellInitrd,
    disk: guest.disk,
  })) {
    console.log(`  ${what.padEnd(16)} ${path}`);
  }
} catch (err) {
  console.error(`guest:linux: ${(err as Error).message}`);
  process.exit(err instanceof GuestUnavailableError ? 3 : 1);
}
