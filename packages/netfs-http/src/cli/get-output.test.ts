/**
 * `fscache get -o` as curl treats it, through the installed command: devices, FIFOs and links
 * are written, not replaced; `-o -` is stdout; a missing directory or an unwritable target is
 * reported before anything is downloaded; a full disk and a closed pipe end with one line and
 * curl's status 23, leaving no partial file.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { TestHttpServer } from '../test-support/http-server.ts';

const bin = fileURLToPath(new URL('../../bin/fscache.js', import.meta.url));
const root = process.getuid?.() === 0;
const body = Buffer.from(Array.from({ length: 3 << 20 }, (_, i) => (i * 31 + (i >> 12)) & 0xff));

let server: TestHttpServer;
let dir: string;
before(async () => {
  server = await TestHttpServer.start({ '/file': body, '/small': 'hello, curl\n' });
  dir = await mkdtemp(join(tmpdir(), 'fscache-out-'));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `fscache get URL ...args` with its own cache; stdout is collected unless `onStdout` takes it. */
function get(
  path: string,
  args: string[],
  onStdout?: (out: NodeJS.ReadableStream, kill: () => void) => void,
) {
  const child = spawn(
    process.execPath,
    [bin, 'get', server.url(path), '--cache', join(dir, 'cache'), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out: Buffer[] = [];
  let err = '';
  if (onStdout) onStdout(child.stdout, () => child.kill('SIGKILL'));
  else child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise<{ status: number | null; stdout: Buffer; stderr: string }>((resolve) =>
    child.once('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr: err })),
  );
}

const gets = () => server.log.filter((e) => e.method === 'GET' || e.method === 'HEAD').length;
const parts = async (d: string) => (await readdir(d)).filter((n) => n.includes('.part'));

test('-o - writes to standard output; so does no -o', async () => {
  for (const args of [['-o', '-'], []]) {
    const r = await get('/file', args);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.equals(body));
  }
});

test('-o FILE: written whole, through a temporary renamed into place; an existing file keeps its mode', async () => {
  const out = join(dir, 'plain.bin');
  await writeFile(out, 'old', { mode: 0o640 });
  const r = await get('/file', ['-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok((await readFile(out)).equals(body));
  assert.equal((await lstat(out)).mode & 0o777, 0o640);
  assert.deepEqual(await parts(dir), []);
});

test('-o a symbolic link: the file it points to is written, the link stays a link', async () => {
  const target = join(dir, 'target.bin');
  const link = join(dir, 'link.bin');
  await writeFile(target, 'old contents, longer than the new ones would be if they were short');
  await symlink(target, link);
  const r = await get('/small', ['-o', link]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok((await lstat(link)).isSymbolicLink());
  assert.equal(await readlink(link), target);
  assert.equal(await readFile(target, 'utf8'), 'hello, curl\n');
});

test('-o a FIFO: the reader at the other end gets the bytes, the FIFO stays a FIFO', async () => {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const read = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(fifo)
      .on('data', (d) => chunks.push(d as Buffer))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
  const r = await get('/file', ['-o', fifo]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok((await read).equals(body));
  assert.ok((await lstat(fifo)).isFIFO());
});

test(
  '-o a character device (a null device made here): written, not replaced',
  { skip: !root && 'needs root for mknod' },
  async () => {
    const dev = join(dir, 'null');
    execFileSync('mknod', [dev, 'c', '1', '3']);
    const r = await get('/file', ['-o', dev]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok((await lstat(dev)).isCharacterDevice(), 'still the device');
    assert.deepEqual(await parts(dir), []);
  },
);

test('-o into a missing directory: one line, status 23, before any request', async () => {
  const before = gets();
  const r = await get('/file', ['-o', join(dir, 'no', 'such', 'dir', 'x.bin')]);
  assert.equal(r.status, 23);
  assert.match(r.stderr, /^fscache: cannot write .*no such directory \(ENOENT\)\n$/);
  assert.equal(gets(), before, 'nothing was asked of the server');
});

test(
  '-o an unwritable target (a read-only mount): one line, status 23, before any request',
  { skip: !root && 'needs root to mount' },
  async () => {
    const ro = join(dir, 'ro');
    await mkdir(ro);
    await writeFile(join(ro, 'existing.bin'), 'keep me');
    execFileSync('mount', ['--bind', ro, ro]);
    try {
      execFileSync('mount', ['-o', 'remount,bind,ro', ro]);
      for (const name of ['existing.bin', 'new.bin']) {
        const before = gets();
        const r = await get('/file', ['-o', join(ro, name)]);
        assert.equal(r.status, 23, r.stderr);
        assert.match(r.stderr, /^fscache: cannot write .*read-only file system \(EROFS\)\n$/);
        assert.equal(gets(), before);
      }
      assert.equal(await readFile(join(ro, 'existing.bin'), 'utf8'), 'keep me');
    } finally {
      execFileSync('umount', [ro]);
    }
  },
);

test(
  '-o a full device (/dev/full made here): ENOSPC in one line, status 23',
  { skip: !root && 'needs root for mknod' },
  async () => {
    const full = join(dir, 'full');
    execFileSync('mknod', [full, 'c', '1', '7']);
    const r = await get('/file', ['-o', full]);
    assert.equal(r.status, 23);
    assert.match(r.stderr, /^fscache: cannot write .*no space left on device \(ENOSPC\)\n$/);
  },
);

test(
  '-o on a full file system: one line, status 23, no partial file left',
  { skip: !root && 'needs root to mount a tmpfs' },
  async () => {
    const small = join(dir, 'small-fs');
    await mkdir(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small]);
    try {
      const r = await get('/file', ['-o', join(small, 'big.bin')]);
      assert.equal(r.status, 23);
      assert.match(r.stderr, /^fscache: cannot write .*no space left on device \(ENOSPC\)\n$/);
      assert.deepEqual(await readdir(small), [], 'no partial file');
    } finally {
      execFileSync('umount', [small]);
    }
  },
);

test('stdout closed early (| head -c 10): one line, status 23, no stack trace', async () => {
  let got = 0;
  const r = await get('/file', [], (out) => {
    out.on('data', (d: Buffer) => {
      got += d.length;
      (out as unknown as { destroy(): void }).destroy(); // the reader goes away after its first bytes
    });
  });
  assert.ok(got > 0);
  assert.equal(r.status, 23);
  assert.match(
    r.stderr,
    /^fscache: cannot write standard output: the reader went away \(broken pipe\) \(EPIPE\)\n$/,
  );
});

test('a file that changes while it is fetched: -o FILE starts over once from the new version; stdout fails with one line; the next get works', async () => {
  const v1 = Buffer.alloc(6 << 20, 1);
  const v2 = Buffer.alloc(6 << 20, 2);
  server.setFile('/moving', v1);
  let gets = 0;
  server.onGet = (path) => {
    if (path === '/moving' && ++gets === 2) server.changeFile('/moving', v2);
  };
  const out = join(dir, 'moving.bin');
  const r = await get('/moving', ['-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^fscache: .*\/moving changed on the server while it was read; starting again\n$/);
  assert.ok((await readFile(out)).equals(v2), 'the new version, whole');

  // Changed again (so the cached copy is stale), and once more while it is fetched to stdout.
  server.changeFile('/moving', Buffer.alloc(6 << 20, 3));
  gets = 0;
  server.onGet = (path) => {
    if (path === '/moving' && ++gets === 2) server.changeFile('/moving', v1);
  };
  const piped = await get('/moving', ['--fresh-for', '0']);
  server.onGet = null;
  assert.ok(piped.stdout.length > 0, 'the first part had gone out already');
  assert.equal(piped.status, 1);
  assert.match(
    piped.stderr,
    /^fscache: the resource changed on the server while it was being read \(ERR_NETFS_CHANGED, .*\)\n$/,
  );
  const next = await get('/moving', []);
  assert.equal(next.status, 0, next.stderr);
  assert.ok(next.stdout.equals(v1), 'the next get: the current version, whole');
});
