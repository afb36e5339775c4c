/**
 * The packages as a user installs them: `npm pack` each, install the tarballs into a copy of
 * examples/http-cache in a temporary folder (offline: from npm's cache, no registry), and run
 * the example against a local server, twice.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { TestHttpServer } from './test-support/http-server.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));

test(
  'the example project, installed from npm pack tarballs, runs as written',
  { timeout: 180_000 },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'example-project-'));
    const server = await TestHttpServer.start({ '/data.bin': Buffer.alloc(150_000, 9) });
    try {
      const packs = join(dir, 'packs');
      await mkdir(packs);
      for (const p of ['fscache', 'cachefiles', 'netfs-http'])
        await run('npm', ['pack', '--pack-destination', packs], { cwd: join(repo, 'packages', p) });
      const tarballs = (await readdir(packs)).map((t) => join(packs, t));
      assert.equal(tarballs.length, 3);
      const project = join(dir, 'project');
      await mkdir(project);
      for (const f of ['package.json', 'index.mjs'])
        await copyFile(join(repo, 'examples', 'http-cache', f), join(project, f));
      await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], { cwd: project });
      const example = (cache: string) =>
        run(process.execPath, ['index.mjs', server.url('/data.bin'), cache], { cwd: project });
      const sha = createHash('sha256').update(Buffer.alloc(150_000, 9)).digest('hex');
      const first = await example('./cache');
      assert.match(first.stdout, new RegExp(`^150000 bytes, sha256 ${sha}\\n`));
      assert.match(first.stdout, /first 16 bytes: (09){16}\n/);
      assert.match(first.stdout, /from the network: 150000 bytes/);
      const sent = server.bodyBytesSent;
      const second = await example('./cache');
      assert.match(second.stdout, /from the network: 0 bytes/);
      assert.ok(server.bodyBytesSent - sent === 0, 'the second run read the cache');
      // The installed command works too.
      const v = await run(join(project, 'node_modules', '.bin', 'fscache'), ['--version']);
      assert.match(v.stdout, /^fscache 0\.1\.0\n$/);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
