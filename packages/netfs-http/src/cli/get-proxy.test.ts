/**
 * `fscache get` through proxies named in the environment, as curl takes them, with the installed
 * command against a real proxy, an http origin and an https one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, test } from 'node:test';
import { TEST_CERT_FILE, TestHttpServer } from '../test-support/http-server.ts';
import { TestProxy } from '../test-support/test-proxy.ts';

const bin = fileURLToPath(new URL('../../bin/fscache.js', import.meta.url));
const body = 'through the proxy\n';
let plain: TestHttpServer;
let secure: TestHttpServer;
let proxy: TestProxy;
let dir: string;

before(async () => {
  plain = await TestHttpServer.start({ '/f': body });
  secure = await TestHttpServer.start({ '/f': body }, { tls: true });
  proxy = await TestProxy.start();
  dir = await mkdtemp(join(tmpdir(), 'fscache-proxy-'));
});
after(async () => {
  await Promise.all([plain.close(), secure.close(), proxy.close()]);
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  proxy.log.length = 0;
  proxy.refuseConnect = null;
});

let n = 0;
/** `fscache get URL` with only `env` for proxies (each run its own cache, so nothing is fresh). */
function get(url: string, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [bin, 'get', url, '--cache', join(dir, `cache-${n++}`), '--retry', '0', '-s'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: fileURLToPath(TEST_CERT_FILE), ...env },
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (status) => resolve({ status, stdout: out, stderr: err })),
  );
}

test('HTTPS_PROXY: an https URL is fetched through a CONNECT tunnel', async () => {
  const r = await get(secure.url('/f'), { HTTPS_PROXY: proxy.url });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, body);
  assert.deepEqual(
    proxy.log.map((e) => [e.method, e.target]),
    [['CONNECT', new URL(secure.origin).host]],
  );
});

test('http_proxy: an http URL is asked of the proxy in absolute form; HTTP_PROXY is ignored', async () => {
  const r = await get(plain.url('/f'), { http_proxy: proxy.url });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, body);
  assert.ok(proxy.log.length > 0 && proxy.log.every((e) => e.target === plain.url('/f')));
  proxy.log.length = 0;
  const upper = await get(plain.url('/f'), { HTTP_PROXY: proxy.url });
  assert.equal(upper.status, 0, upper.stderr);
  assert.deepEqual(proxy.log, []);
});

test('ALL_PROXY is the fallback; NO_PROXY names hosts fetched directly', async () => {
  const r = await get(plain.url('/f'), { ALL_PROXY: proxy.url });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(proxy.log.length > 0);
  proxy.log.length = 0;
  for (const noProxy of ['127.0.0.1', '*', 'example.com, 127.0.0.0/8']) {
    const direct = await get(secure.url('/f'), { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy });
    assert.equal(direct.status, 0, direct.stderr);
    assert.equal(direct.stdout, body);
  }
  assert.deepEqual(proxy.log, []);
});

test('a proxy refusing the tunnel: one line naming it, and curl’s status 56', async () => {
  proxy.refuseConnect = 403;
  const r = await get(secure.url('/f'), { HTTPS_PROXY: proxy.url });
  assert.equal(r.status, 56);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^fscache: proxy http:\/\/127\.0\.0\.1:\d+\/ refused the tunnel: CONNECT answered 403/,
  );
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
});

test('a proxy whose name does not resolve is status 5; one that refuses connections, 7', async () => {
  const unknown = await get(secure.url('/f'), { https_proxy: 'http://no-such-proxy.invalid:3128' });
  assert.equal(unknown.status, 5, unknown.stderr);
  assert.match(
    unknown.stderr,
    /^fscache: proxy http:\/\/no-such-proxy\.invalid:3128\/: host no-such-proxy\.invalid not found/,
  );
  const dead = await get(plain.url('/f'), { http_proxy: 'http://127.0.0.1:9' });
  assert.equal(dead.status, 7, dead.stderr);
  assert.match(dead.stderr, /^fscache: proxy http:\/\/127\.0\.0\.1:9\/: cannot connect \(ECONNREFUSED, /);
  const bad = await get(plain.url('/f'), { http_proxy: 'socks5://127.0.0.1:1080' });
  assert.equal(bad.status, 5, bad.stderr);
  assert.equal(bad.stderr.trimEnd().split('\n').length, 1, bad.stderr);
});
