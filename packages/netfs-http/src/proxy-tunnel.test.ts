/**
 * The client through a real proxy: http: in absolute form, https: through a CONNECT tunnel with
 * TLS to the origin, NO_PROXY going direct, credentials, and the proxy's own failures.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { RemoteError } from './errors.ts';
import { HttpClient } from './http-client.ts';
import { TEST_CERT, TestHttpServer } from './test-support/http-server.ts';
import { TestProxy } from './test-support/test-proxy.ts';

const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff));
let plain: TestHttpServer;
let secure: TestHttpServer;
let proxy: TestProxy;

before(async () => {
  plain = await TestHttpServer.start({ '/f': body });
  secure = await TestHttpServer.start({ '/f': body }, { tls: true });
  proxy = await TestProxy.start();
});
after(async () => {
  await Promise.all([plain.close(), secure.close(), proxy.close()]);
});
beforeEach(() => {
  proxy.log.length = 0;
  proxy.refuseConnect = null;
  proxy.requireAuthorization = null;
});

async function withClient<T>(c: HttpClient, f: (c: HttpClient) => Promise<T>): Promise<T> {
  try {
    return await f(c);
  } finally {
    c.close();
  }
}

test('http: goes to the proxy in absolute form, with the origin as Host; ranges and 304s survive', async () => {
  await withClient(new HttpClient({ proxy: { http: proxy.url } }), async (c) => {
    const whole = await c.get(plain.url('/f'));
    assert.ok(whole.body.equals(body));
    const part = await c.get(plain.url('/f?x=1'), { range: { start: 10, end: 19 } });
    assert.equal(part.status, 206);
    assert.ok(part.body.equals(body.subarray(10, 20)));
    const again = await c.head(plain.url('/f'), { ifNoneMatch: whole.etag! });
    assert.equal(again.status, 304);
  });
  assert.deepEqual(
    proxy.log.map((e) => [e.method, e.target, e.host]),
    [
      ['GET', plain.url('/f'), new URL(plain.origin).host],
      ['GET', plain.url('/f?x=1'), new URL(plain.origin).host],
      ['HEAD', plain.url('/f'), new URL(plain.origin).host],
    ],
  );
  assert.equal(plain.log.at(-1)?.ifNoneMatch !== undefined, true);
});

test('https: a CONNECT tunnel to the origin, TLS inside it checked against the origin’s name', async () => {
  await withClient(new HttpClient({ proxy: { https: proxy.url }, ca: TEST_CERT }), async (c) => {
    const whole = await c.get(secure.url('/f'));
    assert.ok(whole.body.equals(body));
    const part = await c.get(secure.url('/f'), { range: { start: 100, end: 199 } });
    assert.ok(part.body.equals(body.subarray(100, 200)));
  });
  const authority = new URL(secure.origin).host;
  // One tunnel, kept alive for the second request; the proxy never sees the path.
  assert.deepEqual(
    proxy.log.map((e) => [e.method, e.target, e.host]),
    [['CONNECT', authority, authority]],
  );
  assert.deepEqual(
    secure.log.map((e) => e.path),
    ['/f', '/f'],
  );
});

test('https: through the tunnel, an untrusted certificate is still refused', async () => {
  await withClient(new HttpClient({ proxy: { https: proxy.url } }), async (c) => {
    await assert.rejects(c.get(secure.url('/f')), { code: 'ERR_NETFS_TLS_CERT' });
  });
  assert.equal(proxy.log[0]?.method, 'CONNECT');
});

test('NO_PROXY: matching hosts are fetched directly; the others still use the proxy', async () => {
  const settings = { http: proxy.url, https: proxy.url };
  for (const noProxy of ['127.0.0.1', '*', `127.0.0.1:${new URL(plain.origin).port}`, '127.0.0.0/8']) {
    await withClient(new HttpClient({ proxy: { ...settings, noProxy }, ca: TEST_CERT }), async (c) => {
      assert.ok((await c.get(plain.url('/f'), { range: { start: 0, end: 0 } })).status === 206);
    });
    assert.deepEqual(proxy.log, [], noProxy);
  }
  await withClient(
    new HttpClient({ proxy: { ...settings, noProxy: 'localhost,example.com,127.0.0.1:1' }, ca: TEST_CERT }),
    async (c) => {
      await c.get(plain.url('/f'), { range: { start: 0, end: 0 } });
      await c.get(secure.url('/f'), { range: { start: 0, end: 0 } });
    },
  );
  assert.deepEqual(
    proxy.log.map((e) => e.method),
    ['GET', 'CONNECT'],
  );
});

test('credentials in the proxy URL are sent as Proxy-Authorization: Basic, for both schemes', async () => {
  proxy.requireAuthorization = `Basic ${Buffer.from('ann:s3cr:t').toString('base64')}`;
  const withAuth = proxy.url.replace('http://', 'http://ann:s3cr%3At@');
  await withClient(
    new HttpClient({ proxy: { http: withAuth, https: withAuth }, ca: TEST_CERT }),
    async (c) => {
      assert.ok((await c.get(plain.url('/f'))).body.equals(body));
      assert.ok((await c.get(secure.url('/f'))).body.equals(body));
    },
  );
  assert.deepEqual(
    proxy.log.map((e) => e.proxyAuthorization),
    [proxy.requireAuthorization, proxy.requireAuthorization],
  );
});

test('a proxy that refuses CONNECT: ERR_NETFS_PROXY_TUNNEL with its status, naming the proxy', async () => {
  proxy.refuseConnect = 403;
  await withClient(new HttpClient({ proxy: { https: proxy.url }, ca: TEST_CERT }), async (c) => {
    const err = await c.get(secure.url('/f')).catch((e: unknown) => e);
    assert.ok(err instanceof RemoteError);
    assert.equal(err.code, 'ERR_NETFS_PROXY_TUNNEL');
    assert.equal(err.status, 403);
    assert.equal(err.transient, false);
    assert.equal(err.url, secure.url('/f'));
    assert.match(err.message, /proxy http:\/\/127\.0\.0\.1:\d+\/ refused the tunnel: CONNECT answered 403/);
  });
  proxy.refuseConnect = null;
  proxy.requireAuthorization = 'Basic nope';
  await withClient(new HttpClient({ proxy: { https: proxy.url }, ca: TEST_CERT }), async (c) => {
    await assert.rejects(c.get(secure.url('/f')), (err: RemoteError) => {
      assert.equal(err.status, 407);
      assert.match(err.message, /authentication required/);
      return true;
    });
  });
});

test('a proxy nobody listens on, or whose name does not resolve: said of the proxy', async () => {
  const dead = 'http://127.0.0.1:9';
  for (const url of [plain.url('/f'), secure.url('/f')]) {
    await withClient(new HttpClient({ proxy: { http: dead, https: dead } }), async (c) => {
      await assert.rejects(c.get(url), (err: RemoteError) => {
        assert.equal(err.code, 'ECONNREFUSED');
        assert.match(err.message, /^proxy http:\/\/127\.0\.0\.1:9\/: cannot connect/);
        return true;
      });
    });
    const nowhere = 'http://no-such-proxy.invalid:3128';
    await withClient(new HttpClient({ proxy: { http: nowhere, https: nowhere } }), async (c) => {
      await assert.rejects(c.get(url), (err: RemoteError) => {
        assert.equal(err.code, 'ERR_NETFS_PROXY_NOT_FOUND');
        assert.match(err.message, /host no-such-proxy\.invalid not found/);
        return true;
      });
    });
  }
});
