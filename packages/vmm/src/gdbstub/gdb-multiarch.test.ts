/**
 * Debian's gdb-multiarch drives armvm's gdb stub through one script — break at a function by name,
 * step, read locals and a VFP register, set a watchpoint, continue to the exit — and the same script
 * against qemu-system-arm's gdbstub must print the same thing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { qemuVirtArgs } from '../test-support/qemu-command-lines.ts';

const conformance = fileURLToPath(new URL('../../../../conformance/', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/armvm.js', import.meta.url));
const QEMU_FLAGS = qemuVirtArgs({ io: 'serial' });

const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg]).status === 0;
const missing = !have('gdb-multiarch')
  ? 'gdb-multiarch is not installed (scripts/install-deps.sh installs it)'
  : !have('arm-none-eabi-gcc')
    ? 'arm-none-eabi-gcc is not installed (scripts/install-deps.sh installs it)'
    : false;

const SCRIPT = `set pagination off
set confirm off
break scale
continue
next
next
print acc
print x
finish
print $d0
print $d0.f64
print $fpscr
break compute
continue
step
info registers pc
watch watched
continue
continue
`;

let dir = '';
let elf = '';

/** A TCP port nobody listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Runs `command` with the gdb stub on `port`, then the script under gdb; returns gdb's output and the guest's. */
async function debugWith(
  command: string,
  args: string[],
  port: number,
): Promise<{ gdb: string; guest: string }> {
  const target = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let guest = '';
  target.stdout.on('data', (d: Buffer) => (guest += d.toString('latin1')));
  const ended = new Promise((r) => target.on('close', r));
  try {
    let out = '';
    for (let attempt = 0; attempt < 50; attempt++) {
      await new Promise((r) => setTimeout(r, 200)); // until the stub listens
      const gdb = spawn('gdb-multiarch', [
        '-batch',
        '-nx',
        '-ex',
        `file ${elf}`,
        '-ex',
        `target remote 127.0.0.1:${port}`,
        '-x',
        join(dir, 'script.gdb'),
      ]);
      out = '';
      gdb.stdout.on('data', (d: Buffer) => (out += d.toString()));
      gdb.stderr.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise((r) => gdb.on('close', r));
      if (!/Connection refused/.test(out)) break;
    }
    await Promise.race([ended, new Promise((r) => setTimeout(r, 10_000))]);
    return { gdb: out, guest };
  } finally {
    target.kill();
  }
}

describe('gdb-multiarch against the gdb stub', { skip: missing, timeout: 180_000 }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'armvm-gdb-'));
    elf = join(dir, 'g-debug.arm.elf');
    // conformance/Makefile's flags for a VFP program, at -O0 with debug information
    const r = spawnSync(
      'arm-none-eabi-gcc',
      [
        ...'-mcpu=cortex-a15 -mfloat-abi=hard -mfpu=vfpv3 -fno-math-errno -O0 -g -ffreestanding -fno-builtin'.split(
          ' ',
        ),
        ...'-fno-common -fno-asynchronous-unwind-tables -Isrc -marm -nostdlib -T src/virt.ld'.split(' '),
        `-fdebug-prefix-map=${conformance}=`,
        '-Wl,--build-id=none',
        '-Wl,-n',
        '-o',
        elf,
        'src/crt0.S',
        'src/runtime.c',
        'src/g-debug.c',
        '-lgcc',
      ],
      { cwd: conformance, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(join(dir, 'script.gdb'), SCRIPT);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  let ours = '';

  test('break by name, step, locals, d0 and fpscr, a watchpoint, and on to the exit', async () => {
    const port = await freePort();
    const r = await debugWith(
      process.execPath,
      [bin, 'run', ...QEMU_FLAGS, '-gdb', `tcp::${port}`, '-S', '-kernel', elf],
      port,
    );
    ours = r.gdb;
    assert.match(ours, /Breakpoint 1, scale \(x=2, n=3\) at src\/g-debug\.c:9/);
    assert.match(ours, /\$1 = 2\n\$2 = 2\n/);
    assert.match(ours, /f64 = 6\.75\}\n\$5 = 6\.75\n/);
    assert.match(ours, /Breakpoint 2, compute \(n=4\)/);
    assert.match(ours, /Hardware watchpoint 3: watched\n\nOld value = 0\nNew value = 30\n/);
    assert.match(ours, /\[Inferior 1 \(process 1\) exited normally\]/);
    assert.equal(r.guest, 'compute=0x0000001e\nscale=0x000002a3\n');
  });

  test(
    'the same script against qemu-system-arm -gdb -S prints the same',
    { skip: !have('qemu-system-arm') && 'qemu-system-arm is not installed' },
    async () => {
      const port = await freePort();
      const r = await debugWith(
        'qemu-system-arm',
        [...QEMU_FLAGS, '-gdb', `tcp::${port}`, '-S', '-kernel', elf],
        port,
      );
      assert.ok(ours !== '', 'our run came first');
      assert.equal(ours, r.gdb);
    },
  );
});
