/**
 * `npm start`: the whole system at work. A local HTTP server serves Debian's armmp kernel and a
 * busybox initramfs (guests/linux); `armvm run --kernel http://… --initrd http://…` boots Linux
 * twice, each time as a fresh process sharing one new FS-Cache directory: the first boot fetches
 * both images over HTTP into the cache, the second reads them from the cache. Each boot prints what
 * it took from the network and from the cache. On a terminal the second boot leaves you at the
 * busybox prompt (Ctrl-A x quits); otherwise a short scripted session runs and powers off.
 *
 * Where the Linux guest cannot be built (no apt with armhf), a flat image built from this
 * repository's conformance programs is booted the same way instead.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtGuest, buildGuest, GuestUnavailableError } from '../../../guests/linux/guest.ts';
import { TestHttpServer } from '../../netfs-http/src/test-support/http-server.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const armvm = fileURLToPath(new URL('./armvm-dev.ts', import.meta.url));
const ESC = String.fromCharCode(27);
/** ash's prompt, possibly followed by its request for the cursor position. */
const PROMPT = new RegExp(`/ # (?:${ESC}\\[6n)?$`);
/** What the scripted session types at the prompt, one line per prompt. */
const SCRIPT = [
  'uname -a',
  "grep -E '^(model name|Features)' /proc/cpuinfo | head -n 2",
  'echo "$(nproc) CPUs, $(grep MemTotal /proc/meminfo)"',
  'ls /',
  'poweroff -f',
];

interface Guest {
  readonly files: Record<string, Uint8Array>;
  readonly args: (url: (path: string) => string) => string[];
  readonly linux: boolean;
}

async function guest(): Promise<Guest> {
  let linux = builtGuest('armmp');
  if (linux === undefined) {
    try {
      console.log('Building the Linux guest (Debian armmp kernel + busybox; see guests/linux)...');
      linux = buildGuest('armmp', undefined, (line) => console.log(`  ${line}`));
    } catch (err) {
      if (!(err instanceof GuestUnavailableError)) throw err;
      console.log(`No Linux guest here (${err.message}); booting a flat image of this repository instead.\n`);
    }
  }
  if (linux !== undefined) {
    const g = linux;
    return {
      linux: true,
      files: {
        '/guests/vmlinuz': await readFile(g.kernel),
        '/guests/initrd.gz': await readFile(g.shellInitrd),
      },
      args: (url) => [
        '-m',
        '256M',
        '--kernel',
        url('/guests/vmlinuz'),
        '--initrd',
        url('/guests/initrd.gz'),
        '--append',
        'console=ttyAMA0',
      ],
    };
  }
  return {
    linux: false,
    files: { '/guests/f-dtinfo.bin': await readFile(join(root, 'conformance/build/f-dtinfo.bin')) },
    args: (url) => [
      '-m',
      '256M',
      '--smp',
      '2',
      '--kernel',
      url('/guests/f-dtinfo.bin'),
      '--append',
      'console=ttyAMA0 demo=fscache',
    ],
  };
}

const g = await guest();
const server = await TestHttpServer.start(g.files);
const cache = await mkdtemp(join(tmpdir(), 'armvm-demo-'));

/**
 * One boot in a fresh process. Scripted: the guest's output is shown as it comes and SCRIPT is
 * typed at each prompt. Interactive: the terminal is the guest's.
 */
async function boot(label: string, interactive: boolean): Promise<void> {
  const requests = server.requests;
  const sent = server.bodyBytesSent;
  const args = [
    ...process.execArgv,
    armvm,
    'run',
    ...g.args((p) => server.url(p)),
    '--cache',
    cache,
    '--stats',
    '--no-reboot',
  ];
  console.log(`── ${label}: armvm run ${g.args((p) => server.url(p)).join(' ')} --cache <fresh dir> --stats`);
  if (interactive)
    console.log('   (you get the busybox prompt: try a command; poweroff -f or Ctrl-A x ends it)\n');
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: [interactive ? 'inherit' : 'pipe', interactive ? 'inherit' : 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  if (!interactive) {
    let line = '';
    let typed = 0;
    child.stdout!.on('data', (d: Buffer) => {
      const text = d.toString('latin1').replace(new RegExp(`${ESC}\\[6n`, 'g'), '');
      process.stdout.write(text.replace(/\r/g, '').replace(/\n/g, '\n   guest │ '));
      line = (line + d.toString('latin1')).slice(-64);
      if (g.linux && PROMPT.test(line) && typed < SCRIPT.length) {
        child.stdin!.write(`${SCRIPT[typed++]}\n`);
        line = '';
      }
    });
    process.stdout.write('   guest │ ');
  }
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - t0;
  console.log(`\n${err.trimEnd().replace(/^/gm, '   armvm │ ')}`);
  console.log(
    `   exit status ${status} after ${(ms / 1000).toFixed(1)} s; the server answered ${server.requests - requests} requests ` +
      `with ${server.bodyBytesSent - sent} bytes of body\n`,
  );
}

const sizes = Object.entries(g.files).map(([p, b]) => `${p.split('/').pop()} (${b.length} bytes)`);
console.log(`Serving ${sizes.join(' and ')} on ${server.url('/')}\n`);
try {
  await boot('first boot (cold cache)', false);
  await boot('second boot (the images come from the cache)', g.linux && process.stdin.isTTY === true);
} finally {
  await server.close();
  await rm(cache, { recursive: true, force: true });
}
