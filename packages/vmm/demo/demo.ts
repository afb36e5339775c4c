/**
 * `npm start`: the whole system at work. A local HTTP server serves a guest built from this
 * repository; `armvm run --kernel http://…` boots it twice, each time as a fresh process with the
 * same FS-Cache directory. The first boot fetches the kernel over HTTP into the cache; the second
 * reads it from the cache without a byte of body from the server.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestHttpServer } from '../../netfs-http/src/test-support/http-server.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const armvm = fileURLToPath(new URL('./armvm-dev.ts', import.meta.url));

/** The guest: a flat image that boots by the Linux protocol and reports the device tree it was given. */
const GUEST = [
  {
    file: 'conformance/build/f-dtinfo.bin',
    args: ['-m', '256M', '--smp', '2', '--append', 'console=ttyAMA0 demo=fscache'],
  },
  { file: 'conformance/build/p-hello.arm.elf', args: [] },
].find((g) => existsSync(join(root, g.file)))!;

const image = await readFile(join(root, GUEST.file));
const name = GUEST.file.split('/').pop()!;
const server = await TestHttpServer.start({ [`/guests/${name}`]: image });
const url = server.url(`/guests/${name}`);
const cache = await mkdtemp(join(tmpdir(), 'armvm-demo-'));

/** One boot in a fresh process: what the guest printed, what armvm reported, and the transfer. */
async function boot(label: string): Promise<void> {
  const requests = server.requests;
  const sent = server.bodyBytesSent;
  const args = [
    ...process.execArgv,
    armvm,
    'run',
    '--kernel',
    url,
    '--cache',
    cache,
    '--stats',
    '--no-reboot',
    ...GUEST.args,
  ];
  console.log(`── ${label}: armvm run --kernel ${url} ${GUEST.args.join(' ')} --cache <fresh dir> --stats`);
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - t0;
  console.log(out.replace(/^/gm, '   guest │ ').trimEnd());
  console.log(err.replace(/^/gm, '   armvm │ ').trimEnd());
  console.log(
    `   exit status ${status} after ${ms.toFixed(0)} ms; the server answered ${server.requests - requests} requests ` +
      `with ${server.bodyBytesSent - sent} bytes of body\n`,
  );
}

console.log(`Serving ${name} (${image.length} bytes) at ${url}\n`);
try {
  await boot('first boot (cold cache)');
  await boot('second boot (the kernel comes from the cache)');
} finally {
  await server.close();
  await rm(cache, { recursive: true, force: true });
}
