/**
 * The READMES' code examples, run as written so that they cannot rot: every ```ts or ```js block
 * of the fscache, cachefiles and netfs-http READMES must be marked `runnable`, is type-checked
 * against the built packages' types, and is run in an empty directory beside this package (so
 * its imports resolve as in a project that installed the packages), with EXAMPLE_URL set to a
 * local server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { TestHttpServer } from './test-support/http-server.ts';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const READMES = ['../fscache/README.md', '../cachefiles/README.md', 'README.md'];
const body = 'served to a README example\n';

/** The fenced code blocks of a Markdown text: info string and contents. */
function fencedBlocks(markdown: string): { info: string; code: string; line: number }[] {
  const out: { info: string; code: string; line: number }[] = [];
  const fence = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m; (m = fence.exec(markdown));) {
    out.push({ info: m[1]!.trim(), code: m[2]!, line: markdown.slice(0, m.index).split('\n').length });
  }
  return out;
}

interface Example {
  readme: string;
  line: number;
  lang: 'ts' | 'js';
  code: string;
}

let server: TestHttpServer;
const examples: Example[] = [];
before(async () => {
  server = await TestHttpServer.start({ '/example.txt': body });
  for (const readme of READMES) {
    for (const b of fencedBlocks(await readFile(join(pkg, readme), 'utf8'))) {
      const [lang, ...flags] = b.info.split(/\s+/);
      if (lang !== 'ts' && lang !== 'js') continue;
      assert.ok(flags.includes('runnable'), `${readme}:${b.line}: a ${lang} example not marked runnable`);
      examples.push({ readme, line: b.line, lang, code: b.code });
    }
  }
});
after(() => server.close());

function run(args: string[], cwd: string): Promise<{ status: number | null; out: string }> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, EXAMPLE_URL: server.url('/example.txt'), NODE_DEBUG: '', FSCACHE_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, out })));
}

test('every README has a runnable example, and each type-checks and runs to its end', async () => {
  for (const readme of READMES)
    assert.ok(
      examples.some((e) => e.readme === readme),
      `${readme}: no example`,
    );
  const dir = await mkdtemp(join(pkg, '.readme-run-'));
  try {
    const files = await Promise.all(
      examples.map(async (e, i) => {
        const file = join(dir, `example-${i}.${e.lang === 'ts' ? 'ts' : 'mjs'}`);
        await writeFile(file, e.code);
        return file;
      }),
    );
    // The types users get: the built packages' declarations.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const ts = files.filter((f) => f.endsWith('.ts'));
    const checked = await run(
      [
        tsc,
        '--noEmit',
        '--strict',
        '--target',
        'es2022',
        '--module',
        'nodenext',
        '--types',
        'node',
        '--skipLibCheck',
        '--ignoreConfig',
        ...ts,
      ],
      dir,
    );
    assert.equal(checked.status, 0, `the README examples do not type-check:\n${checked.out}`);
    for (const [i, e] of examples.entries()) {
      const cwd = await mkdtemp(join(dir, 'cwd-'));
      const r = await run(['--conditions=development', '--import', 'tsx', files[i]!], cwd);
      assert.equal(r.status, 0, `${e.readme}:${e.line}: the example failed:\n${r.out}`);
      if (e.code.includes('EXAMPLE_URL')) assert.ok(r.out.includes(body), `${e.readme}:${e.line}: ${r.out}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('fencedBlocks: info strings and contents, in order', () => {
  const md = 'a\n```ts runnable\nx\n```\n\n```\nplain\n```\n```sh\n$ y\n```\n';
  assert.deepEqual(
    fencedBlocks(md).map((b) => [b.info, b.code, b.line]),
    [
      ['ts runnable', 'x\n', 2],
      ['', 'plain\n', 6],
      ['sh', '$ y\n', 9],
    ],
  );
});
